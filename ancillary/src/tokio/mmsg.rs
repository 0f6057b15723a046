//! The poll and try forms of the batched sends and receives (`sendmmsg`, `recvmmsg`; Linux
//! and Android), on tokio's [`UdpSocket`] and on [`AsyncFd<T>`] over any socket, with the
//! same readiness rules as the single forms ([`PollSendMessage`](super::PollSendMessage),
//! [`PollRecvMessage`](super::PollRecvMessage)).
//!
//! For a receive loop such as quinn's `AsyncUdpSocket::poll_recv`, which is lent fresh
//! buffers on every poll, keep one [`RecvBatch`] per socket and call
//! [`poll_recv_batch`](PollRecvMmsg::poll_recv_batch): see
//! [`RecvBatch`](crate::os::linux::RecvBatch) for what that saves.

use core::task::{Context, Poll};
use std::io::{self, IoSliceMut};
use std::os::fd::{AsFd, AsRawFd};

use ::tokio::io::unix::AsyncFd;
use ::tokio::io::Interest;
use ::tokio::net::UdpSocket;

use super::readiness::Readiness;
use crate::addr::SocketAddress;
use crate::options::{RecvOptions, SendOptions};
use crate::os::linux::{self, RecvBatch, RecvMmsg, SendMmsg};

/// Poll-based and non-waiting batched sends ([`send_mmsg`](linux::send_mmsg),
/// [`send_mmsg_to`](linux::send_mmsg_to)), for code that implements `Future` or `Sink`
/// by hand. Implemented for tokio's [`UdpSocket`] and for [`AsyncFd<T>`].
///
/// The `poll_` forms register the task's waker when the socket is not writable and return
/// `Poll::Pending`, having sent nothing; the `try_` forms never wait. Both follow the
/// rules of [`PollSendMessage`](super::PollSendMessage): on a `UdpSocket` the system call
/// is made only once tokio has seen the socket writable, on an `AsyncFd` the try form
/// always makes it. A batch that sent some messages returns how many: the rest are the
/// caller's to send again.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use ancillary::os::linux::SendMmsg;
/// use ancillary::tokio::PollSendMmsg;
/// use ancillary::SendOptions;
/// use tokio::net::UdpSocket;
///
/// let sender = UdpSocket::bind("127.0.0.1:0").await?;
/// let receiver = UdpSocket::bind("127.0.0.1:0").await?;
/// let to = [receiver.local_addr()?; 2];
/// let mut messages = [SendMmsg::new(b"one"), SendMmsg::new(b"two")];
/// let sent = std::future::poll_fn(|cx| {
///     sender.poll_send_mmsg_to(cx, &mut messages, &to, SendOptions::new())
/// })
/// .await?;
/// assert_eq!(sent, 2);
/// let mut buf = [0; 8];
/// assert_eq!(receiver.recv(&mut buf).await?, 3);
/// # Ok(())
/// # }
/// ```
pub trait PollSendMmsg {
    /// [`send_mmsg`](linux::send_mmsg) once the socket is writable; until then registers
    /// `cx`'s waker and returns `Poll::Pending`.
    ///
    /// # Errors
    /// As [`send_mmsg`](linux::send_mmsg), other than `WouldBlock`.
    fn poll_send_mmsg(
        &self,
        cx: &mut Context<'_>,
        messages: &mut [SendMmsg<'_, '_>],
        options: SendOptions,
    ) -> Poll<io::Result<usize>>;

    /// [`send_mmsg`](linux::send_mmsg) without waiting, or `WouldBlock`.
    ///
    /// # Errors
    /// As [`send_mmsg`](linux::send_mmsg).
    fn try_send_mmsg(
        &self,
        messages: &mut [SendMmsg<'_, '_>],
        options: SendOptions,
    ) -> io::Result<usize>;

    /// [`send_mmsg_to`](linux::send_mmsg_to) (message `i` to `addrs[i]`) once the socket
    /// is writable, as [`poll_send_mmsg`](Self::poll_send_mmsg).
    ///
    /// # Errors
    /// As [`send_mmsg_to`](linux::send_mmsg_to), other than `WouldBlock`.
    fn poll_send_mmsg_to<A: SocketAddress>(
        &self,
        cx: &mut Context<'_>,
        messages: &mut [SendMmsg<'_, '_>],
        addrs: &[A],
        options: SendOptions,
    ) -> Poll<io::Result<usize>>;

    /// [`send_mmsg_to`](linux::send_mmsg_to) without waiting, or `WouldBlock`.
    ///
    /// # Errors
    /// As [`send_mmsg_to`](linux::send_mmsg_to).
    fn try_send_mmsg_to<A: SocketAddress>(
        &self,
        messages: &mut [SendMmsg<'_, '_>],
        addrs: &[A],
        options: SendOptions,
    ) -> io::Result<usize>;
}

/// Poll-based and non-waiting batched receives ([`recv_mmsg`](linux::recv_mmsg),
/// [`recv_batch`](linux::recv_batch)), for hand-written futures and streams. Implemented
/// for tokio's [`UdpSocket`] and for [`AsyncFd<T>`].
///
/// The `poll_` forms return `Poll::Ready` once at least one message was received (tokio's
/// sockets are non-blocking, so a call returns what is queued); until then they register
/// the task's waker and return `Poll::Pending`. The `try_` forms never wait. The
/// readiness rules are those of [`PollRecvMessage`](super::PollRecvMessage), and, as
/// there, an attempt that found nothing has still cleared the messages' control data
/// (closing descriptors received earlier and not taken).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use std::io::IoSliceMut;
/// use ancillary::os::linux::RecvBatch;
/// use ancillary::tokio::PollRecvMmsg;
/// use ancillary::RecvOptions;
/// use tokio::net::UdpSocket;
///
/// let sender = UdpSocket::bind("127.0.0.1:0").await?;
/// let receiver = UdpSocket::bind("127.0.0.1:0").await?;
/// sender.send_to(b"hello", receiver.local_addr()?).await?;
///
/// // One batch per socket, made once; buffers lent to each poll.
/// let mut batch = RecvBatch::new(8, 64);
/// let mut bufs = [[0u8; 1500]; 8];
/// let mut slices = bufs.each_mut().map(|buf| IoSliceMut::new(buf));
/// let n = std::future::poll_fn(|cx| {
///     receiver.poll_recv_batch(cx, &mut batch, &mut slices, RecvOptions::new())
/// })
/// .await?;
/// assert_eq!((n, batch.messages()[0].len()), (1, 5));
/// assert_eq!(&slices[0][..5], b"hello");
/// # Ok(())
/// # }
/// ```
pub trait PollRecvMmsg {
    /// [`recv_mmsg`](linux::recv_mmsg) once the socket is readable; until then registers
    /// `cx`'s waker and returns `Poll::Pending`.
    ///
    /// # Errors
    /// As [`recv_mmsg`](linux::recv_mmsg), other than `WouldBlock`.
    fn poll_recv_mmsg(
        &self,
        cx: &mut Context<'_>,
        messages: &mut [RecvMmsg<'_, '_>],
        options: RecvOptions,
    ) -> Poll<io::Result<usize>>;

    /// [`recv_mmsg`](linux::recv_mmsg) without waiting, or `WouldBlock`.
    ///
    /// # Errors
    /// As [`recv_mmsg`](linux::recv_mmsg).
    fn try_recv_mmsg(
        &self,
        messages: &mut [RecvMmsg<'_, '_>],
        options: RecvOptions,
    ) -> io::Result<usize>;

    /// [`recv_batch`](linux::recv_batch) (message `i` into `bufs[i]`) once the socket is
    /// readable, as [`poll_recv_mmsg`](Self::poll_recv_mmsg).
    ///
    /// # Errors
    /// As [`recv_batch`](linux::recv_batch), other than `WouldBlock`.
    fn poll_recv_batch(
        &self,
        cx: &mut Context<'_>,
        batch: &mut RecvBatch<'_>,
        bufs: &mut [IoSliceMut<'_>],
        options: RecvOptions,
    ) -> Poll<io::Result<usize>>;

    /// [`recv_batch`](linux::recv_batch) without waiting, or `WouldBlock`.
    ///
    /// # Errors
    /// As [`recv_batch`](linux::recv_batch).
    fn try_recv_batch(
        &self,
        batch: &mut RecvBatch<'_>,
        bufs: &mut [IoSliceMut<'_>],
        options: RecvOptions,
    ) -> io::Result<usize>;
}

/// Both traits on a socket with [`Readiness`] rules; `[generics]` for `AsyncFd<T>`.
macro_rules! impl_poll_mmsg {
    ($([$($generics:tt)*] $socket:ty),*) => {$(
        impl<$($generics)*> PollSendMmsg for $socket {
            fn poll_send_mmsg(
                &self,
                cx: &mut Context<'_>,
                messages: &mut [SendMmsg<'_, '_>],
                options: SendOptions,
            ) -> Poll<io::Result<usize>> {
                Readiness::poll_io(self, cx, Interest::WRITABLE, |fd| {
                    linux::send_mmsg(fd, messages, options)
                })
            }

            fn try_send_mmsg(
                &self,
                messages: &mut [SendMmsg<'_, '_>],
                options: SendOptions,
            ) -> io::Result<usize> {
                Readiness::try_io(self, Interest::WRITABLE, |fd| {
                    linux::send_mmsg(fd, messages, options)
                })
            }

            fn poll_send_mmsg_to<A: SocketAddress>(
                &self,
                cx: &mut Context<'_>,
                messages: &mut [SendMmsg<'_, '_>],
                addrs: &[A],
                options: SendOptions,
            ) -> Poll<io::Result<usize>> {
                Readiness::poll_io(self, cx, Interest::WRITABLE, |fd| {
                    linux::send_mmsg_to(fd, messages, addrs, options)
                })
            }

            fn try_send_mmsg_to<A: SocketAddress>(
                &self,
                messages: &mut [SendMmsg<'_, '_>],
                addrs: &[A],
                options: SendOptions,
            ) -> io::Result<usize> {
                Readiness::try_io(self, Interest::WRITABLE, |fd| {
                    linux::send_mmsg_to(fd, messages, addrs, options)
                })
            }
        }

        impl<$($generics)*> PollRecvMmsg for $socket {
            fn poll_recv_mmsg(
                &self,
                cx: &mut Context<'_>,
                messages: &mut [RecvMmsg<'_, '_>],
                options: RecvOptions,
            ) -> Poll<io::Result<usize>> {
                Readiness::poll_io(self, cx, Interest::READABLE, |fd| {
                    linux::recv_mmsg(fd, messages, options)
                })
            }

            fn try_recv_mmsg(
                &self,
                messages: &mut [RecvMmsg<'_, '_>],
                options: RecvOptions,
            ) -> io::Result<usize> {
                Readiness::try_io(self, Interest::READABLE, |fd| {
                    linux::recv_mmsg(fd, messages, options)
                })
            }

            fn poll_recv_batch(
                &self,
                cx: &mut Context<'_>,
                batch: &mut RecvBatch<'_>,
                bufs: &mut [IoSliceMut<'_>],
                options: RecvOptions,
            ) -> Poll<io::Result<usize>> {
                Readiness::poll_io(self, cx, Interest::READABLE, |fd| {
                    linux::recv_batch(fd, batch, bufs, options)
                })
            }

            fn try_recv_batch(
                &self,
                batch: &mut RecvBatch<'_>,
                bufs: &mut [IoSliceMut<'_>],
                options: RecvOptions,
            ) -> io::Result<usize> {
                Readiness::try_io(self, Interest::READABLE, |fd| {
                    linux::recv_batch(fd, batch, bufs, options)
                })
            }
        }
    )*};
}

impl_poll_mmsg!([] UdpSocket, [T: AsFd + AsRawFd] AsyncFd<T>);
