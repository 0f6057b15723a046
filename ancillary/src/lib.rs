//! Unix socket control messages (ancillary data), done right.
//!
//! This crate implements the design of Rust RFC 3430 (`unix_socket_ancillary_data_v2`):
//!
//! * [`ControlMessage`] is one message: a `(level, type)` pair and payload bytes. Every
//!   kind of message, including ones defined by other crates, is data of this shape,
//!   never a variant of a closed enum.
//! * [`ControlMessages`] is a borrowed buffer of them that any bytes can be viewed as and
//!   iterated safely; [`ControlMessagesBuf`] is the owned, append-only form.
//! * [`AncillaryData`] adds file-descriptor ownership: descriptors to send are
//!   [`BorrowedFd`](std::os::fd::BorrowedFd)s that must outlive the send, received ones
//!   become [`OwnedFd`](std::os::fd::OwnedFd)s the moment `recvmsg` returns, always
//!   close-on-exec, and are closed if nobody takes them.
//! * [`SendMessage`], [`SendMessageTo`], [`RecvMessage`], [`RecvMessageFrom`] are open
//!   traits over `sendmsg`/`recvmsg`, implemented for std's sockets and implementable for
//!   any other socket with [`send_message`] and [`recv_message`]; [`MessageSender`] and
//!   [`MessageReceiver`] are the builders to call them with.
//!
//! No heap allocation happens per message once the buffers exist, and buffers can live on
//! the stack ([`AncillaryData::with_storage`]).
//!
//! # Passing a file descriptor
//!
//! ```
//! # fn main() -> std::io::Result<()> {
//! use std::io::Read;
//! use std::os::fd::AsFd;
//! use std::os::unix::net::UnixStream;
//! use ancillary::{AncillaryData, MessageReceiver, MessageSender};
//!
//! let (left, right) = UnixStream::pair()?;
//!
//! // Send: the file stays borrowed until `ancillary` is gone.
//! let file = std::fs::File::open("Cargo.toml")?;
//! let mut ancillary = AncillaryData::new();
//! ancillary.add_file_descriptors(&[file.as_fd()]);
//! MessageSender::new(&left, b"!").ancillary_data(&mut ancillary).send()?;
//!
//! // Receive into a stack buffer sized for one descriptor.
//! let mut storage = [std::mem::MaybeUninit::uninit(); AncillaryData::space_for_fds(1) + 8];
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
//! # Choices where the RFC left a TODO or was inconsistent
//!
//! * The builders are `MessageSender<'a, 'fd, S>` and `MessageReceiver<'a, 'fd, S>`, and
//!   their `ancillary_data` takes `&'a mut AncillaryData<'fd>`: with the RFC's single
//!   lifetime the data would stay borrowed for good and received descriptors could not be
//!   taken. `send()`/`recv()` take no socket argument.
//! * Caller storage ([`AncillaryData::with_storage`]) is offered next to the RFC's heap
//!   storage; it may be at any address, and adding to a full one is an error value
//!   (`try_add_*`), or a remembered error that the next send returns, never a panic or a
//!   silent drop. [`ControlMessagesBuf`] therefore has a lifetime, `'static` for heap
//!   storage.
//! * Received descriptors are owned by the [`ControlMessagesBuf`] they arrived in, so
//!   moving or swapping the buffer moves their ownership, and nothing can close a
//!   descriptor it does not own.
//! * [`AncillaryData::take_exact_fds`] answers the RFC's "error if not enough FDs
//!   returned"; [`AncillaryData::drain_fds`] takes them without allocating.
//! * [`AncillaryData::start_sendmsg`] returns shared bytes and can fail (overflowed fixed
//!   storage); there is no `finish_sendmsg`, as a send changes nothing.
//! * [`ControlMessage::data`] returns `&'a [u8]`, bytes that outlive the handle.
//! * `new_vectored` takes `&'a [IoSlice<'b>]` / `&'a mut [IoSliceMut<'b>]`.
//! * [`ControlMessages::len`] counts bytes, like [`ControlMessages::as_bytes`].

#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

mod addr;
mod ancillary;
mod buf;
mod builder;
mod error;
mod fds;
mod message;
mod messages;
mod options;
pub mod os;
mod payload;
mod size;
mod socket;
mod storage;
mod sys;
#[cfg(feature = "socket2")]
pub mod socket2;
#[cfg(feature = "tokio")]
pub mod tokio;

pub use crate::addr::SocketAddress;
pub use crate::ancillary::AncillaryData;
pub use crate::buf::ControlMessagesBuf;
pub use crate::builder::{MessageReceiver, MessageSender};
pub use crate::error::CapacityError;
pub use crate::fds::OwnedFds;
pub use crate::message::ControlMessage;
pub use crate::messages::{ControlMessages, ControlMessagesIter};
pub use crate::options::{RecvOptions, RecvResult, SendOptions};
pub use crate::payload::{ControlMessagePayload, OfType, PayloadError, PayloadLayout};
pub use crate::size::{cmsg_align, cmsg_len, cmsg_space, HEADER_LEN};
pub use crate::socket::{RecvMessage, RecvMessageFrom, SendMessage, SendMessageTo};
pub use crate::sys::{recv_message, recv_message_from, send_message, send_message_to};

/// Implementation details used by `#[derive(ControlMessage)]`. Not public API: no
/// stability guarantees.
#[doc(hidden)]
pub mod __private {
    pub use crate::payload::{payload_bytes, read_payload, ref_payload, to_message};
    pub use core;
    pub use libc::c_int;
    pub use zerocopy;
}
