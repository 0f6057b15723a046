//! The `zerocopy` feature: zerocopy's byte-order integers as fields, and fields whose types
//! derive zerocopy's traits, marked `#[cmsg(zerocopy)]`/`#[sockopt(zerocopy)]`, in both
//! derives. The message tests make no system call (they run under Miri); the option test
//! sets `SO_LINGER` on a real socket.

use ancillary::{ControlMessage, ControlMessagePayload, SocketOption};
use zerocopy::byteorder::{BigEndian, U16, U32};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// A made-up message carrying network byte order.
#[derive(ControlMessage, Clone, Copy, Debug, PartialEq)]
#[cmsg(level = 0x7ead, type = 3)]
#[repr(C)]
struct PortAndAddr {
    port: U16<BigEndian>,
    pad: [u8; 2],
    addr: U32<BigEndian>,
}

/// A struct that derives zerocopy's traits, not `PayloadField`.
#[derive(FromBytes, IntoBytes, Immutable, KnownLayout, Clone, Copy, Debug, PartialEq)]
#[repr(C)]
struct Range {
    start: u32,
    len: u32,
}

#[derive(ControlMessage, Clone, Copy, Debug, PartialEq)]
#[cmsg(level = 0x7ead, type = 4)]
#[repr(C)]
struct Ranges {
    #[cmsg(zerocopy)]
    first: Range,
    count: u32,
}

/// A slice-tailed message whose elements are zerocopy types.
#[derive(ControlMessage, Debug)]
#[cmsg(level = 0x7ead, type = 5)]
#[repr(C)]
struct Many {
    count: u32,
    #[cmsg(zerocopy)]
    ranges: [Range],
}

#[test]
fn byte_order_fields_are_sent_in_their_order() {
    let value = PortAndAddr {
        port: U16::new(443),
        pad: [0; 2],
        addr: U32::new(0x7f00_0001),
    };
    let message = ControlMessage::from(&value);
    assert_eq!(message.data(), [1, 187, 0, 0, 127, 0, 0, 1]);
    let parsed = PortAndAddr::try_from(message).unwrap();
    assert_eq!((parsed.port.get(), parsed.addr.get()), (443, 0x7f00_0001));
}

#[test]
fn a_zerocopy_field_round_trips() {
    let value = Ranges {
        first: Range { start: 3, len: 4 },
        count: 1,
    };
    assert_eq!(<Ranges as ControlMessagePayload>::LAYOUT.prefix, 12);
    assert_eq!(
        Ranges::try_from(ControlMessage::from(&value)).unwrap(),
        value
    );
}

#[test]
fn a_slice_of_zerocopy_elements_is_viewed_in_place() {
    let mut buf = ancillary::ControlMessagesBuf::new();
    let words: [u32; 5] = [2, 1, 2, 3, 4];
    buf.push(&ControlMessage::new(0x7ead, 5, words.as_bytes()));
    let many: &Many = buf.find::<Many>().unwrap().unwrap();
    assert_eq!(many.count, 2);
    assert_eq!(
        many.ranges,
        [Range { start: 1, len: 2 }, Range { start: 3, len: 4 }]
    );
}

/// `SO_LINGER` with zerocopy's derive on the C struct.
#[derive(FromBytes, IntoBytes, Immutable, KnownLayout, Clone, Copy, Debug, PartialEq)]
#[repr(C)]
struct LingerValue {
    on: libc::c_int,
    seconds: libc::c_int,
}

#[derive(SocketOption, Clone, Copy, Debug, PartialEq)]
#[sockopt(level = libc::SOL_SOCKET, name = libc::SO_LINGER)]
#[repr(transparent)]
struct Linger(#[sockopt(zerocopy)] LingerValue);

#[cfg_attr(miri, ignore)]
#[test]
fn a_socket_option_of_a_zerocopy_type() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let linger = Linger(LingerValue { on: 1, seconds: 7 });
    ancillary::set_socket_option(&listener, &linger).unwrap();
    assert_eq!(
        ancillary::get_socket_option::<Linger>(&listener).unwrap(),
        linger
    );
}
