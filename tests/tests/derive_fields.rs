//! What a `#[derive(ControlMessage)]` payload can be made of (issue 15): `libc`'s C
//! structs, other derived messages, and a header followed by bytes; and `#[cmsg(shared)]`.
//! Pure parsing, no system call: these run under Miri too.

use ancillary::{
    ControlMessage, ControlMessagePayload, ControlMessages, ControlMessagesBuf, PayloadError,
    PayloadField, Tailed,
};

/// `struct in_pktinfo`'s fields, from `libc`'s own types (Linux's layout, written here so
/// that the test builds everywhere).
#[derive(ControlMessage, Clone, Copy)]
#[cmsg(level = 0x7ead, type = 1)]
#[repr(C)]
struct Addresses {
    ifindex: libc::c_int,
    v4: libc::in_addr,
    v6: libc::in6_addr,
    sin6: libc::sockaddr_in6,
}

/// A derived message as the field of another.
#[derive(ControlMessage, Clone, Copy, Debug, PartialEq)]
#[cmsg(level = 0x7ead, type = 2)]
#[repr(C)]
struct Inner {
    a: u32,
    b: u32,
}

#[derive(ControlMessage, Clone, Copy, Debug, PartialEq)]
#[cmsg(level = 0x7ead, type = 3)]
#[repr(C)]
struct Outer {
    first: Inner,
    pair: [Inner; 2],
    tag: u64,
}

/// A plain struct, no message: a field type through its own derive.
#[derive(PayloadField, Clone, Copy, Debug, PartialEq)]
#[repr(C)]
struct Range {
    start: u32,
    len: u32,
}

#[derive(ControlMessage, Clone, Copy, Debug, PartialEq)]
#[cmsg(level = 0x7ead, type = 7)]
#[repr(C)]
struct Ranges {
    ranges: [Range; 3],
    inner: Inner,
}

/// A header followed by any number of bytes.
#[derive(ControlMessage, Clone, Copy, Debug, PartialEq)]
#[cmsg(level = 0x7ead, type = 4, trailing_bytes)]
#[repr(C)]
struct Labelled {
    id: u32,
    flags: u16,
    kind: u16,
}

/// Two layouts under one level and type, like `IP_TOS`.
#[derive(ControlMessage, Clone, Copy, Debug, PartialEq)]
#[cmsg(level = 0x7ead, type = 5, shared)]
#[repr(C)]
struct Narrow {
    value: u8,
}

#[derive(ControlMessage, Clone, Copy, Debug, PartialEq)]
#[cmsg(level = 0x7ead, type = 5, shared)]
#[repr(C)]
struct Wide {
    value: u32,
}

/// Not shared: a length mismatch is an error.
#[derive(ControlMessage, Clone, Copy, Debug, PartialEq)]
#[cmsg(level = 0x7ead, type = 5)]
#[repr(C)]
struct Strict {
    value: u32,
}

fn is_field<T: PayloadField + ?Sized>() {}

#[test]
fn c_structs_and_messages_are_fields() {
    is_field::<libc::in_addr>();
    is_field::<libc::in6_addr>();
    is_field::<libc::sockaddr_in>();
    is_field::<libc::sockaddr_in6>();
    #[cfg(not(all(target_env = "musl", target_pointer_width = "32")))]
    is_field::<libc::timespec>();
    #[cfg(target_os = "linux")]
    {
        is_field::<libc::ucred>();
        is_field::<libc::in_pktinfo>();
        is_field::<libc::in6_pktinfo>();
    }
    is_field::<Inner>();
    is_field::<[Inner; 3]>();
    is_field::<Labelled>();
    assert_eq!(
        <Addresses as ControlMessagePayload>::LAYOUT.prefix,
        4 + 4 + 16 + size_of::<libc::sockaddr_in6>()
    );
}

#[test]
fn a_c_struct_field_round_trips() {
    let mut sin6: libc::sockaddr_in6 = zeroed_sin6();
    sin6.sin6_port = 443u16.to_be();
    sin6.sin6_addr.s6_addr[15] = 1;
    let value = Addresses {
        ifindex: 3,
        v4: libc::in_addr {
            s_addr: u32::from_ne_bytes([10, 0, 0, 1]),
        },
        v6: libc::in6_addr {
            s6_addr: [0xfe; 16],
        },
        sin6,
    };
    let message = ControlMessage::from(&value);
    assert_eq!(&message.data()[4..8], &[10, 0, 0, 1]);
    let back = Addresses::try_from(message).unwrap();
    assert_eq!(back.ifindex, 3);
    assert_eq!(back.v6.s6_addr, [0xfe; 16]);
    assert_eq!(u16::from_be(back.sin6.sin6_port), 443);
    assert_eq!(back.sin6.sin6_addr.s6_addr[15], 1);
}

/// A zeroed `sockaddr_in6`, field by field (no `mem::zeroed`, so no `unsafe` here).
fn zeroed_sin6() -> libc::sockaddr_in6 {
    let bytes = [0u8; size_of::<libc::sockaddr_in6>()];
    // Any bytes are a valid `sockaddr_in6`: it is a `PayloadField`, so a message of its
    // size parses into one.
    #[derive(ControlMessage, Clone, Copy)]
    #[cmsg(level = 0x7ead, type = 6)]
    #[repr(transparent)]
    struct Sin6(libc::sockaddr_in6);
    Sin6::try_from(ControlMessage::new(0x7ead, 6, &bytes))
        .unwrap()
        .0
}

#[test]
fn nested_messages_round_trip() {
    let outer = Outer {
        first: Inner { a: 1, b: 2 },
        pair: [Inner { a: 3, b: 4 }, Inner { a: 5, b: 6 }],
        tag: u64::MAX - 1,
    };
    let mut buf = ControlMessagesBuf::new();
    buf.push(&(&outer).into());
    assert_eq!(buf.find::<Outer>().unwrap().unwrap(), outer);
    assert_eq!(<Outer as ControlMessagePayload>::LAYOUT.prefix, 32);
}

#[test]
fn derived_plain_structs_are_fields() {
    is_field::<Range>();
    let value = Ranges {
        ranges: [
            Range { start: 1, len: 2 },
            Range { start: 3, len: 4 },
            Range { start: 5, len: 6 },
        ],
        inner: Inner { a: 7, b: 8 },
    };
    let message = ControlMessage::from(&value);
    assert_eq!(message.data().len(), 32);
    assert_eq!(Ranges::try_from(message).unwrap(), value);
}

#[test]
fn header_and_bytes_of_every_length_at_every_offset() {
    let header = Labelled {
        id: 0xdead_beef,
        flags: 1,
        kind: 2,
    };
    let tail: Vec<u8> = (0..40).collect();
    for len in 0..tail.len() {
        let mut scratch = [0u8; 64];
        let message = Tailed::new(header, &tail[..len])
            .encode(&mut scratch)
            .unwrap();
        assert_eq!(message.data().len(), 8 + len);
        let mut buf = ControlMessagesBuf::new();
        buf.push(&message);
        // The same bytes at every offset: the header is copied, so alignment never matters.
        for offset in 0..8 {
            let mut shifted = vec![0u8; offset];
            shifted.extend_from_slice(buf.as_bytes());
            let messages = ControlMessages::from_bytes(&shifted[offset..]);
            let parsed = messages.find::<Labelled>().unwrap().unwrap();
            assert_eq!(*parsed.header(), header);
            assert_eq!(parsed.id, 0xdead_beef);
            assert_eq!(parsed.tail(), &tail[..len]);
        }
    }
    // Shorter than the header: an error that says so.
    let short = ControlMessage::new(0x7ead, 4, &[1, 2, 3]);
    assert!(matches!(
        Labelled::parse(short),
        Err(PayloadError::Length {
            expected: 8,
            element: 1,
            found: 3,
            ..
        })
    ));
    assert!(!Labelled::matches(&short));
    // Too small a scratch buffer.
    assert!(Tailed::new(header, &tail).encode(&mut [0u8; 8]).is_none());
    // `From<&Labelled>` sends the header alone.
    let alone = ControlMessage::from(&header);
    assert_eq!(Labelled::parse(alone).unwrap().tail(), b"");
}

#[test]
fn shared_types_pass_over_each_others_lengths() {
    let mut buf = ControlMessagesBuf::new();
    buf.push(&(&Narrow { value: 7 }).into());
    buf.push(&(&Wide { value: 9 }).into());
    let narrow: Vec<_> = buf.of_type::<Narrow>().collect();
    let wide: Vec<_> = buf.of_type::<Wide>().collect();
    assert_eq!(narrow, [Ok(Narrow { value: 7 })]);
    assert_eq!(wide, [Ok(Wide { value: 9 })]);
    // Without `shared`, the one-byte message is an error, not skipped.
    let strict: Vec<_> = buf.of_type::<Strict>().collect();
    assert_eq!(strict.len(), 2);
    assert!(matches!(
        strict[0],
        Err(PayloadError::Length { found: 1, .. })
    ));
    assert_eq!(strict[1], Ok(Strict { value: 9 }));
    const { assert!(Narrow::SHARED && !Strict::SHARED) };
}

#[test]
fn a_truncated_shared_message_is_still_an_error() {
    let mut buf = ControlMessagesBuf::new();
    buf.push(&(&Wide { value: 9 }).into());
    // Cut the buffer inside the payload: the message is truncated, and may have been a
    // `Wide`, so it is reported, not passed over.
    let bytes = buf.as_bytes();
    let cut = &bytes[..ancillary::HEADER_LEN + 2];
    let messages = ControlMessages::from_bytes(cut);
    assert!(matches!(
        messages.find::<Wide>(),
        Some(Err(PayloadError::Length {
            truncated: true,
            ..
        }))
    ));
}
