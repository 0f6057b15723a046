//! The code `#[derive(ControlMessage)]` (and `SocketOption`) generates names nothing from
//! the caller's scope:
//! it compiles in a `#![no_implicit_prelude]` module full of decoys, and it honours
//! `#[cmsg(crate = ...)]` for a renamed or re-exported `ancillary`.
//!
//! It also trips none of clippy's restriction lints that a crate may deny as a whole:
//! CI's clippy step (`-D warnings`) checks the derives below against this one.
#![deny(clippy::same_name_method)]

extern crate ancillary as anc;

/// Payloads defined where no prelude exists, next to items named like the ones generated
/// code could accidentally pick up.
mod no_prelude {
    #![no_implicit_prelude]
    #![allow(dead_code, non_camel_case_types, missing_debug_implementations)]

    // Decoys: if generated code named any of these without a leading `::` or the crate
    // path, it would find these instead and fail to compile.
    pub struct Result;
    pub struct Option;
    pub struct Ok;
    pub struct Err;
    pub struct From;
    pub struct TryFrom;
    pub struct ControlMessage;
    pub struct PayloadError;
    pub trait ControlMessagePayload {}
    pub trait SocketOption {}
    pub trait SetSocketOption {}
    pub trait GetSocketOption {}
    pub type c_int = u8;
    pub mod core {}
    // Primitive types are names too, resolved like any other type: a `struct usize` would
    // stand in for `usize` in generated code that wrote it unqualified.
    pub struct usize;
    pub struct bool;
    pub struct u8;
    pub struct i32;
    pub mod std {}
    pub mod ancillary {}
    pub mod __private {}

    #[derive(::ancillary::ControlMessage, ::core::clone::Clone, ::core::marker::Copy)]
    #[cmsg(level = ::libc::IPPROTO_IP, type = ::libc::IP_TTL)]
    #[repr(C)]
    pub struct IpTtl {
        pub ttl: ::libc::c_int,
    }

    #[derive(::ancillary::ControlMessage)]
    #[cmsg(level = ::libc::SOL_SOCKET, type = ::libc::SCM_RIGHTS)]
    #[repr(transparent)]
    pub struct Fds(pub [::libc::c_int]);

    /// A plain field type, through its derive.
    #[derive(::ancillary::PayloadField, ::core::clone::Clone, ::core::marker::Copy)]
    #[repr(C)]
    pub struct Plain {
        pub a: ::core::primitive::u32,
        pub b: [::core::primitive::u16; 2],
    }

    /// Through the renamed crate.
    #[derive(::anc::PayloadField, ::core::clone::Clone, ::core::marker::Copy)]
    #[cmsg(crate = ::anc)]
    #[repr(transparent)]
    pub struct PlainRenamed(pub Plain);

    /// The flags, a C struct field and a nested message.
    #[derive(::ancillary::ControlMessage, ::core::clone::Clone, ::core::marker::Copy)]
    #[cmsg(level = 0x7ead, type = 9, trailing_bytes, shared)]
    #[repr(C)]
    pub struct Header {
        pub addr: ::libc::in_addr,
        pub ttl: IpTtl,
        pub plain: PlainRenamed,
    }

    /// Through the renamed crate, as a path and as a string (as serde spells it).
    #[derive(::anc::ControlMessage)]
    #[cmsg(crate = ::anc, level = ::libc::IPPROTO_IP, type = ::libc::IP_TOS)]
    #[repr(C)]
    pub struct Tos {
        pub tos: [::core::primitive::u8; 4],
    }

    #[derive(::anc::ControlMessage)]
    #[cmsg(level = 1, type = 2, crate = "::anc")]
    #[repr(C)]
    pub struct Tagged {
        pub tag: ::core::primitive::u8,
        pub rest: [::core::primitive::u8],
    }

    /// A socket option's value, read-only.
    #[derive(::ancillary::SocketOption, ::core::clone::Clone, ::core::marker::Copy)]
    #[sockopt(level = ::libc::IPPROTO_IP, name = ::libc::IP_TTL, read_only)]
    #[repr(C)]
    pub struct Ttl {
        pub ttl: ::libc::c_int,
    }

    /// A field checked against zerocopy's traits (`#[cmsg(zerocopy)]`), beside one of its
    /// byte-order integers as a plain field.
    #[derive(::ancillary::ControlMessage, ::core::clone::Clone, ::core::marker::Copy)]
    #[cmsg(level = 0x7ead, type = 10)]
    #[repr(C)]
    pub struct Ports {
        #[cmsg(zerocopy)]
        pub first: ::zerocopy::byteorder::U16<::zerocopy::byteorder::BigEndian>,
        pub second: ::zerocopy::byteorder::U16<::zerocopy::byteorder::BigEndian>,
    }

    /// A flag, through the renamed crate.
    #[derive(::anc::SocketOption, ::core::clone::Clone, ::core::marker::Copy)]
    #[sockopt(crate = ::anc, level = ::libc::SOL_SOCKET, name = ::libc::SO_REUSEADDR, flag)]
    pub struct ReuseAddr(pub ::core::primitive::bool);

    /// Values beyond the expressions the derive parses itself, passed on to the compiler.
    #[derive(::ancillary::ControlMessage)]
    #[cmsg(level = if true { 1 } else { 2 }, type = match 2 { 2 => 3, n => n })]
    #[repr(C)]
    pub struct Computed {
        pub value: [::core::primitive::u8; 2],
    }
}

/// A facade crate re-exporting `ancillary`, whose `__private` wraps the real one and counts
/// calls, so the tests can see that `#[cmsg(crate = ...)]` is really the path used.
mod facade {
    pub use ::ancillary::*;

    pub mod __private {
        use std::sync::atomic::{AtomicUsize, Ordering};

        pub use ::ancillary::__private::*;

        pub static READS: AtomicUsize = AtomicUsize::new(0);

        pub fn read_payload<T: ControlMessagePayload>(
            message: ControlMessage<'_>,
        ) -> Result<T, PayloadError> {
            READS.fetch_add(1, Ordering::SeqCst);
            ::ancillary::__private::read_payload(message)
        }
    }
}

#[derive(facade::ControlMessage, Clone, Copy, Debug, PartialEq)]
#[cmsg(crate = crate::facade, level = libc::IPPROTO_IP, type = libc::IP_TTL)]
#[repr(C)]
struct ViaFacade {
    ttl: libc::c_int,
}

use ancillary::{ControlMessage, ControlMessagePayload};

#[test]
fn derived_in_a_no_implicit_prelude_module() {
    let ttl = no_prelude::IpTtl { ttl: 9 };
    let message = ControlMessage::from(&ttl);
    assert!(no_prelude::IpTtl::matches(&message));
    assert_eq!(no_prelude::IpTtl::try_from(message).unwrap().ttl, 9);
    assert_eq!(
        <no_prelude::IpTtl as ControlMessagePayload>::LEVEL,
        libc::IPPROTO_IP
    );

    let bytes = [0u32, 1, 2];
    let raw: Vec<u8> = bytes.iter().flat_map(|w| w.to_ne_bytes()).collect();
    // A message buffer keeps payloads aligned, so the slice-tailed view succeeds.
    let mut buf = ancillary::ControlMessagesBuf::new();
    buf.push(&ControlMessage::new(
        libc::SOL_SOCKET,
        libc::SCM_RIGHTS,
        &raw,
    ));
    let fds: &no_prelude::Fds = buf.find::<no_prelude::Fds>().unwrap().unwrap();
    assert_eq!(fds.0, [0, 1, 2]);
}

#[test]
fn renamed_crate_path() {
    let tos = no_prelude::Tos { tos: [1, 2, 3, 4] };
    let message = anc::ControlMessage::from(&tos);
    assert_eq!(message.data(), [1, 2, 3, 4]);
    assert_eq!(
        no_prelude::Tos::try_from(message).unwrap().tos,
        [1, 2, 3, 4]
    );

    let tagged = <&no_prelude::Tagged>::try_from(ControlMessage::new(1, 2, &[7, 8, 9])).unwrap();
    assert_eq!((tagged.tag, &tagged.rest), (7, &[8, 9][..]));
}

#[test]
fn zerocopy_fields_in_a_no_implicit_prelude_module() {
    use zerocopy::byteorder::U16;

    let ports = no_prelude::Ports {
        first: U16::new(1),
        second: U16::new(2),
    };
    assert_eq!(ControlMessage::from(&ports).data(), [0, 1, 0, 2]);
}

#[test]
fn computed_level_and_type() {
    use no_prelude::Computed;

    assert_eq!((Computed::LEVEL, Computed::TYPE), (1, 3));
    assert!(Computed::matches(&ControlMessage::new(1, 3, &[0, 0])));
}

#[test]
fn crate_override_is_the_path_used() {
    use std::sync::atomic::Ordering;

    let before = facade::__private::READS.load(Ordering::SeqCst);
    let message = ControlMessage::from(&ViaFacade { ttl: 5 });
    assert_eq!(ViaFacade::try_from(message).unwrap(), ViaFacade { ttl: 5 });
    assert_eq!(facade::__private::READS.load(Ordering::SeqCst), before + 1);
}

/// Sockets: not under Miri, which has no `socket`.
#[cfg_attr(miri, ignore)]
#[test]
fn socket_options_derived_in_a_no_implicit_prelude_module() {
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    anc::set_socket_option(&socket, &no_prelude::ReuseAddr(true)).unwrap();
    assert!(
        anc::get_socket_option::<no_prelude::ReuseAddr>(&socket)
            .unwrap()
            .0
    );
    socket.set_ttl(17).unwrap();
    let ttl = ancillary::get_socket_option::<no_prelude::Ttl>(&socket).unwrap();
    assert_eq!(ttl.ttl, 17);
}
