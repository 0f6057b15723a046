//! The readiness rules of the poll and try forms, written once per kind of socket: tokio's
//! own sockets (`poll_*_ready`, then `try_io`), a `UnixStream`'s halves (their stream's
//! rule), and `AsyncFd` (a ready guard, whose `try_io` clears the readiness on
//! `WouldBlock`).

use core::task::{Context, Poll};
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};

use ::tokio::io::unix::AsyncFd;
use ::tokio::io::Interest;
use ::tokio::net::unix as split;
use ::tokio::net::{TcpStream, UdpSocket, UnixDatagram, UnixStream};

use super::stream_of;

/// A socket registered with tokio, on which an operation (`call`, given the descriptor)
/// is polled or tried with the socket's readiness rules.
pub(super) trait Readiness {
    /// Waits for `interest` (registering `cx`'s waker), then makes `call`; a `WouldBlock`
    /// clears the readiness and waits again. Nothing is called before the socket is ready.
    fn poll_io<R>(
        &self,
        cx: &mut Context<'_>,
        interest: Interest,
        call: impl FnMut(BorrowedFd<'_>) -> io::Result<R>,
    ) -> Poll<io::Result<R>>;

    /// Makes `call` without waiting, as the socket's own `try_*` methods do.
    fn try_io<R>(
        &self,
        interest: Interest,
        call: impl FnOnce(BorrowedFd<'_>) -> io::Result<R>,
    ) -> io::Result<R>;
}

/// Polls `$socket`'s readiness for `$interest`: `$read` if it is readable, else `$write`.
macro_rules! poll_ready {
    ($socket:expr, $cx:expr, $interest:expr, $read:ident, $write:ident) => {
        if $interest.is_readable() {
            $socket.$read($cx)
        } else {
            $socket.$write($cx)
        }
    };
}

/// tokio's rule, for each of its sockets with the `poll_*_ready` pair it waits with (the
/// streams' `poll_read_ready`/`poll_write_ready`, the datagram sockets'
/// `poll_recv_ready`/`poll_send_ready`): the call is made only once the reactor has seen
/// the socket ready, through the socket's `try_io`, and a `WouldBlock` from it clears the
/// readiness.
macro_rules! impl_readiness {
    ($($socket:ty: $read_ready:ident, $write_ready:ident);*) => {$(
        impl Readiness for $socket {
            fn poll_io<R>(
                &self,
                cx: &mut Context<'_>,
                interest: Interest,
                mut call: impl FnMut(BorrowedFd<'_>) -> io::Result<R>,
            ) -> Poll<io::Result<R>> {
                loop {
                    let ready = poll_ready!(self, cx, interest, $read_ready, $write_ready);
                    ::core::task::ready!(ready)?;
                    match <$socket>::try_io(self, interest, || call(self.as_fd())) {
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                        result => return Poll::Ready(result),
                    }
                }
            }

            fn try_io<R>(
                &self,
                interest: Interest,
                call: impl FnOnce(BorrowedFd<'_>) -> io::Result<R>,
            ) -> io::Result<R> {
                <$socket>::try_io(self, interest, || call(self.as_fd()))
            }
        }
    )*};
}

impl_readiness!(
    UnixStream: poll_read_ready, poll_write_ready;
    TcpStream: poll_read_ready, poll_write_ready;
    UnixDatagram: poll_recv_ready, poll_send_ready;
    UdpSocket: poll_recv_ready, poll_send_ready
);

/// tokio's halves of a `UnixStream` (from `split` and `into_split`): the stream's own rule,
/// on the stream's readiness.
macro_rules! impl_readiness_via_stream {
    ($($half:ty),*) => {$(
        impl Readiness for $half {
            fn poll_io<R>(
                &self,
                cx: &mut Context<'_>,
                interest: Interest,
                call: impl FnMut(BorrowedFd<'_>) -> io::Result<R>,
            ) -> Poll<io::Result<R>> {
                Readiness::poll_io(stream_of(self), cx, interest, call)
            }

            fn try_io<R>(
                &self,
                interest: Interest,
                call: impl FnOnce(BorrowedFd<'_>) -> io::Result<R>,
            ) -> io::Result<R> {
                Readiness::try_io(stream_of(self), interest, call)
            }
        }
    )*};
}

impl_readiness_via_stream!(
    split::ReadHalf<'_>,
    split::OwnedReadHalf,
    split::WriteHalf<'_>,
    split::OwnedWriteHalf
);

/// An `AsyncFd`'s rule: the try form always makes the call, and the `AsyncFd` learns of a
/// `WouldBlock` on its next poll.
impl<T: AsFd + AsRawFd> Readiness for AsyncFd<T> {
    fn poll_io<R>(
        &self,
        cx: &mut Context<'_>,
        interest: Interest,
        mut call: impl FnMut(BorrowedFd<'_>) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        loop {
            let ready = poll_ready!(self, cx, interest, poll_read_ready, poll_write_ready);
            let mut guard = ::core::task::ready!(ready)?;
            if let Ok(result) = guard.try_io(|inner| call(inner.as_fd())) {
                return Poll::Ready(result);
            }
        }
    }

    fn try_io<R>(
        &self,
        _interest: Interest,
        call: impl FnOnce(BorrowedFd<'_>) -> io::Result<R>,
    ) -> io::Result<R> {
        call(self.as_fd())
    }
}
