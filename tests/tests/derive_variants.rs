//! `#[derive(ControlMessages)]`: every received message as a variant of one enum, so that a
//! receive loop is one `match`. Pure parsing, no system call: these run under Miri too.

use ancillary::{
    AncillaryData, ControlMessage, ControlMessagePayload, ControlMessages, ControlMessagesBuf,
    FromControlMessage, PayloadError, ScmRights, Tailed,
};

#[derive(ControlMessage, Clone, Copy, Debug, PartialEq)]
#[cmsg(level = 0x7ead, type = 1)]
#[repr(C)]
struct Ttl {
    ttl: u32,
}

#[derive(ControlMessage, Clone, Copy, Debug, PartialEq)]
#[cmsg(level = 0x7ead, type = 2, shared)]
#[repr(C)]
struct TosByte {
    tos: u8,
}

#[derive(ControlMessage, Clone, Copy, Debug, PartialEq)]
#[cmsg(level = 0x7ead, type = 2, shared)]
#[repr(C)]
struct TosInt {
    tos: u32,
}

#[derive(ControlMessage, Clone, Copy, Debug, PartialEq)]
#[cmsg(level = 0x7ead, type = 3, trailing_bytes)]
#[repr(C)]
struct Label {
    id: u16,
}

#[derive(ControlMessages, Debug)]
enum Everything<'a> {
    Ttl(Ttl),
    TosByte(TosByte),
    TosInt(TosInt),
    Label(Tailed<'a, Label>),
    Rights(&'a ScmRights),
    Other(ControlMessage<'a>),
}

/// No catch-all: the messages of no variant are skipped.
#[derive(ControlMessages, Debug, PartialEq)]
enum OnlyTtl {
    Ttl(Ttl),
}

/// Enums nest.
#[derive(ControlMessages, Debug)]
enum Outer<'a> {
    Inner(OnlyTtl),
    Rest(ControlMessage<'a>),
}

fn sample() -> ControlMessagesBuf<'static> {
    let mut buf = ControlMessagesBuf::new();
    buf.push(&(&Ttl { ttl: 64 }).into());
    buf.push(&(&TosByte { tos: 2 }).into());
    buf.push(&(&TosInt { tos: 3 }).into());
    let mut scratch = [0u8; 16];
    buf.push(
        &Tailed::new(Label { id: 9 }, b"abc")
            .encode(&mut scratch)
            .unwrap(),
    );
    buf.push(&ControlMessage::new(
        libc::SOL_SOCKET,
        libc::SCM_RIGHTS,
        &[1, 0, 0, 0, 2, 0, 0, 0],
    ));
    buf.push(&ControlMessage::new(0x7ead, 99, b"?"));
    buf
}

#[test]
fn every_message_becomes_its_variant_in_one_match() {
    let buf = sample();
    let mut seen = Vec::new();
    for message in buf.parse::<Everything>() {
        seen.push(match message.unwrap() {
            Everything::Ttl(t) => format!("ttl {}", t.ttl),
            Everything::TosByte(t) => format!("tos byte {}", t.tos),
            Everything::TosInt(t) => format!("tos int {}", t.tos),
            Everything::Label(l) => format!("label {} {:?}", l.id, l.tail()),
            Everything::Rights(r) => format!("rights {}", r.len()),
            Everything::Other(m) => format!("other {}", m.cmsg_type()),
        });
    }
    assert_eq!(
        seen,
        [
            "ttl 64",
            "tos byte 2",
            "tos int 3",
            "label 9 [97, 98, 99]",
            "rights 2",
            "other 99"
        ]
    );
}

#[test]
fn without_a_catch_all_other_messages_are_skipped_and_enums_nest() {
    let buf = sample();
    let only: Vec<_> = buf.parse::<OnlyTtl>().collect::<Result<_, _>>().unwrap();
    assert_eq!(only, [OnlyTtl::Ttl(Ttl { ttl: 64 })]);
    let outer: Vec<_> = buf.parse::<Outer>().map(Result::unwrap).collect();
    assert_eq!(outer.len(), 6);
    assert!(matches!(
        outer[0],
        Outer::Inner(OnlyTtl::Ttl(Ttl { ttl: 64 }))
    ));
    assert!(outer[1..]
        .iter()
        .all(|m| matches!(m, Outer::Rest(r) if r.cmsg_level() != 0)));
}

#[test]
fn a_message_of_a_variants_kind_that_does_not_fit_is_an_error() {
    let mut buf = ControlMessagesBuf::new();
    buf.push(&ControlMessage::new(0x7ead, 1, &[1, 2]));
    buf.push(&(&Ttl { ttl: 5 }).into());
    let parsed: Vec<_> = buf.parse::<Everything>().collect();
    assert!(matches!(
        parsed[0],
        Err(PayloadError::Length {
            expected: 4,
            found: 2,
            ..
        })
    ));
    assert!(matches!(parsed[1], Ok(Everything::Ttl(Ttl { ttl: 5 }))));
    // A shared type's other length is not an error: it goes to the variant that fits, or
    // past both.
    let mut buf = ControlMessagesBuf::new();
    buf.push(&ControlMessage::new(0x7ead, 2, &[1, 2]));
    let parsed: Vec<_> = buf.parse::<Everything>().collect();
    assert!(matches!(parsed[..], [Ok(Everything::Other(_))]));
}

#[test]
fn the_conversions_are_the_trait_and_need_no_allocation() {
    let buf = sample();
    let first = buf.iter().next().unwrap();
    assert!(matches!(
        Ttl::from_control_message(first),
        Some(Ok(Ttl { ttl: 64 }))
    ));
    assert!(<&ScmRights>::from_control_message(first).is_none());
    // Over received-style storage on the stack: no heap at all.
    let mut storage = ancillary::AncillaryStorage::<{ Ttl::SPACE * 2 }>::new();
    let mut ancillary = AncillaryData::with_storage(&mut storage);
    ancillary.add_control_message(&Ttl { ttl: 1 });
    let count = ancillary
        .control_messages()
        .parse::<Everything>()
        .filter(|m| matches!(m, Ok(Everything::Ttl(_))))
        .count();
    assert_eq!(count, 1);
    // `Parse` is fused.
    let mut parse = ControlMessages::from_bytes(&[]).parse::<Everything>();
    assert!(parse.next().is_none() && parse.next().is_none());
}
