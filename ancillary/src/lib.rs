//! Unix socket control messages (ancillary data), done right.
//!
//! This crate implements the design of Rust RFC 3430 (`unix_socket_ancillary_data_v2`):
//!
//! * [`ControlMessage`](struct@ControlMessage) is one message: a `(level, type)` pair and
//!   payload bytes. Every kind of message, including ones defined by other crates, is data
//!   of this shape, never a variant of a closed enum; typed messages are structs with
//!   `#[derive(ControlMessage)]` ([`ScmRights`], [`ControlMessagePayload`]).
//! * [`ControlMessages`] is a borrowed buffer of them that any bytes can be viewed as and
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
//! # Features
//!
//! * `tokio`: async sends and receives on tokio's sockets, with poll and try forms
//!   ([`ancillary::tokio`](crate::tokio)).
//! * `socket2`: the send and receive traits for `socket2::Socket`, and `SocketAddress` for
//!   its `SockAddr`.
//! * `io-uring` (Linux): `sendmsg`/`recvmsg` submission entries that own their memory,
//!   and a parser of multishot `recvmsg` buffers (`ancillary::io_uring`, see the
//!   [guide](crate::guide#io_uring)).
//!
//! Where this crate departs from the RFC's text, and why, is in the
//! [guide](crate::guide#where-this-crate-departs-from-the-rfc).

#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

// Control messages are a Unix socket feature, and each target's layout (alignment, which
// messages carry descriptors, close-on-exec) is written down in `os` for these only.
#[cfg(not(any(
    target_os = "linux",
    target_os = "android",
    target_os = "freebsd",
    target_os = "macos",
    target_os = "ios"
)))]
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
        #[cfg(any(
            target_os = "linux",
            target_os = "android",
            target_os = "freebsd",
            target_os = "macos",
            target_os = "ios"
        ))]
        $item
    )*};
}

on_supported_targets! {

mod addr;
mod ancillary_data;
mod control_messages_buf;
mod builder;
mod cloexec;
mod error;
mod fds;
pub mod guide;
#[cfg(all(feature = "io-uring", any(target_os = "linux", target_os = "android"), any(target_arch = "x86_64", target_arch = "aarch64", target_arch = "riscv64", target_arch = "loongarch64", target_arch = "powerpc64")))]
#[cfg_attr(docsrs, doc(cfg(feature = "io-uring")))]
pub mod io_uring;
mod message;
mod control_messages;
mod options;
pub mod os;
mod payload;
mod platform;
mod rights;
mod cmsg;
mod socket;
#[cfg(feature = "socket2")]
#[cfg_attr(docsrs, doc(cfg(feature = "socket2")))]
pub mod socket2;
mod ancillary_storage;
mod region;
mod sys;
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub mod tokio;

pub use crate::addr::{AddressError, RawSocketAddr, SocketAddress};
pub use crate::ancillary_data::AncillaryData;
pub use crate::control_messages_buf::ControlMessagesBuf;
pub use crate::builder::{MessageReceiver, MessageSender};
pub use crate::error::CapacityError;
pub use crate::fds::OwnedFds;
pub use crate::message::ControlMessage;
pub use crate::control_messages::{ControlMessages, ControlMessagesIter, OfType};
pub use crate::options::{RecvOptions, RecvResult, SendOptions};
pub use crate::payload::{ControlMessagePayload, PayloadError, PayloadLayout};
pub use crate::rights::ScmRights;
pub use crate::cmsg::{cmsg_align, cmsg_len, cmsg_space, HEADER_LEN};
pub use crate::socket::{RecvMessage, RecvMessageFrom, SendMessage, SendMessageTo};
pub use crate::ancillary_storage::AncillaryStorage;
pub use crate::socket::{recv_message, recv_message_from, send_message, send_message_to};

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
/// use std::os::fd::AsRawFd;
/// use ancillary::{AncillaryData, ControlMessage, ControlMessagePayload, MessageReceiver};
///
/// #[derive(ControlMessage, Clone, Copy, Debug)]
/// #[cmsg(level = libc::IPPROTO_IP, type = libc::IP_TTL)]
/// #[repr(C)]
/// struct IpTtl {
///     ttl: libc::c_int,
/// }
///
/// let socket = UdpSocket::bind("127.0.0.1:0")?;
/// let on: libc::c_int = 1;
/// // SAFETY: a valid socket, and `on` is a `c_int` of the given size.
/// let rc = unsafe {
///     libc::setsockopt(
///         socket.as_raw_fd(),
///         libc::IPPROTO_IP,
///         libc::IP_RECVTTL,
///         (&raw const on).cast(),
///         size_of::<libc::c_int>() as libc::socklen_t,
///     )
/// };
/// assert_eq!(rc, 0);
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
/// messages of variable length.
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
///   `ancillary.add_control_message(&ttl)` works.
///
/// The `unsafe impl` is sound because the compiler checks, in the same block, everything
/// its safety contract asks: every field type (the element type of a trailing slice)
/// must implement zerocopy's `FromBytes + IntoBytes + Immutable`, and `const` assertions
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
/// Field types are plain bytes: integers (`libc::c_int`, `u32`, the `libc` aliases such as
/// `pid_t`), arrays of them (`[u8; 4]` for an IPv4 address in network order), and other
/// types that implement zerocopy's traits. Where the C struct has padding, write it out as
/// a field (`_pad: [u8; 2]`).
pub use ancillary_derive::ControlMessage;

/// Implementation details used by `#[derive(ControlMessage)]`. Not public API: no
/// stability guarantees.
#[doc(hidden)]
pub mod __private {
    pub use crate::message::ControlMessage;
    pub use crate::payload::{payload_bytes, read_payload, ref_payload, to_message};
    pub use crate::payload::{ControlMessagePayload, PayloadError, PayloadLayout};
    pub use core;
    pub use libc::c_int;
    pub use zerocopy;

    /// The types a field of a `#[derive(ControlMessage)]` payload may have: plain bytes,
    /// as zerocopy defines them. The derive requires it of every field type (of the element
    /// type for a trailing slice), at the field's span, so a bad field is named in the
    /// error together with the fix.
    #[diagnostic::on_unimplemented(
        message = "`{Self}` cannot be a field of a control message payload",
        label = "this field's type is not plain bytes",
        note = "every field of a `#[derive(ControlMessage)]` payload must be plain bytes: any \
                bit pattern is a valid value (so no `bool`, `char`, enum, reference, pointer \
                or `NonZero*`), no padding inside, no interior mutability (zerocopy's \
                `FromBytes + IntoBytes + Immutable`)",
        note = "use integers (`libc::c_int`, `u32`, ...) or arrays of them (`[u8; 4]` for \
                an IPv4 address) instead"
    )]
    pub trait PayloadField:
        zerocopy::FromBytes + zerocopy::IntoBytes + zerocopy::Immutable
    {
    }

    impl<T> PayloadField for T where
        T: ?Sized + zerocopy::FromBytes + zerocopy::IntoBytes + zerocopy::Immutable
    {
    }

    /// `cmsg_value!(tokens)` is the expression `tokens`. The derive wraps each `level` and
    /// `type` value in it: the compiler parses the value here, alone, so the derive accepts
    /// any expression (an `if`, a `match`) without building syn's full grammar, and a
    /// mistake in the value is one error at the value, not unparsable derive output.
    pub use crate::__cmsg_value as cmsg_value;

    /// Compiles only if `T` is a [`PayloadField`]; the derive calls it once per field.
    pub const fn assert_payload_field<T: ?Sized + PayloadField>() {}

    /// `value % unit == 0`, for the derive's layout assertions (a function, so that
    /// lints of the caller's crate do not judge generated arithmetic).
    #[must_use]
    pub const fn is_multiple_of(value: usize, unit: usize) -> bool {
        value % unit == 0
    }
}

} // on_supported_targets!
