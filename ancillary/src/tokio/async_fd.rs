//! The async traits for [`AsyncFd`] over any socket (its poll and try forms are in `poll.rs`
//! and `mmsg.rs`, with tokio's sockets).

use std::io::{self, IoSlice, IoSliceMut};
use std::os::fd::{AsFd, AsRawFd};

use ::tokio::io::unix::AsyncFd;
use ::tokio::io::Interest;

use super::{AsyncRecvMessage, AsyncRecvMessageFrom, AsyncSendMessage, AsyncSendMessageTo};
use crate::ancillary_data::AncillaryData;
use crate::options::{RecvOptions, RecvResult, SendOptions};
use crate::socket;

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
