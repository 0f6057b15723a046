//! Async send and receive with control messages on tokio's sockets (feature `tokio`).
//!
//! [`AsyncSendMessage`], [`AsyncSendMessageTo`], [`AsyncRecvMessage`] and
//! [`AsyncRecvMessageFrom`] are the async counterparts of [`SendMessage`](crate::SendMessage)
//! and friends, implemented for [`tokio::net::UnixStream`], [`UnixDatagram`],
//! [`TcpStream`], [`UdpSocket`], and for [`AsyncFd<T>`](AsyncFd) over any socket `T` (such
//! as a `SOCK_SEQPACKET` `socket2::Socket`). The halves of a `UnixStream` (from
//! [`split`](UnixStream::split) and [`into_split`](UnixStream::into_split)) have the
//! receiving traits on the read half and the sending ones on the write half. The builders
//! [`MessageSender`] and [`MessageReceiver`] get `send_async`, `send_to_async`,
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
//! instead of waiting).
//!
//! # Cancellation safety
//!
//! Every future here is cancel safe. The system call runs inside one `poll` of the future,
//! and a successful call completes the future in that same `poll`. So a future dropped
//! before it completed (by `tokio::time::timeout`, a losing `select!` branch, an aborted
//! task) has either not called `recvmsg` at all or only seen `WouldBlock`: no data was
//! consumed and no descriptor was installed, and the message is still queued for the next
//! receive. A receive that completed has put every received descriptor into the
//! [`AncillaryData`], which owns it as after a blocking receive. The one visible effect of
//! a cancelled receive is that `ancillary_data` may have been cleared (each attempt starts
//! by clearing it, closing descriptors received earlier and not taken). The same holds for
//! sends: a dropped send future sent nothing.
//!
//! # `Send` futures
//!
//! The futures are `Send` whenever the socket is `Sync` (all of tokio's are), so they can
//! be awaited in `tokio::spawn`ed tasks.

use core::future::Future;
use core::task::{Context, Poll};
use std::io::{self, IoSlice, IoSliceMut};
use std::os::fd::{AsFd, AsRawFd};

use ::tokio::io::unix::AsyncFd;
use ::tokio::io::Interest;
use ::tokio::net::unix as split;
use ::tokio::net::{TcpStream, UdpSocket, UnixDatagram, UnixStream};

use crate::ancillary_data::AncillaryData;
use crate::builder::{MessageReceiver, MessageSender};
use crate::options::{RecvOptions, RecvResult, SendOptions};
use crate::socket;

/// Async sockets that can send data with control messages (`sendmsg` without an address).
///
/// The async form of [`SendMessage`](crate::SendMessage). Implemented for tokio's
/// [`UnixStream`] (and its write halves), [`UnixDatagram`], [`TcpStream`] and
/// [`UdpSocket`], and for [`AsyncFd<T>`] over any socket. Usually called through
/// [`MessageSender::send_async`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use std::io::IoSlice;
/// use std::os::fd::AsFd;
/// use ancillary::tokio::AsyncSendMessage;
/// use ancillary::{AncillaryData, SendOptions};
///
/// let (left, right) = tokio::net::UnixDatagram::pair()?;
/// let mut ancillary = AncillaryData::new();
/// ancillary.add_file_descriptors(&[right.as_fd()]);
/// let sent = left
///     .send_message(&[IoSlice::new(b"hello")], &mut ancillary, SendOptions::new())
///     .await?;
/// assert_eq!(sent, 5);
/// # Ok(())
/// # }
/// ```
pub trait AsyncSendMessage {
    /// Waits until the socket is writable, then sends the data in `bufs` with the control
    /// messages in `ancillary_data`, returning the number of data bytes sent.
    ///
    /// Cancel safe: a dropped future sent nothing.
    ///
    /// # Errors
    /// As [`SendMessage::send_message`](crate::SendMessage::send_message), other than
    /// `WouldBlock`.
    fn send_message(
        &self,
        bufs: &[IoSlice<'_>],
        ancillary_data: &mut AncillaryData<'_>,
        options: SendOptions,
    ) -> impl Future<Output = io::Result<usize>> + Send;
}

/// Async sockets that can send data with control messages to an address.
///
/// The async form of [`SendMessageTo`](crate::SendMessageTo), implemented for tokio's
/// [`UnixDatagram`] (with std's [`SocketAddr`](std::os::unix::net::SocketAddr)) and
/// [`UdpSocket`] (with [`std::net::SocketAddr`]). Usually called through
/// [`MessageSender::send_to_async`].
pub trait AsyncSendMessageTo {
    /// The address type of the socket.
    type SocketAddr;

    /// Waits until the socket is writable, then sends `bufs` and the control messages in
    /// `ancillary_data` to `addr`.
    ///
    /// Cancel safe: a dropped future sent nothing.
    ///
    /// # Errors
    /// As [`SendMessageTo::send_message_to`](crate::SendMessageTo::send_message_to), other
    /// than `WouldBlock`.
    fn send_message_to(
        &self,
        addr: &Self::SocketAddr,
        bufs: &[IoSlice<'_>],
        ancillary_data: &mut AncillaryData<'_>,
        options: SendOptions,
    ) -> impl Future<Output = io::Result<usize>> + Send;
}

/// Async sockets that can receive data with control messages (`recvmsg`).
///
/// The async form of [`RecvMessage`](crate::RecvMessage), implemented for the same types
/// as [`AsyncSendMessage`] (with a `UnixStream`'s read halves instead of its write halves).
/// Usually called through [`MessageReceiver::recv_async`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use std::io::IoSliceMut;
/// use ancillary::tokio::AsyncRecvMessage;
/// use ancillary::{AncillaryData, RecvOptions};
///
/// let (left, right) = tokio::net::UnixDatagram::pair()?;
/// left.send(b"ping").await?;
///
/// let mut buf = [0; 16];
/// let mut ancillary = AncillaryData::with_capacity(AncillaryData::space_for_fds(4));
/// let (n, result) = right
///     .recv_message(&mut [IoSliceMut::new(&mut buf)], &mut ancillary, RecvOptions::new())
///     .await?;
/// assert_eq!(&buf[..n], b"ping");
/// assert!(!result.control_data_truncated());
/// # Ok(())
/// # }
/// ```
pub trait AsyncRecvMessage {
    /// Waits until the socket is readable, then receives data into `bufs` and control
    /// messages into `ancillary_data` (clearing it first), returning the number of data
    /// bytes and the result flags.
    ///
    /// Cancel safe: a dropped future received nothing, and the message stays queued (see
    /// the [module documentation](self#cancellation-safety)).
    ///
    /// # Errors
    /// As [`RecvMessage::recv_message`](crate::RecvMessage::recv_message), other than
    /// `WouldBlock`.
    fn recv_message(
        &self,
        bufs: &mut [IoSliceMut<'_>],
        ancillary_data: &mut AncillaryData<'_>,
        options: RecvOptions,
    ) -> impl Future<Output = io::Result<(usize, RecvResult)>> + Send;
}

/// Async sockets that can receive data with control messages and the sender's address.
///
/// The async form of [`RecvMessageFrom`](crate::RecvMessageFrom), implemented for the same
/// types as [`AsyncSendMessageTo`]. Usually called through
/// [`MessageReceiver::recv_from_async`].
pub trait AsyncRecvMessageFrom {
    /// The address type of the socket.
    type SocketAddr;

    /// As [`AsyncRecvMessage::recv_message`], also returning the sender's address.
    ///
    /// Cancel safe, like [`AsyncRecvMessage::recv_message`].
    ///
    /// # Errors
    /// As [`RecvMessageFrom::recv_message_from`](crate::RecvMessageFrom::recv_message_from),
    /// other than `WouldBlock`.
    fn recv_message_from(
        &self,
        bufs: &mut [IoSliceMut<'_>],
        ancillary_data: &mut AncillaryData<'_>,
        options: RecvOptions,
    ) -> impl Future<Output = io::Result<(usize, RecvResult, Self::SocketAddr)>> + Send;
}

/// The async traits on each socket; `send:`/`recv:` implement one direction on a type
/// through the tokio socket that the function `$io` gives for it (a half, its stream).
macro_rules! impl_async_send_recv {
    ($($socket:ty),*) => {$(
        impl_async_send_recv!(send: $socket, via core::convert::identity);
        impl_async_send_recv!(recv: $socket, via core::convert::identity);
    )*};
    (send: $socket:ty, via $io:path) => {
        impl AsyncSendMessage for $socket {
            async fn send_message(
                &self,
                bufs: &[IoSlice<'_>],
                ancillary_data: &mut AncillaryData<'_>,
                options: SendOptions,
            ) -> io::Result<usize> {
                let io = $io(self);
                io.async_io(Interest::WRITABLE, || {
                    socket::send_message(io.as_fd(), bufs, ancillary_data, options)
                })
                .await
            }
        }
    };
    (recv: $socket:ty, via $io:path) => {
        impl AsyncRecvMessage for $socket {
            async fn recv_message(
                &self,
                bufs: &mut [IoSliceMut<'_>],
                ancillary_data: &mut AncillaryData<'_>,
                options: RecvOptions,
            ) -> io::Result<(usize, RecvResult)> {
                let io = $io(self);
                io.async_io(Interest::READABLE, || {
                    socket::recv_message(io.as_fd(), bufs, ancillary_data, options)
                })
                .await
            }
        }
    };
}

macro_rules! impl_async_to_from {
    ($($socket:ty => $addr:ty),*) => {$(
        impl AsyncSendMessageTo for $socket {
            type SocketAddr = $addr;

            async fn send_message_to(
                &self,
                addr: &$addr,
                bufs: &[IoSlice<'_>],
                ancillary_data: &mut AncillaryData<'_>,
                options: SendOptions,
            ) -> io::Result<usize> {
                self.async_io(Interest::WRITABLE, || {
                    socket::send_message_to(self.as_fd(), addr, bufs, ancillary_data, options)
                })
                .await
            }
        }

        impl AsyncRecvMessageFrom for $socket {
            type SocketAddr = $addr;

            async fn recv_message_from(
                &self,
                bufs: &mut [IoSliceMut<'_>],
                ancillary_data: &mut AncillaryData<'_>,
                options: RecvOptions,
            ) -> io::Result<(usize, RecvResult, $addr)> {
                self.async_io(Interest::READABLE, || {
                    socket::recv_message_from(self.as_fd(), bufs, ancillary_data, options)
                })
                .await
            }
        }
    )*};
}

impl_async_send_recv!(UnixStream, UnixDatagram, TcpStream, UdpSocket);
impl_async_to_from!(
    UnixDatagram => std::os::unix::net::SocketAddr,
    UdpSocket => std::net::SocketAddr
);

/// Any socket registered with tokio (`AsyncFd::register(socket)`), such as a non-blocking
/// `SOCK_SEQPACKET` or raw `socket2::Socket`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use std::os::unix::net::UnixDatagram;
/// use tokio::io::unix::AsyncFd;
/// use ancillary::{AncillaryData, MessageReceiver, MessageSender};
///
/// let (left, right) = UnixDatagram::pair()?;
/// right.set_nonblocking(true)?;
/// // SAFETY: `right` owns its descriptor, returns it from every `as_raw_fd`, and keeps it
/// // open until the `AsyncFd` drops it.
/// let right = unsafe { AsyncFd::register(right) }?;
///
/// let receive = async {
///     let mut received = AncillaryData::with_capacity(AncillaryData::space_for_fds(1));
///     let mut buf = [0; 8];
///     let (n, _) = MessageReceiver::new(&right, &mut buf)
///         .ancillary_data(&mut received)
///         .recv_async()
///         .await?;
///     std::io::Result::Ok(buf[..n].to_vec())
/// };
/// left.send(b"seq")?;
/// assert_eq!(receive.await?, b"seq");
/// # Ok(())
/// # }
/// ```
impl<T: AsFd + AsRawFd + Sync> AsyncSendMessage for AsyncFd<T> {
    async fn send_message(
        &self,
        bufs: &[IoSlice<'_>],
        ancillary_data: &mut AncillaryData<'_>,
        options: SendOptions,
    ) -> io::Result<usize> {
        self.async_io(Interest::WRITABLE, |socket| {
            socket::send_message(socket.as_fd(), bufs, ancillary_data, options)
        })
        .await
    }
}

/// Any socket registered with tokio, as for [`AsyncSendMessage`].
impl<T: AsFd + AsRawFd + Sync> AsyncRecvMessage for AsyncFd<T> {
    async fn recv_message(
        &self,
        bufs: &mut [IoSliceMut<'_>],
        ancillary_data: &mut AncillaryData<'_>,
        options: RecvOptions,
    ) -> io::Result<(usize, RecvResult)> {
        self.async_io(Interest::READABLE, |socket| {
            socket::recv_message(socket.as_fd(), bufs, ancillary_data, options)
        })
        .await
    }
}

/// Any socket with a [`SendMessageTo`](crate::SendMessageTo) implementation (such as a
/// `socket2::Socket` with the `socket2` feature), registered with tokio.
impl<T> AsyncSendMessageTo for AsyncFd<T>
where
    T: AsRawFd + Sync + crate::SendMessageTo,
    T::SocketAddr: Sync,
{
    type SocketAddr = T::SocketAddr;

    async fn send_message_to(
        &self,
        addr: &T::SocketAddr,
        bufs: &[IoSlice<'_>],
        ancillary_data: &mut AncillaryData<'_>,
        options: SendOptions,
    ) -> io::Result<usize> {
        self.async_io(Interest::WRITABLE, |socket| {
            socket.send_message_to(addr, bufs, ancillary_data, options)
        })
        .await
    }
}

/// Any socket with a [`RecvMessageFrom`](crate::RecvMessageFrom) implementation, registered
/// with tokio.
impl<T> AsyncRecvMessageFrom for AsyncFd<T>
where
    T: AsRawFd + Sync + crate::RecvMessageFrom,
    T::SocketAddr: Send,
{
    type SocketAddr = T::SocketAddr;

    async fn recv_message_from(
        &self,
        bufs: &mut [IoSliceMut<'_>],
        ancillary_data: &mut AncillaryData<'_>,
        options: RecvOptions,
    ) -> io::Result<(usize, RecvResult, T::SocketAddr)> {
        self.async_io(Interest::READABLE, |socket| {
            socket.recv_message_from(bufs, ancillary_data, options)
        })
        .await
    }
}

// ----- poll and try forms -------------------------------------------------------------

/// Poll-based and non-waiting sends, for code that implements `Future`, `Sink` or a codec
/// by hand instead of awaiting ([`AsyncSendMessage`] is the `async` form).
///
/// `poll_send_message` registers the task's waker when the socket is not writable and
/// returns `Poll::Pending`; it sends nothing until it returns `Poll::Ready`.
/// `try_send_message` never waits; on tokio's socket types it follows tokio's `try_io`, as
/// tokio's own `try_send` does (see [`try_send_message`](Self::try_send_message)).
/// Implemented for tokio's [`UnixStream`] (and its write halves), [`UnixDatagram`],
/// [`TcpStream`], [`UdpSocket`] and for [`AsyncFd<T>`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use std::io::IoSlice;
/// use ancillary::tokio::PollSendMessage;
/// use ancillary::{AncillaryData, SendOptions};
///
/// let (left, _right) = tokio::net::UnixDatagram::pair()?;
/// let mut ancillary = AncillaryData::new();
/// let sent = std::future::poll_fn(|cx| {
///     left.poll_send_message(cx, &[IoSlice::new(b"hi")], &mut ancillary, SendOptions::new())
/// })
/// .await?;
/// assert_eq!(sent, 2);
/// # Ok(())
/// # }
/// ```
pub trait PollSendMessage {
    /// Sends the data in `bufs` with the control messages in `ancillary_data` if the socket
    /// is writable, else registers `cx`'s waker and returns `Poll::Pending`.
    ///
    /// # Errors
    /// As [`SendMessage::send_message`](crate::SendMessage::send_message), other than
    /// `WouldBlock`.
    fn poll_send_message(
        &self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
        ancillary_data: &mut AncillaryData<'_>,
        options: SendOptions,
    ) -> Poll<io::Result<usize>>;

    /// Sends without waiting, or fails with `WouldBlock`.
    ///
    /// On tokio's socket types this is tokio's `try_io`, the rule of tokio's own
    /// `try_send`: the system call is made only once tokio's reactor has seen the socket
    /// writable, so a socket that has not been polled or awaited since it was registered
    /// fails with `WouldBlock` without trying, even if it could send; after `writable()`
    /// (or a `Pending` poll) it tries. A `WouldBlock` from the system call clears the
    /// readiness, so that the next poll waits. On an [`AsyncFd`] the system call is always
    /// made, and the `AsyncFd` learns of a `WouldBlock` on its next poll.
    ///
    /// # Errors
    /// As [`SendMessage::send_message`](crate::SendMessage::send_message).
    fn try_send_message(
        &self,
        bufs: &[IoSlice<'_>],
        ancillary_data: &mut AncillaryData<'_>,
        options: SendOptions,
    ) -> io::Result<usize>;
}

/// Poll-based and non-waiting receives, for hand-written futures and streams
/// ([`AsyncRecvMessage`] is the `async` form).
///
/// `poll_recv_message` receives nothing until it returns `Poll::Ready`. A `Pending` poll
/// either made no system call, leaving `ancillary_data` as it was, or made one that failed
/// with `WouldBlock`, which (as every receive attempt does) first cleared `ancillary_data`,
/// closing the descriptors of an earlier receive that were not taken. Take what you need
/// from `ancillary_data` before polling again.
///
/// A `Stream` of received messages, each with the descriptors it brought:
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use std::io::IoSliceMut;
/// use std::os::fd::OwnedFd;
/// use std::task::{Context, Poll};
/// use ancillary::tokio::PollRecvMessage;
/// use ancillary::{AncillaryData, MessageSender, RecvOptions};
///
/// /// Yields each datagram's descriptors.
/// struct Descriptors {
///     socket: tokio::net::UnixDatagram,
///     ancillary: AncillaryData<'static>,
/// }
///
/// impl Descriptors {
///     fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<std::io::Result<Vec<OwnedFd>>> {
///         let mut byte = [0; 1];
///         let bufs = &mut [IoSliceMut::new(&mut byte)];
///         let result =
///             self.socket.poll_recv_message(cx, bufs, &mut self.ancillary, RecvOptions::new());
///         result.map_ok(|_| self.ancillary.drain_fds().collect())
///     }
/// }
///
/// let (left, right) = tokio::net::UnixDatagram::pair()?;
/// let mut stream = Descriptors {
///     socket: right,
///     ancillary: AncillaryData::with_capacity(AncillaryData::space_for_fds(2)),
/// };
/// let mut out = AncillaryData::new();
/// out.add_file_descriptors(&[std::os::fd::AsFd::as_fd(&left)]);
/// MessageSender::new(&left, b"!").ancillary_data(&mut out).send_async().await?;
/// let fds = std::future::poll_fn(|cx| stream.poll_next(cx)).await?;
/// assert_eq!(fds.len(), 1);
/// # Ok(())
/// # }
/// ```
pub trait PollRecvMessage {
    /// Receives into `bufs` and `ancillary_data` if the socket is readable, else registers
    /// `cx`'s waker and returns `Poll::Pending`.
    ///
    /// # Errors
    /// As [`RecvMessage::recv_message`](crate::RecvMessage::recv_message), other than
    /// `WouldBlock`.
    fn poll_recv_message(
        &self,
        cx: &mut Context<'_>,
        bufs: &mut [IoSliceMut<'_>],
        ancillary_data: &mut AncillaryData<'_>,
        options: RecvOptions,
    ) -> Poll<io::Result<(usize, RecvResult)>>;

    /// Receives without waiting, or fails with `WouldBlock`.
    ///
    /// On tokio's socket types this is tokio's `try_io`, the rule of tokio's own
    /// `try_recv`: the system call is made only once tokio's reactor has seen the socket
    /// readable, so a socket that has not been polled or awaited since it was registered
    /// fails with `WouldBlock` without trying, even with a message queued; after
    /// `readable()` (or a `Pending` poll) it tries. A `WouldBlock` from the system call
    /// clears the readiness, so that the next poll waits. On an [`AsyncFd`] the system call
    /// is always made, and the `AsyncFd` learns of a `WouldBlock` on its next poll. An
    /// attempt clears `ancillary_data` first, as every receive does.
    ///
    /// # Errors
    /// As [`RecvMessage::recv_message`](crate::RecvMessage::recv_message).
    fn try_recv_message(
        &self,
        bufs: &mut [IoSliceMut<'_>],
        ancillary_data: &mut AncillaryData<'_>,
        options: RecvOptions,
    ) -> io::Result<(usize, RecvResult)>;
}

/// The poll and try forms of sending to an address, as [`PollSendMessage`]; implemented
/// for tokio's [`UnixDatagram`] and [`UdpSocket`].
pub trait PollSendMessageTo {
    /// The address type of the socket.
    type SocketAddr;

    /// As [`PollSendMessage::poll_send_message`], to `addr`.
    ///
    /// # Errors
    /// As [`SendMessageTo::send_message_to`](crate::SendMessageTo::send_message_to), other
    /// than `WouldBlock`.
    fn poll_send_message_to(
        &self,
        cx: &mut Context<'_>,
        addr: &Self::SocketAddr,
        bufs: &[IoSlice<'_>],
        ancillary_data: &mut AncillaryData<'_>,
        options: SendOptions,
    ) -> Poll<io::Result<usize>>;

    /// As [`PollSendMessage::try_send_message`], to `addr`.
    ///
    /// # Errors
    /// As [`SendMessageTo::send_message_to`](crate::SendMessageTo::send_message_to).
    fn try_send_message_to(
        &self,
        addr: &Self::SocketAddr,
        bufs: &[IoSlice<'_>],
        ancillary_data: &mut AncillaryData<'_>,
        options: SendOptions,
    ) -> io::Result<usize>;
}

/// The poll and try forms of receiving with the sender's address, as
/// [`PollRecvMessage`]; implemented for tokio's [`UnixDatagram`] and [`UdpSocket`].
pub trait PollRecvMessageFrom {
    /// The address type of the socket.
    type SocketAddr;

    /// As [`PollRecvMessage::poll_recv_message`], also returning the sender's address.
    ///
    /// # Errors
    /// As [`RecvMessageFrom::recv_message_from`](crate::RecvMessageFrom::recv_message_from),
    /// other than `WouldBlock`.
    #[allow(
        clippy::type_complexity,
        reason = "the blocking form's result, in a Poll"
    )]
    fn poll_recv_message_from(
        &self,
        cx: &mut Context<'_>,
        bufs: &mut [IoSliceMut<'_>],
        ancillary_data: &mut AncillaryData<'_>,
        options: RecvOptions,
    ) -> Poll<io::Result<(usize, RecvResult, Self::SocketAddr)>>;

    /// As [`PollRecvMessage::try_recv_message`], also returning the sender's address.
    ///
    /// # Errors
    /// As [`RecvMessageFrom::recv_message_from`](crate::RecvMessageFrom::recv_message_from).
    fn try_recv_message_from(
        &self,
        bufs: &mut [IoSliceMut<'_>],
        ancillary_data: &mut AncillaryData<'_>,
        options: RecvOptions,
    ) -> io::Result<(usize, RecvResult, Self::SocketAddr)>;
}

/// Polls `$socket`'s readiness with `$ready`, then runs `$call` through `try_io` (which
/// clears the readiness on `WouldBlock`), until the call does not block.
macro_rules! poll_io {
    ($socket:expr, $cx:expr, $ready:ident, $interest:expr, $call:expr) => {
        loop {
            ::core::task::ready!($socket.$ready($cx))?;
            match $socket.try_io($interest, || $call) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                result => return Poll::Ready(result),
            }
        }
    };
}

/// The poll and try forms on each socket, as `impl_async_send_recv` does the async ones.
macro_rules! impl_poll_send_recv {
    ($($socket:ty: $write_ready:ident, $read_ready:ident);*) => {$(
        impl_poll_send_recv!(send: $socket, $write_ready, via core::convert::identity);
        impl_poll_send_recv!(recv: $socket, $read_ready, via core::convert::identity);
    )*};
    (send: $socket:ty, $ready:ident, via $io:path) => {
        impl PollSendMessage for $socket {
            fn poll_send_message(
                &self,
                cx: &mut Context<'_>,
                bufs: &[IoSlice<'_>],
                ancillary_data: &mut AncillaryData<'_>,
                options: SendOptions,
            ) -> Poll<io::Result<usize>> {
                let io = $io(self);
                poll_io!(io, cx, $ready, Interest::WRITABLE,
                    socket::send_message(io.as_fd(), bufs, ancillary_data, options))
            }

            fn try_send_message(
                &self,
                bufs: &[IoSlice<'_>],
                ancillary_data: &mut AncillaryData<'_>,
                options: SendOptions,
            ) -> io::Result<usize> {
                let io = $io(self);
                io.try_io(Interest::WRITABLE, || {
                    socket::send_message(io.as_fd(), bufs, ancillary_data, options)
                })
            }
        }
    };
    (recv: $socket:ty, $ready:ident, via $io:path) => {
        impl PollRecvMessage for $socket {
            fn poll_recv_message(
                &self,
                cx: &mut Context<'_>,
                bufs: &mut [IoSliceMut<'_>],
                ancillary_data: &mut AncillaryData<'_>,
                options: RecvOptions,
            ) -> Poll<io::Result<(usize, RecvResult)>> {
                let io = $io(self);
                poll_io!(io, cx, $ready, Interest::READABLE,
                    socket::recv_message(io.as_fd(), bufs, ancillary_data, options))
            }

            fn try_recv_message(
                &self,
                bufs: &mut [IoSliceMut<'_>],
                ancillary_data: &mut AncillaryData<'_>,
                options: RecvOptions,
            ) -> io::Result<(usize, RecvResult)> {
                let io = $io(self);
                io.try_io(Interest::READABLE, || {
                    socket::recv_message(io.as_fd(), bufs, ancillary_data, options)
                })
            }
        }
    };
}

macro_rules! impl_poll_to_from {
    ($($socket:ty => $addr:ty),*) => {$(
        impl PollSendMessageTo for $socket {
            type SocketAddr = $addr;

            fn poll_send_message_to(
                &self,
                cx: &mut Context<'_>,
                addr: &$addr,
                bufs: &[IoSlice<'_>],
                ancillary_data: &mut AncillaryData<'_>,
                options: SendOptions,
            ) -> Poll<io::Result<usize>> {
                poll_io!(self, cx, poll_send_ready, Interest::WRITABLE,
                    socket::send_message_to(self.as_fd(), addr, bufs, ancillary_data, options))
            }

            fn try_send_message_to(
                &self,
                addr: &$addr,
                bufs: &[IoSlice<'_>],
                ancillary_data: &mut AncillaryData<'_>,
                options: SendOptions,
            ) -> io::Result<usize> {
                self.try_io(Interest::WRITABLE, || {
                    socket::send_message_to(self.as_fd(), addr, bufs, ancillary_data, options)
                })
            }
        }

        impl PollRecvMessageFrom for $socket {
            type SocketAddr = $addr;

            fn poll_recv_message_from(
                &self,
                cx: &mut Context<'_>,
                bufs: &mut [IoSliceMut<'_>],
                ancillary_data: &mut AncillaryData<'_>,
                options: RecvOptions,
            ) -> Poll<io::Result<(usize, RecvResult, $addr)>> {
                poll_io!(self, cx, poll_recv_ready, Interest::READABLE,
                    socket::recv_message_from(self.as_fd(), bufs, ancillary_data, options))
            }

            fn try_recv_message_from(
                &self,
                bufs: &mut [IoSliceMut<'_>],
                ancillary_data: &mut AncillaryData<'_>,
                options: RecvOptions,
            ) -> io::Result<(usize, RecvResult, $addr)> {
                self.try_io(Interest::READABLE, || {
                    socket::recv_message_from(self.as_fd(), bufs, ancillary_data, options)
                })
            }
        }
    )*};
}

impl_poll_send_recv!(
    UnixStream: poll_write_ready, poll_read_ready;
    TcpStream: poll_write_ready, poll_read_ready;
    UnixDatagram: poll_send_ready, poll_recv_ready;
    UdpSocket: poll_send_ready, poll_recv_ready
);
impl_poll_to_from!(
    UnixDatagram => std::os::unix::net::SocketAddr,
    UdpSocket => std::net::SocketAddr
);
/// The stream that a half of it (from `split` or `into_split`) reads or writes through.
fn stream_of<H: AsRef<UnixStream>>(half: &H) -> &UnixStream {
    half.as_ref()
}

// tokio's halves of a `UnixStream`: the read half receives and the write half sends,
// through the stream's own readiness, as the stream does.
impl_async_send_recv!(recv: split::ReadHalf<'_>, via stream_of);
impl_async_send_recv!(recv: split::OwnedReadHalf, via stream_of);
impl_async_send_recv!(send: split::WriteHalf<'_>, via stream_of);
impl_async_send_recv!(send: split::OwnedWriteHalf, via stream_of);
impl_poll_send_recv!(recv: split::ReadHalf<'_>, poll_read_ready, via stream_of);
impl_poll_send_recv!(recv: split::OwnedReadHalf, poll_read_ready, via stream_of);
impl_poll_send_recv!(send: split::WriteHalf<'_>, poll_write_ready, via stream_of);
impl_poll_send_recv!(send: split::OwnedWriteHalf, poll_write_ready, via stream_of);

/// Any socket registered with tokio, as for [`AsyncSendMessage`].
impl<T: AsFd + AsRawFd> PollSendMessage for AsyncFd<T> {
    fn poll_send_message(
        &self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
        ancillary_data: &mut AncillaryData<'_>,
        options: SendOptions,
    ) -> Poll<io::Result<usize>> {
        loop {
            let mut guard = ::core::task::ready!(self.poll_write_ready(cx))?;
            let sent = guard
                .try_io(|inner| socket::send_message(inner.as_fd(), bufs, ancillary_data, options));
            if let Ok(result) = sent {
                return Poll::Ready(result);
            }
        }
    }

    fn try_send_message(
        &self,
        bufs: &[IoSlice<'_>],
        ancillary_data: &mut AncillaryData<'_>,
        options: SendOptions,
    ) -> io::Result<usize> {
        socket::send_message(self.as_fd(), bufs, ancillary_data, options)
    }
}

/// Any socket registered with tokio, as for [`AsyncSendMessage`].
impl<T: AsFd + AsRawFd> PollRecvMessage for AsyncFd<T> {
    fn poll_recv_message(
        &self,
        cx: &mut Context<'_>,
        bufs: &mut [IoSliceMut<'_>],
        ancillary_data: &mut AncillaryData<'_>,
        options: RecvOptions,
    ) -> Poll<io::Result<(usize, RecvResult)>> {
        loop {
            let mut guard = ::core::task::ready!(self.poll_read_ready(cx))?;
            let received = guard
                .try_io(|inner| socket::recv_message(inner.as_fd(), bufs, ancillary_data, options));
            if let Ok(result) = received {
                return Poll::Ready(result);
            }
        }
    }

    fn try_recv_message(
        &self,
        bufs: &mut [IoSliceMut<'_>],
        ancillary_data: &mut AncillaryData<'_>,
        options: RecvOptions,
    ) -> io::Result<(usize, RecvResult)> {
        socket::recv_message(self.as_fd(), bufs, ancillary_data, options)
    }
}

impl<S: AsyncSendMessage + ?Sized> MessageSender<'_, '_, S> {
    /// Sends the message from async code: the async form of
    /// [`send`](MessageSender::send) (feature `tokio`). Cancel safe.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use std::os::fd::AsFd;
    /// use ancillary::{AncillaryData, MessageSender, SendOptions};
    ///
    /// let (left, _right) = tokio::net::UnixStream::pair()?;
    /// let file = std::fs::File::open("Cargo.toml")?;
    /// let mut ancillary = AncillaryData::new();
    /// ancillary.add_file_descriptors(&[file.as_fd()]);
    /// let sent = MessageSender::new(&left, b"hello")
    ///     .ancillary_data(&mut ancillary)
    ///     .options(*SendOptions::new().no_signal(true))
    ///     .send_async()
    ///     .await?;
    /// assert_eq!(sent, 5);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`AsyncSendMessage::send_message`].
    pub async fn send_async(&mut self) -> io::Result<usize> {
        let mut none = AncillaryData::new();
        let ancillary_data = match &mut self.ancillary_data {
            Some(data) => &mut **data,
            None => &mut none,
        };
        self.socket
            .send_message(self.bufs.as_slice(), ancillary_data, self.options)
            .await
    }
}

impl<S: AsyncSendMessageTo + ?Sized> MessageSender<'_, '_, S> {
    /// Sends the message to `addr` from async code: the async form of
    /// [`send_to`](MessageSender::send_to) (feature `tokio`). Cancel safe.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use ancillary::{MessageReceiver, MessageSender};
    ///
    /// let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// let addr = socket.local_addr()?;
    /// MessageSender::new(&socket, b"to myself").send_to_async(&addr).await?;
    ///
    /// let mut buf = [0; 16];
    /// let (n, _, from) = MessageReceiver::new(&socket, &mut buf).recv_from_async().await?;
    /// assert_eq!((&buf[..n], from), (&b"to myself"[..], addr));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`AsyncSendMessageTo::send_message_to`].
    pub async fn send_to_async(&mut self, addr: &S::SocketAddr) -> io::Result<usize> {
        let mut none = AncillaryData::new();
        let ancillary_data = match &mut self.ancillary_data {
            Some(data) => &mut **data,
            None => &mut none,
        };
        self.socket
            .send_message_to(addr, self.bufs.as_slice(), ancillary_data, self.options)
            .await
    }
}

impl<S: AsyncRecvMessage + ?Sized> MessageReceiver<'_, '_, S> {
    /// Receives one message from async code: the async form of
    /// [`recv`](MessageReceiver::recv) (feature `tokio`). Cancel safe: see the
    /// [module documentation](crate::tokio#cancellation-safety).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use std::time::Duration;
    /// use ancillary::{AncillaryData, MessageReceiver};
    ///
    /// let (left, right) = tokio::net::UnixDatagram::pair()?;
    /// let mut ancillary = AncillaryData::with_capacity(AncillaryData::space_for_fds(1));
    /// let mut buf = [0; 8];
    ///
    /// // Nothing to receive yet: the timeout drops the pending receive, losing nothing.
    /// let mut receiver = MessageReceiver::new(&right, &mut buf);
    /// receiver.ancillary_data(&mut ancillary);
    /// let pending = tokio::time::timeout(Duration::from_millis(10), receiver.recv_async());
    /// assert!(pending.await.is_err());
    ///
    /// left.send(b"late").await?;
    /// let (n, _) = receiver.recv_async().await?;
    /// assert_eq!(n, 4);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`AsyncRecvMessage::recv_message`].
    pub async fn recv_async(&mut self) -> io::Result<(usize, RecvResult)> {
        let mut none = AncillaryData::new();
        let ancillary_data = match &mut self.ancillary_data {
            Some(data) => &mut **data,
            None => &mut none,
        };
        self.socket
            .recv_message(self.bufs.as_mut_slice(), ancillary_data, self.options)
            .await
    }
}

impl<S: AsyncRecvMessageFrom + ?Sized> MessageReceiver<'_, '_, S> {
    /// Receives one message and the sender's address from async code: the async form of
    /// [`recv_from`](MessageReceiver::recv_from) (feature `tokio`). Cancel safe.
    ///
    /// # Errors
    /// As [`AsyncRecvMessageFrom::recv_message_from`].
    pub async fn recv_from_async(&mut self) -> io::Result<(usize, RecvResult, S::SocketAddr)> {
        let mut none = AncillaryData::new();
        let ancillary_data = match &mut self.ancillary_data {
            Some(data) => &mut **data,
            None => &mut none,
        };
        self.socket
            .recv_message_from(self.bufs.as_mut_slice(), ancillary_data, self.options)
            .await
    }
}
