//! Unix socket control messages (ancillary data), done right.
//!
//! This crate implements the design of Rust RFC 3430 (`unix_socket_ancillary_data_v2`):
//!
//! * [`ControlMessage`](struct@ControlMessage) is one message: a `(level, type)` pair and
//!   payload bytes. Every kind of message, including ones defined by other crates, is data
//!   of this shape, never a variant of a closed enum; typed messages are structs with
//!   `#[derive(ControlMessage)]` ([`ScmRights`], [`ControlMessagePayload`]).
//! * [`ControlMessages`](struct@ControlMessages) is a borrowed buffer of them that any bytes can be viewed as and
//!   iterated safely; [`ControlMessagesBuf`] is the owned, append-only form.
//! * [`AncillaryData`] adds file-descriptor ownership: descriptors to send are
//!   [`BorrowedFd`](std::os::fd::BorrowedFd)s that must outlive the send, received ones
//!   become [`OwnedFd`](std::os::fd::OwnedFd)s the moment `recvmsg` returns,
//!   close-on-exec, and are closed if nobody takes them. (macOS sets close-on-exec only
//!   just after `recvmsg`, and leaves descriptors that did not fit the buffer open and
//!   unnamed: see the [`guide`]'s Platforms.)
//! * [`SendMessage`], [`SendMessageTo`], [`RecvMessage`], [`RecvMessageFrom`] are open
//!   traits over `sendmsg`/`recvmsg`, implemented for std's sockets and implementable for
//!   any other socket with [`send_message`] and [`recv_message`]; [`MessageSender`] and
//!   [`MessageReceiver`] are the builders to call them with.
//!
//! No heap allocation happens per message once the buffers exist, and buffers can live on
//! the stack ([`AncillaryData::with_storage`]).
//!
//! Start with the [`guide`]: sending, receiving, sizing buffers, defining your own messages
//! and async code.
//!
//! # Passing a file descriptor
//!
//! ```
//! # fn main() -> std::io::Result<()> {
//! use std::io::Read;
//! use std::os::fd::AsFd;
//! use std::os::unix::net::UnixStream;
//! use ancillary::{AncillaryData, AncillaryStorage, MessageReceiver, MessageSender};
//!
//! let (left, right) = UnixStream::pair()?;
//!
//! // Send, from a stack buffer: the file stays borrowed until `ancillary` is gone.
//! let file = std::fs::File::open("Cargo.toml")?;
//! let mut send_storage = AncillaryStorage::<{ AncillaryData::space_for_fds(1) }>::new();
//! let mut ancillary = AncillaryData::with_storage(&mut send_storage);
//! ancillary.add_file_descriptors(&[file.as_fd()]);
//! MessageSender::new(&left, b"!").ancillary_data(&mut ancillary).send()?;
//!
//! // Receive into a stack buffer sized for one descriptor.
//! let mut storage = AncillaryStorage::<{ AncillaryData::space_for_fds(1) }>::new();
//! let mut ancillary = AncillaryData::with_storage(&mut storage);
//! MessageReceiver::new(&right, &mut [0; 1]).ancillary_data(&mut ancillary).recv()?;
//! let [fd] = ancillary.take_exact_fds()?;
//!
//! let mut text = String::new();
//! std::fs::File::from(fd).read_to_string(&mut text)?;
//! assert!(text.contains("[package]"));
//! # Ok(())
//! # }
//! ```
//!
//! # Sizing buffers
//!
//! A receive gets at most [`AncillaryData::capacity`] bytes of control data. Each message
//! takes [`cmsg_space`]`(payload_len)` bytes; [`AncillaryData::space_for_fds`] is that for
//! an `SCM_RIGHTS` message. Both are `const fn`s, equal to the C macros `CMSG_SPACE` and
//! `CMSG_LEN` ([`cmsg_len`]) of the target.
//!
//! # Platforms
//!
//! Unix only: Linux and Android, FreeBSD, macOS and iOS; the crate does not build for other
//! targets, so its items do not repeat this. Each platform's own messages, flags and
//! socket options are in `os::linux`, `os::freebsd` and `os::macos`; those items, and the
//! few others that one platform alone has (such as `AncillaryData::take_pidfd`), say which
//! platform they are on. What behaves differently from one platform to another, and how
//! each is tested, is in the guide's [Platforms](crate::guide#platforms).
//!
//! # Features
//!
//! * `tokio`: async sends and receives on tokio's sockets, with poll and try forms
//!   ([`ancillary::tokio`](crate::tokio)).
//! * `socket2`: the send and receive traits for `socket2::Socket`, and `SocketAddress` for
//!   its `SockAddr` (socket2's `Socket::pair`, used in the examples, needs socket2's own
//!   `all` feature).
//! * `io-uring` (Linux): `sendmsg`/`recvmsg` submission entries that own their memory,
//!   and a parser of multishot `recvmsg` buffers (`ancillary::io_uring`, see the
//!   [guide](crate::guide#io_uring)).
//! * `zerocopy`: zerocopy's byte-order integers as fields, and fields of types deriving
//!   zerocopy's traits (see the [guide](crate::guide#fields-from-zerocopy)).
//!
//! Where this crate departs from the RFC's text, and why, is in the
//! [guide](crate::guide#where-this-crate-departs-from-the-rfc).

#![cfg_attr(docsrs, feature(doc_cfg))]
// docs.rs: every item needs `supported_os`, which the crate page says once (Platforms)
// instead of a badge on each item; `padded_timespec` only matters on 32-bit targets, and
// the docs of the items it leaves out say so. Features and per-OS items keep their badges.
#![cfg_attr(docsrs, doc(auto_cfg(hide(supported_os, padded_timespec))))]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

// Control messages are a Unix socket feature, and each target's layout (alignment, which
// messages carry descriptors, close-on-exec) is written down in `os` for these only.
// (`supported_os` and the other platform conditions are named in `build.rs`.)
#[cfg(not(supported_os))]
compile_error!(
    "the `ancillary` crate supports Unix targets only: Linux, Android, FreeBSD, macOS and iOS"
);

/// Reached as `__private::cmsg_value!`; `#[macro_export]` is what lets a path name a
/// `macro_rules!` macro from another crate. Not public API.
#[doc(hidden)]
#[macro_export]
macro_rules! __cmsg_value {
    ($value:expr) => {
        $value
    };
}

/// Declares its items on the supported targets only, so that elsewhere the
/// `compile_error!` above is the one error, not one per use of a Unix API. (The items are
/// not indented, to keep them as they would be written without it.)
macro_rules! on_supported_targets {
    ($($item:item)*) => {$(
        #[cfg(supported_os)]
        $item
    )*};
}

/// The items of the `io-uring` feature, built where it works: Linux (and Android) on the
/// architectures whose kernel ABI the `io-uring` crate ships (`io_uring_target`, set by
/// `build.rs` from the list in `io_uring_target.rs`); elsewhere the feature adds nothing.
macro_rules! with_io_uring {
    ($($item:item)*) => {$(
        #[cfg(io_uring_target)]
        $item
    )*};
}

// The modules, on the supported targets only (each on its own line, where tools that walk
// `mod` items, such as cargo-mutants, find them); the items follow in
// `on_supported_targets!`. See ARCHITECTURE.md for what each module owns.

#[cfg(supported_os)]
mod addr;
#[cfg(supported_os)]
mod ancillary_data;
#[cfg(supported_os)]
mod ancillary_storage;
#[cfg(supported_os)]
mod builder;
#[cfg(supported_os)]
mod cmsg;
#[cfg(supported_os)]
mod control_messages;
#[cfg(supported_os)]
mod control_messages_buf;
#[cfg(supported_os)]
mod error;
#[cfg(supported_os)]
mod fds;
#[cfg(supported_os)]
mod field;
#[cfg(supported_os)]
pub mod guide;
with_io_uring! {
    #[cfg_attr(docsrs, doc(cfg(feature = "io-uring")))]
    pub mod io_uring;
}
#[cfg(supported_os)]
mod message;
#[cfg(supported_os)]
mod options;
#[cfg(supported_os)]
pub mod os;
#[cfg(supported_os)]
mod payload;
#[cfg(supported_os)]
mod platform;
#[cfg(supported_os)]
mod region;
#[cfg(supported_os)]
mod rights;
#[cfg(supported_os)]
mod socket;
#[cfg(supported_os)]
#[cfg(feature = "socket2")]
#[cfg_attr(docsrs, doc(cfg(feature = "socket2")))]
pub mod socket2;
#[cfg(supported_os)]
mod sockopt;
#[cfg(supported_os)]
mod sys;
#[cfg(supported_os)]
mod tailed;
#[cfg(supported_os)]
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub mod tokio;
#[cfg(supported_os)]
mod variants;

on_supported_targets! {

pub use crate::addr::{AddressError, RawSocketAddr, SocketAddress};
pub use crate::ancillary_data::AncillaryData;
pub use crate::control_messages_buf::ControlMessagesBuf;
pub use crate::builder::{MessageReceiver, MessageSender};
pub use crate::error::CapacityError;
pub use crate::fds::OwnedFds;
pub use crate::field::PayloadField;
pub use crate::message::ControlMessage;
pub use crate::control_messages::{ControlMessages, ControlMessagesIter, OfType};
pub use crate::options::{RecvOptions, RecvResult, SendOptions};
pub use crate::payload::{ControlMessagePayload, PayloadError, PayloadLayout};
pub use crate::fds::ReceivedControlMessages;
pub use crate::rights::ScmRights;
pub use crate::cmsg::{cmsg_align, cmsg_len, cmsg_space, HEADER_LEN};
pub use crate::socket::{RecvMessage, RecvMessageFrom, SendMessage, SendMessageTo};
pub use crate::ancillary_storage::AncillaryStorage;
pub use crate::socket::{recv_message, recv_message_from, send_message, send_message_to};
pub use crate::tailed::Tailed;
pub use crate::variants::{FromControlMessage, Parse};
pub use crate::sockopt::{get_socket_option, set_socket_option};
pub use crate::sockopt::{GetSocketOption, SetSocketOption, SocketOption};

/// Derives [`ControlMessagePayload`] and the conversions of a typed control message.
///
/// `use ancillary::ControlMessage;` brings both this derive and the
/// [`ControlMessage`](struct@ControlMessage) struct (they live in different namespaces, as
/// serde's `Serialize` trait and derive do). Put it on a `#[repr(C)]` struct whose fields
/// are the payload's bytes, and name the message's level and type in `#[cmsg]`:
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// use std::net::UdpSocket;
/// use ancillary::os::linux::SocketOptionsExt;
/// use ancillary::{AncillaryData, ControlMessage, ControlMessagePayload, MessageReceiver};
///
/// // (`ancillary::os::linux::IpTtl` is this message, built in; here it is made anew.)
/// #[derive(ControlMessage, Clone, Copy, Debug)]
/// #[cmsg(level = libc::IPPROTO_IP, type = libc::IP_TTL)]
/// #[repr(C)]
/// struct IpTtl {
///     ttl: libc::c_int,
/// }
///
/// let socket = UdpSocket::bind("127.0.0.1:0")?;
/// socket.set_recv_ttl_v4(true)?; // IP_RECVTTL
/// socket.send_to(b"hi", socket.local_addr()?)?;
///
/// // Room for one `IpTtl`, known at compile time.
/// let mut ancillary = AncillaryData::with_capacity(IpTtl::SPACE);
/// MessageReceiver::new(&socket, &mut [0; 8]).ancillary_data(&mut ancillary).recv()?;
/// let ttl: IpTtl = ancillary.control_messages().find::<IpTtl>().unwrap()?;
/// assert_eq!(ttl.ttl, 64);
///
/// // And to send one: `&IpTtl` converts into a `ControlMessage`.
/// let message = ControlMessage::from(&IpTtl { ttl: 3 });
/// assert!(IpTtl::matches(&message));
/// # Ok(())
/// # }
/// ```
///
/// `level` and `type` take any constant expression of type `c_int`. `#[cmsg(crate =
/// path)]` sets the path to this crate, for crates that use it under another name (the
/// default is `::ancillary`). The last field may be a slice (`[u8]`, `[c_int]`) for
/// messages of variable length, if its element size and the fields before it are
/// multiples of the struct's alignment (so that a `&T` of any length ends where the
/// payload does). For a header followed by bytes (`{ u32 id; char label[]; }`), where that
/// does not hold, derive the header alone and add the flag `trailing_bytes`: parsing then
/// yields a [`Tailed`] (the header copied, the bytes borrowed). The flag `shared` marks a
/// type whose level and type another layout shares
/// ([`ControlMessagePayload::SHARED`]).
///
/// # What it expands to
///
/// For `IpTtl` above, inside `#[automatically_derived] const _: () = { ... };`:
///
/// * an inherent `fn matches(message: &ControlMessage<'_>) -> bool`;
/// * `unsafe impl ControlMessagePayload for IpTtl` with `LEVEL`, `TYPE` and `LAYOUT`;
///   `SPACE` and `space_for(n)` then give the buffer room for one message;
/// * `TryFrom<ControlMessage<'a>> for IpTtl`, a copy that works at any alignment (for a
///   slice-tailed type `T`: `TryFrom<ControlMessage<'a>> for &'a T`, a view in place whose
///   alignment is checked); the error is a [`PayloadError`];
/// * `From<&'a IpTtl> for ControlMessage<'a>`, so
///   `ancillary.add_control_message(&ttl)` works;
/// * for a sized payload, `unsafe impl PayloadField for IpTtl`, so that the message can be
///   a field of another.
///
/// The `unsafe impl` is sound because the compiler checks, in the same block, everything
/// its safety contract asks: every field type (the element type of a trailing slice)
/// must implement [`PayloadField`] (plain bytes: any bit pattern valid, no padding, no
/// interior mutability), and `const` assertions
/// prove that each field starts where the previous one ends, that nothing follows the last
/// one, and, for a slice-tailed type, that the sizes before and in the slice are multiples
/// of the alignment. Syntax checks add the rest: `#[repr(C)]` or `#[repr(transparent)]`,
/// neither `packed` nor `align(N)`, no generics, a struct, a slice only as the last
/// field. So a payload with padding, a `bool`, a reference or a pointer does not compile,
/// and the error names the field:
///
/// ```compile_fail,E0080
/// use ancillary::ControlMessage;
///
/// #[derive(ControlMessage)]
/// #[cmsg(level = libc::IPPROTO_IP, type = libc::IP_TOS)]
/// #[repr(C)]
/// struct Padded {
///     tos: u8,
///     // error: `Padded` has padding between field `tos` and field `value`
///     value: u32,
/// }
/// ```
///
/// A payload has at least one byte: a struct without fields, or with only zero-sized ones,
/// is refused too (for a message whose payload really is empty, use
/// `ControlMessage::new(level, type, &[])`).
///
/// Field types are [`PayloadField`]s: integers (`libc::c_int`, `u32`, the `libc` aliases
/// such as `pid_t`), arrays of them, `libc`'s plain C structs (`libc::in_addr`,
/// `libc::in6_addr`, `libc::timespec`, `libc::sockaddr_in6`, ... the list is on the trait),
/// and other sized `#[derive(ControlMessage)]` structs. Where a C struct has padding, write
/// it out as a field (`_pad: [u8; 2]`). With the `zerocopy` feature, zerocopy's byte-order
/// integers are fields too, and a field marked `#[cmsg(zerocopy)]` may be of any type that
/// derives zerocopy's `FromBytes`, `IntoBytes` and `Immutable` (the guide's
/// [Fields from zerocopy](crate::guide#fields-from-zerocopy)).
pub use ancillary_derive::ControlMessage;

/// Derives [`FromControlMessage`] for an enum with one variant per kind of message, so that
/// a receive loop is one `match`: [`ControlMessages::parse`] turns each received message
/// into the first variant that takes it, without allocating.
///
/// `use ancillary::ControlMessages;` brings both this derive and the
/// [`ControlMessages`](struct@ControlMessages) buffer type (different namespaces). Each
/// variant holds one type: a message type made with `#[derive(ControlMessage)]` (`T` if it
/// is sized, `&'a T` if it ends in a slice, [`Tailed<'a, T>`](Tailed) with
/// `trailing_bytes`), another such enum, or, last, [`ControlMessage<'a>`](struct@ControlMessage)
/// for every message the others do not take (without it, those are skipped).
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// use std::net::UdpSocket;
/// use ancillary::os::linux::{InPktinfo, IpTos, IpTtl, SocketOptionsExt};
/// use ancillary::{AncillaryData, ControlMessage, ControlMessages, MessageReceiver};
///
/// #[derive(ControlMessages, Debug)]
/// enum Udp<'a> {
///     Tos(IpTos),
///     Pktinfo(InPktinfo),
///     Ttl(IpTtl),
///     Other(ControlMessage<'a>),
/// }
///
/// let socket = UdpSocket::bind("127.0.0.1:0")?;
/// socket.set_recv_tos_v4(true)?;
/// socket.set_recv_pktinfo_v4(true)?;
/// socket.set_recv_ttl_v4(true)?;
/// socket.send_to(b"hi", socket.local_addr()?)?;
///
/// let mut ancillary = AncillaryData::with_capacity(256);
/// MessageReceiver::new(&socket, &mut [0; 8]).ancillary_data(&mut ancillary).recv()?;
/// let (mut ecn, mut destination, mut ttl) = (None, None, None);
/// for message in ancillary.control_messages().parse::<Udp>() {
///     match message? {
///         Udp::Tos(tos) => ecn = Some(tos.ecn()),
///         Udp::Pktinfo(info) => destination = Some(info.addr()),
///         Udp::Ttl(t) => ttl = Some(t.ttl()),
///         Udp::Other(other) => println!("unexpected: {other:?}"),
///     }
/// }
/// assert_eq!(destination, Some(std::net::Ipv4Addr::LOCALHOST));
/// assert_eq!(ttl, Some(64));
/// assert!(ecn.is_some());
/// # Ok(())
/// # }
/// ```
///
/// A message of a variant's kind that does not convert (a wrong length, a truncated
/// message) yields an `Err(PayloadError)` rather than falling through to `Other`. Variants
/// of [`SHARED`](ControlMessagePayload::SHARED) types (`IpTos`, `IpTosSend`) take only
/// their own lengths. `#[cmsg(crate = path)]` works as on the other derive. The derive
/// refuses what cannot work, each at its token: a struct, a variant that is not
/// `Name(Type)`, a catch-all that is not last, type parameters.
pub use ancillary_derive::ControlMessages;

/// Derives [`PayloadField`](trait@PayloadField) for a `#[repr(C)]` struct of plain fields,
/// so that it can be a field of `#[derive(ControlMessage)]` payloads without being a
/// message itself.
///
/// `use ancillary::PayloadField;` brings both this derive and the trait. The checks are
/// those of a sized payload, proven by the compiler beside the impl: `#[repr(C)]` (or
/// `transparent`), every field a `PayloadField`, no padding between or after the fields;
/// there is no `level` or `type` (only `#[cmsg(crate = path)]` is accepted).
///
/// ```
/// use ancillary::{ControlMessage, ControlMessagePayload, PayloadField};
///
/// #[derive(PayloadField, Clone, Copy, Debug, PartialEq)]
/// #[repr(C)]
/// struct Range {
///     start: u32,
///     len: u32,
/// }
///
/// #[derive(ControlMessage, Clone, Copy, Debug, PartialEq)]
/// #[cmsg(level = 0x7ead, type = 1)]
/// #[repr(C)]
/// struct Ranges {
///     first: Range,
///     rest: [Range; 2],
/// }
///
/// let ranges = Ranges { first: Range { start: 1, len: 2 }, rest: [Range { start: 3, len: 4 }; 2] };
/// let message = ControlMessage::from(&ranges);
/// assert_eq!(message.data().len(), 24);
/// assert_eq!(Ranges::try_from(message).unwrap(), ranges);
/// ```
///
/// A struct with padding does not compile, and the error names the field:
///
/// ```compile_fail,E0080
/// use ancillary::PayloadField;
///
/// #[derive(PayloadField)]
/// #[repr(C)]
/// struct Padded {
///     flag: u8,
///     // error: `Padded` has padding between field `flag` and field `value`
///     value: u32,
/// }
/// ```
pub use ancillary_derive::PayloadField;

/// Derives [`SocketOption`](trait@SocketOption) for a socket option's value, and the
/// markers [`SetSocketOption`] and [`GetSocketOption`] that let [`set_socket_option`] and
/// [`get_socket_option`] take it.
///
/// `use ancillary::SocketOption;` brings both this derive and the trait. Name the option
/// in `#[sockopt(level = ..., name = ...)]` (any constant expressions of type `c_int`) and
/// give the struct the option's C value, with the field rules of
/// [`#[derive(ControlMessage)]`](derive@ControlMessage): `#[repr(C)]` or
/// `#[repr(transparent)]`, fields that are [`PayloadField`]s (integers, arrays, `libc`'s
/// padding-free C structs such as `ucred` or `linger`, derived payloads), no padding, no
/// generics. The value type must be `Copy` (it is copied to and from the kernel).
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// use std::net::UdpSocket;
/// use ancillary::{get_socket_option, set_socket_option, SocketOption};
///
/// /// `SO_RCVBUF`, as `ancillary::os::linux::sockopt::RcvBuf` has it.
/// #[derive(SocketOption, Clone, Copy, Debug)]
/// #[sockopt(level = libc::SOL_SOCKET, name = libc::SO_RCVBUF)]
/// #[repr(transparent)]
/// struct RcvBuf(libc::c_int);
///
/// /// `SO_ACCEPTCONN`: whether the socket listens. The kernel only reports it.
/// #[derive(SocketOption, Clone, Copy, Debug)]
/// #[sockopt(level = libc::SOL_SOCKET, name = libc::SO_ACCEPTCONN, flag, read_only)]
/// struct AcceptConn(bool);
///
/// let socket = UdpSocket::bind("127.0.0.1:0")?;
/// set_socket_option(&socket, &RcvBuf(65536))?;
/// assert!(get_socket_option::<RcvBuf>(&socket)?.0 >= 65536);
/// assert!(!get_socket_option::<AcceptConn>(&socket)?.0);
/// # Ok(())
/// # }
/// ```
///
/// * `flag`: an on/off option, a C `int` for the kernel and a struct of one `bool` here;
///   any non-zero `int` reads as `true`. A `bool` field without `flag` is refused (its
///   bytes are not the kernel's `int`).
/// * `read_only`: no [`SetSocketOption`], so setting the option does not compile:
///
/// ```compile_fail,E0277
/// use ancillary::{set_socket_option, SocketOption};
///
/// #[derive(SocketOption, Clone, Copy)]
/// #[sockopt(level = libc::SOL_SOCKET, name = libc::SO_ACCEPTCONN, flag, read_only)]
/// struct AcceptConn(bool);
///
/// let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
/// // error: `AcceptConn` is a read-only socket option: it cannot be set
/// set_socket_option(&socket, &AcceptConn(true)).unwrap();
/// ```
///
/// * `write_only`: no [`GetSocketOption`].
/// * `crate = path`: the path to this crate, as on the other derives.
///
/// # What it expands to
///
/// Inside `#[automatically_derived] const _: () = { ... };`: `unsafe impl SocketOption`
/// with `LEVEL`, `NAME` and `Raw` (`Self`, or `c_int` for a flag), the markers, and for a
/// value type the layout proof and `unsafe impl PayloadField` that
/// [`#[derive(PayloadField)]`](derive@PayloadField) would give (so do not derive
/// `PayloadField` or `ControlMessage` on the same type). The proof is the compiler's, as
/// for messages. What no derive can check is what the kernel does with the option named:
/// the trait's [safety section](trait@SocketOption#safety) lists the few options whose
/// value holds an address the kernel writes through; do not derive it for those.
pub use ancillary_derive::SocketOption;

/// Implementation details used by `#[derive(ControlMessage)]`. Not public API: no
/// stability guarantees.
#[doc(hidden)]
pub mod __private {
    pub use crate::field::PayloadField;
    pub use crate::message::ControlMessage;
    pub use crate::payload::{payload_bytes, read_payload, ref_payload, to_message};
    pub use crate::payload::{ControlMessagePayload, PayloadError, PayloadLayout};
    pub use crate::sockopt::{GetSocketOption, SetSocketOption, SocketOption};
    pub use crate::tailed::{read_tailed, Tailed};
    pub use crate::variants::{variant, FromControlMessage};
    pub use core;
    pub use libc::c_int;

    /// `cmsg_value!(tokens)` is the expression `tokens`. The derive wraps each `level` and
    /// `type` value in it: the compiler parses the value here, alone, so the derive accepts
    /// any expression (an `if`, a `match`) without building syn's full grammar, and a
    /// mistake in the value is one error at the value, not unparsable derive output.
    pub use crate::__cmsg_value as cmsg_value;

    /// Compiles only if `T` is a [`PayloadField`]; the derive calls it once per field.
    pub const fn assert_payload_field<T: ?Sized + PayloadField>() {}

    /// Compiles only if `T` implements zerocopy's `FromBytes`, `IntoBytes` and `Immutable`,
    /// the promises of [`PayloadField`]; the derive calls it for a field marked
    /// `#[cmsg(zerocopy)]` (or `#[sockopt(zerocopy)]`).
    #[cfg(feature = "zerocopy")]
    pub const fn assert_zerocopy_field<T: ?Sized + ZerocopyField>() {}

    /// The three zerocopy traits at once, so that a type missing them is one error.
    #[cfg(feature = "zerocopy")]
    #[diagnostic::on_unimplemented(
        message = "`{Self}` is marked `zerocopy` but is not plain bytes by zerocopy's traits",
        label = "this field's type does not derive zerocopy's traits",
        note = "a `zerocopy` field's type must implement `zerocopy::FromBytes`, `IntoBytes` \
                and `Immutable`: add `#[derive(zerocopy::FromBytes, zerocopy::IntoBytes, \
                zerocopy::Immutable)]` to it, or remove `zerocopy` from the field"
    )]
    pub trait ZerocopyField {}

    #[cfg(feature = "zerocopy")]
    impl<T: ?Sized + zerocopy::FromBytes + zerocopy::IntoBytes + zerocopy::Immutable>
        ZerocopyField for T
    {
    }

    /// Without the `zerocopy` feature, `#[cmsg(zerocopy)]` names this instead, whose bound
    /// no type meets, so that the error says to turn the feature on.
    #[cfg(not(feature = "zerocopy"))]
    pub const fn assert_zerocopy_field<T: ?Sized + ZerocopyFeature>() {}

    /// Implemented by no type: the bound of [`assert_zerocopy_field`] without the feature.
    #[cfg(not(feature = "zerocopy"))]
    #[diagnostic::on_unimplemented(
        message = "a `zerocopy` field needs the `zerocopy` feature of `ancillary`",
        label = "this field is marked `zerocopy`",
        note = "add `features = [\"zerocopy\"]` to the `ancillary` dependency, or remove \
                the `zerocopy` marker and use a `PayloadField` type"
    )]
    pub trait ZerocopyFeature {}

    /// A copy of an option's value, for `#[derive(SocketOption)]`'s `to_raw` (`Raw = Self`).
    /// Typed through `O::Raw`, whose `Copy` bound the trait states, so that a value type
    /// without `Copy` is one error, at `type Raw`, not a second one in the body.
    #[must_use]
    pub const fn copy_raw<O: SocketOption>(value: &O::Raw) -> O::Raw {
        *value
    }

    /// `value % unit == 0`, for the derive's layout assertions (a function, so that
    /// lints of the caller's crate do not judge generated arithmetic).
    #[must_use]
    pub const fn is_multiple_of(value: usize, unit: usize) -> bool {
        value % unit == 0
    }
}

} // on_supported_targets!
