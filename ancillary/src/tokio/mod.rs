//! Async send and receive with control messages on tokio's sockets (feature `tokio`).
//!
//! [`AsyncSendMessage`], [`AsyncSendMessageTo`], [`AsyncRecvMessage`] and
//! [`AsyncRecvMessageFrom`] are the async counterparts of [`SendMessage`](crate::SendMessage)
//! and friends, implemented for [`tokio::net::UnixStream`], [`UnixDatagram`](::tokio::net::UnixDatagram),
//! [`TcpStream`](::tokio::net::TcpStream), [`UdpSocket`](::tokio::net::UdpSocket), and for [`AsyncFd<T>`](::tokio::io::unix::AsyncFd) over any socket `T` (such
//! as a `SOCK_SEQPACKET` `socket2::Socket`). The halves of a `UnixStream` (from
//! [`split`](UnixStream::split) and [`into_split`](UnixStream::into_split)) have the
//! receiving traits on the read half and the sending ones on the write half. The builders
//! [`MessageSender`](crate::MessageSender) and [`MessageReceiver`](crate::MessageReceiver) get `send_async`, `send_to_async`,
//! `recv_async` and `recv_from_async`, so async code reads like blocking code with
//! `.await` added:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! use std::os::fd::AsFd;
//! use tokio::net::UnixStream;
//! use ancillary::{AncillaryData, MessageReceiver, MessageSender};
//!
//! let (left, right) = UnixStream::pair()?;
//! let file = std::fs::File::open("Cargo.toml")?;
//!
//! let mut ancillary = AncillaryData::new();
//! ancillary.add_file_descriptors(&[file.as_fd()]);
//! MessageSender::new(&left, b"!").ancillary_data(&mut ancillary).send_async().await?;
//!
//! let mut received = AncillaryData::with_capacity(AncillaryData::space_for_fds(1));
//! MessageReceiver::new(&right, &mut [0; 1])
//!     .ancillary_data(&mut received)
//!     .recv_async()
//!     .await?;
//! let [fd] = received.take_exact_fds()?;
//! assert!(std::fs::File::from(fd).metadata()?.len() > 0);
//! # Ok(())
//! # }
//! ```
//!
//! # How it waits
//!
//! tokio's sockets are non-blocking. Each operation waits for readiness with the socket's
//! `async_io` and then calls [`send_message`](crate::send_message) or
//! [`recv_message`](crate::recv_message) (and the `_to`/`_from` forms) once; a
//! `WouldBlock` clears the readiness and waits again. No blocking system call ever runs on
//! the runtime, and no task or thread is spawned.
//!
//! # Poll and try forms
//!
//! For code that implements `Future`, `Stream`, `Sink` or a codec by hand,
//! [`PollSendMessage`], [`PollRecvMessage`], [`PollSendMessageTo`] and
//! [`PollRecvMessageFrom`] have `poll_*` forms (register the waker and return
//! `Poll::Pending` until the socket is ready) and `try_*` forms (fail with `WouldBlock`
//! instead of waiting). On Linux and Android, `PollSendMmsg` and `PollRecvMmsg` are
//! the same for batches (`sendmmsg`, `recvmmsg`), on a `UdpSocket` or an `AsyncFd`.
//!
//! # Cancellation safety
//!
//! Every future here is cancel safe. The system call runs inside one `poll` of the future,
//! and a successful call completes the future in that same `poll`. So a future dropped
//! before it completed (by `tokio::time::timeout`, a losing `select!` branch, an aborted
//! task) has either not called `recvmsg` at all or only seen `WouldBlock`: no data was
//! consumed and no descriptor was installed, and the message is still queued for the next
//! receive. A receive that completed has put every received descriptor into the
//! [`AncillaryData`](crate::AncillaryData), which owns it as after a blocking receive. The one visible effect of
//! a cancelled receive is that `ancillary_data` may have been cleared (each attempt starts
//! by clearing it, closing descriptors received earlier and not taken). The same holds for
//! sends: a dropped send future sent nothing.
//!
//! # `Send` futures
//!
//! The futures are `Send` whenever the socket is `Sync` (all of tokio's are), so they can
//! be awaited in `tokio::spawn`ed tasks.

use ::tokio::net::UnixStream;

// The async forms wait with `async_io`, the poll forms with `poll_*_ready`, and neither is
// written over the other: a `poll_*_ready` keeps only the waker of its most recent call in
// each direction, so an async form built on it would leave all but one of several tasks
// awaiting the same socket unwoken, and a poll form has nowhere to keep an `async_io`
// future between calls. What each operation does once ready is written once, in
// `socket`'s functions.
mod async_fd;
mod asynchronous;
mod builder;
#[cfg(linux_like)]
#[cfg_attr(docsrs, doc(cfg(any(target_os = "linux", target_os = "android"))))]
mod mmsg;
mod poll;
mod readiness;

pub use asynchronous::{
    AsyncRecvMessage, AsyncRecvMessageFrom, AsyncSendMessage, AsyncSendMessageTo,
};
#[cfg(linux_like)]
#[cfg_attr(docsrs, doc(cfg(any(target_os = "linux", target_os = "android"))))]
pub use mmsg::{PollRecvMmsg, PollSendMmsg};
pub use poll::{PollRecvMessage, PollRecvMessageFrom, PollSendMessage, PollSendMessageTo};

/// The stream that a half of it (from `split` or `into_split`) reads or writes through.
fn stream_of<H: AsRef<UnixStream>>(half: &H) -> &UnixStream {
    half.as_ref()
}
