//! The poll and try traits and their impls on tokio's sockets, a `UnixStream`'s halves and
//! `AsyncFd<T>`: each impl names the call it makes, and [`Readiness`] how it waits.

use core::task::{Context, Poll};
use std::io::{self, IoSlice, IoSliceMut};
use std::os::fd::{AsFd, AsRawFd};

use ::tokio::io::unix::AsyncFd;
use ::tokio::io::Interest;
use ::tokio::net::unix as split;
use ::tokio::net::{TcpStream, UdpSocket, UnixDatagram, UnixStream};

use super::readiness::Readiness;
use crate::ancillary_data::AncillaryData;
use crate::options::{RecvOptions, RecvResult, SendOptions};
use crate::socket;

/// Poll-based and non-waiting sends, for code that implements `Future`, `Sink` or a codec
/// by hand instead of awaiting ([`AsyncSendMessage`](super::AsyncSendMessage) is the `async` form).
///
/// `poll_send_message` registers the task's waker when the socket is not writable and
/// returns `Poll::Pending`; it sends nothing until it returns `Poll::Ready`.
/// `try_send_message` never waits; on tokio's socket types it follows tokio's `try_io`, as
/// tokio's own `try_send` does (see [`try_send_message`](Self::try_send_message)).
/// Implemented for tokio's [`UnixStream`] (and its write halves), [`UnixDatagram`],
/// [`TcpStream`], [`UdpSocket`] and for [`AsyncFd<T>`](::tokio::io::unix::AsyncFd).
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
    /// readiness, so that the next poll waits. On an [`AsyncFd`](::tokio::io::unix::AsyncFd) the system call is always
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
/// ([`AsyncRecvMessage`](super::AsyncRecvMessage) is the `async` form).
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
    /// clears the readiness, so that the next poll waits. On an [`AsyncFd`](::tokio::io::unix::AsyncFd) the system call
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

/// The poll and try forms on each socket with [`Readiness`] rules, as
/// `impl_async_send_recv` does the async ones: the call each form makes, once ready.
/// `[generics]` for `AsyncFd<T>`, and an impl's docs before it.
macro_rules! impl_poll_send_recv {
    (send: $($(#[$doc:meta])* [$($generics:tt)*] $socket:ty),*) => {$(
        $(#[$doc])*
        impl<$($generics)*> PollSendMessage for $socket {
            fn poll_send_message(
                &self,
                cx: &mut Context<'_>,
                bufs: &[IoSlice<'_>],
                ancillary_data: &mut AncillaryData<'_>,
                options: SendOptions,
            ) -> Poll<io::Result<usize>> {
                Readiness::poll_io(self, cx, Interest::WRITABLE, |fd| {
                    socket::send_message(fd, bufs, ancillary_data, options)
                })
            }

            fn try_send_message(
                &self,
                bufs: &[IoSlice<'_>],
                ancillary_data: &mut AncillaryData<'_>,
                options: SendOptions,
            ) -> io::Result<usize> {
                Readiness::try_io(self, Interest::WRITABLE, |fd| {
                    socket::send_message(fd, bufs, ancillary_data, options)
                })
            }
        }
    )*};
    (recv: $($(#[$doc:meta])* [$($generics:tt)*] $socket:ty),*) => {$(
        $(#[$doc])*
        impl<$($generics)*> PollRecvMessage for $socket {
            fn poll_recv_message(
                &self,
                cx: &mut Context<'_>,
                bufs: &mut [IoSliceMut<'_>],
                ancillary_data: &mut AncillaryData<'_>,
                options: RecvOptions,
            ) -> Poll<io::Result<(usize, RecvResult)>> {
                Readiness::poll_io(self, cx, Interest::READABLE, |fd| {
                    socket::recv_message(fd, bufs, ancillary_data, options)
                })
            }

            fn try_recv_message(
                &self,
                bufs: &mut [IoSliceMut<'_>],
                ancillary_data: &mut AncillaryData<'_>,
                options: RecvOptions,
            ) -> io::Result<(usize, RecvResult)> {
                Readiness::try_io(self, Interest::READABLE, |fd| {
                    socket::recv_message(fd, bufs, ancillary_data, options)
                })
            }
        }
    )*};
}

/// The poll and try forms with addresses, on the datagram sockets.
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
                Readiness::poll_io(self, cx, Interest::WRITABLE, |fd| {
                    socket::send_message_to(fd, addr, bufs, ancillary_data, options)
                })
            }

            fn try_send_message_to(
                &self,
                addr: &$addr,
                bufs: &[IoSlice<'_>],
                ancillary_data: &mut AncillaryData<'_>,
                options: SendOptions,
            ) -> io::Result<usize> {
                Readiness::try_io(self, Interest::WRITABLE, |fd| {
                    socket::send_message_to(fd, addr, bufs, ancillary_data, options)
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
                Readiness::poll_io(self, cx, Interest::READABLE, |fd| {
                    socket::recv_message_from(fd, bufs, ancillary_data, options)
                })
            }

            fn try_recv_message_from(
                &self,
                bufs: &mut [IoSliceMut<'_>],
                ancillary_data: &mut AncillaryData<'_>,
                options: RecvOptions,
            ) -> io::Result<(usize, RecvResult, $addr)> {
                Readiness::try_io(self, Interest::READABLE, |fd| {
                    socket::recv_message_from(fd, bufs, ancillary_data, options)
                })
            }
        }
    )*};
}

// A `UnixStream`'s read halves receive and its write halves send, on the stream's
// readiness (see `Readiness`).
impl_poll_send_recv!(send:
    [] UnixStream, [] TcpStream, [] UnixDatagram, [] UdpSocket,
    [] split::WriteHalf<'_>, [] split::OwnedWriteHalf,
    /// Any socket registered with tokio, as for
    /// [`AsyncSendMessage`](super::AsyncSendMessage).
    [T: AsFd + AsRawFd] AsyncFd<T>
);
impl_poll_send_recv!(recv:
    [] UnixStream, [] TcpStream, [] UnixDatagram, [] UdpSocket,
    [] split::ReadHalf<'_>, [] split::OwnedReadHalf,
    /// Any socket registered with tokio, as for
    /// [`AsyncSendMessage`](super::AsyncSendMessage).
    [T: AsFd + AsRawFd] AsyncFd<T>
);
impl_poll_to_from!(
    UnixDatagram => std::os::unix::net::SocketAddr,
    UdpSocket => std::net::SocketAddr
);
