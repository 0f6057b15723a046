//! The readiness rules of the poll and try forms, written once per kind of socket: tokio's
//! `UdpSocket` (`poll_*_ready`, then `try_io`) and `AsyncFd` (a ready guard, whose
//! `try_io` clears the readiness on `WouldBlock`).

use core::task::{Context, Poll};
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};

use ::tokio::io::unix::AsyncFd;
use ::tokio::io::Interest;
use ::tokio::net::UdpSocket;

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

/// tokio's rule: the call is made only once the reactor has seen the socket ready, and a
/// `WouldBlock` from it clears the readiness.
impl Readiness for UdpSocket {
    fn poll_io<R>(
        &self,
        cx: &mut Context<'_>,
        interest: Interest,
        mut call: impl FnMut(BorrowedFd<'_>) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        if interest.is_readable() {
            poll_io!(self, cx, poll_recv_ready, interest, call(self.as_fd()))
        } else {
            poll_io!(self, cx, poll_send_ready, interest, call(self.as_fd()))
        }
    }

    fn try_io<R>(
        &self,
        interest: Interest,
        call: impl FnOnce(BorrowedFd<'_>) -> io::Result<R>,
    ) -> io::Result<R> {
        UdpSocket::try_io(self, interest, || call(self.as_fd()))
    }
}

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
            let ready = if interest.is_readable() {
                self.poll_read_ready(cx)
            } else {
                self.poll_write_ready(cx)
            };
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
