//! The async traits and their impls on tokio's sockets and a `UnixStream`'s halves.

use core::future::Future;
use std::io::{self, IoSlice, IoSliceMut};
use std::os::fd::AsFd;

use ::tokio::io::Interest;
use ::tokio::net::unix as split;
use ::tokio::net::{TcpStream, UdpSocket, UnixDatagram, UnixStream};

use super::stream_of;
use crate::ancillary_data::AncillaryData;
use crate::options::{RecvOptions, RecvResult, SendOptions};
use crate::socket;

/// Async sockets that can send data with control messages (`sendmsg` without an address).
///
/// The async form of [`SendMessage`](crate::SendMessage). Implemented for tokio's
/// [`UnixStream`] (and its write halves), [`UnixDatagram`], [`TcpStream`] and
/// [`UdpSocket`], and for [`AsyncFd<T>`](::tokio::io::unix::AsyncFd) over any socket. Usually called through
/// [`MessageSender::send_async`](crate::MessageSender::send_async).
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
/// [`MessageSender::send_to_async`](crate::MessageSender::send_to_async).
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
/// Usually called through [`MessageReceiver::recv_async`](crate::MessageReceiver::recv_async).
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
    /// the [module documentation](super#cancellation-safety)).
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
/// [`MessageReceiver::recv_from_async`](crate::MessageReceiver::recv_from_async).
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

// tokio's halves of a `UnixStream`: the read half receives and the write half sends,
// through the stream's own readiness, as the stream does.
impl_async_send_recv!(recv: split::ReadHalf<'_>, via stream_of);
impl_async_send_recv!(recv: split::OwnedReadHalf, via stream_of);
impl_async_send_recv!(send: split::WriteHalf<'_>, via stream_of);
impl_async_send_recv!(send: split::OwnedWriteHalf, via stream_of);
