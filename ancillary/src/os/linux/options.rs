//! Linux-specific flags for [`SendOptions`], [`RecvOptions`] and [`RecvResult`].

use crate::os::Sealed;
use crate::{RecvOptions, RecvResult, SendOptions};

/// Linux-specific flags for `sendmsg`.
///
/// ```
/// use ancillary::os::linux::SendOptionsExt;
/// use ancillary::SendOptions;
///
/// let options = *SendOptions::new().dont_wait(true).more(true);
/// assert_eq!(options.as_send_flags(), libc::MSG_DONTWAIT | libc::MSG_MORE);
/// ```
///
/// # References
/// [`sendmsg(2)`](https://man7.org/linux/man-pages/man2/sendmsg.2.html)
pub trait SendOptionsExt: Sealed {
    /// `MSG_CONFIRM`: tell the link layer that the neighbour answered (UDP, raw sockets).
    #[doc(alias = "MSG_CONFIRM")]
    fn confirm(&mut self, confirm: bool) -> &mut Self;

    /// `MSG_DONTROUTE`: send only to hosts on directly connected networks.
    #[doc(alias = "MSG_DONTROUTE")]
    fn dont_route(&mut self, dont_route: bool) -> &mut Self;

    /// `MSG_DONTWAIT`: fail with `WouldBlock` instead of blocking, for this call only.
    #[doc(alias = "MSG_DONTWAIT")]
    fn dont_wait(&mut self, dont_wait: bool) -> &mut Self;

    /// `MSG_MORE`: more data follows; the kernel may hold this data back to coalesce it.
    #[doc(alias = "MSG_MORE")]
    fn more(&mut self, more: bool) -> &mut Self;
}

impl SendOptionsExt for SendOptions {
    fn confirm(&mut self, confirm: bool) -> &mut Self {
        self.set(libc::MSG_CONFIRM, confirm)
    }

    fn dont_route(&mut self, dont_route: bool) -> &mut Self {
        self.set(libc::MSG_DONTROUTE, dont_route)
    }

    fn dont_wait(&mut self, dont_wait: bool) -> &mut Self {
        self.set(libc::MSG_DONTWAIT, dont_wait)
    }

    fn more(&mut self, more: bool) -> &mut Self {
        self.set(libc::MSG_MORE, more)
    }
}

/// Linux-specific flags for `recvmsg`.
///
/// ```
/// use ancillary::os::linux::RecvOptionsExt;
/// use ancillary::RecvOptions;
///
/// let options = *RecvOptions::new().err_queue(true);
/// assert_ne!(options.as_recv_flags() & libc::MSG_ERRQUEUE, 0);
/// let batch = *RecvOptions::new().wait_for_one(true);
/// assert_ne!(batch.as_recv_flags() & libc::MSG_WAITFORONE, 0);
/// ```
///
/// # References
/// [`recvmsg(2)`](https://man7.org/linux/man-pages/man2/recvmsg.2.html)
pub trait RecvOptionsExt: Sealed {
    /// `MSG_DONTWAIT`: fail with `WouldBlock` instead of blocking, for this call only.
    #[doc(alias = "MSG_DONTWAIT")]
    fn dont_wait(&mut self, dont_wait: bool) -> &mut Self;

    /// `MSG_ERRQUEUE`: receive a queued error (with `IP_RECVERR`/`IPV6_RECVERR` set) instead
    /// of data; the error arrives as a `sock_extended_err` control message.
    #[doc(alias = "MSG_ERRQUEUE")]
    fn err_queue(&mut self, err_queue: bool) -> &mut Self;

    /// `MSG_TRUNC`: return the real length of the datagram (or, on stream sockets, discard
    /// the data), even when it was longer than the buffers.
    #[doc(alias = "MSG_TRUNC")]
    fn truncate(&mut self, truncate: bool) -> &mut Self;

    /// `MSG_WAITFORONE`, for [`recv_mmsg`](super::recv_mmsg): on a blocking socket, return
    /// as soon as one message has arrived instead of waiting for the whole batch (it
    /// turns on `MSG_DONTWAIT` after the first). Plain `recvmsg` ignores it.
    #[doc(alias = "MSG_WAITFORONE")]
    fn wait_for_one(&mut self, wait_for_one: bool) -> &mut Self;
}

impl RecvOptionsExt for RecvOptions {
    fn dont_wait(&mut self, dont_wait: bool) -> &mut Self {
        self.set(libc::MSG_DONTWAIT, dont_wait)
    }

    fn err_queue(&mut self, err_queue: bool) -> &mut Self {
        self.set(libc::MSG_ERRQUEUE, err_queue)
    }

    fn truncate(&mut self, truncate: bool) -> &mut Self {
        self.set(libc::MSG_TRUNC, truncate)
    }

    fn wait_for_one(&mut self, wait_for_one: bool) -> &mut Self {
        self.set(libc::MSG_WAITFORONE, wait_for_one)
    }
}

/// Linux-specific flags that `recvmsg` returns.
pub trait RecvResultExt: Sealed {
    /// `MSG_ERRQUEUE`: the message came from the socket's error queue.
    #[doc(alias = "MSG_ERRQUEUE")]
    fn err_queue(&self) -> bool;
}

impl RecvResultExt for RecvResult {
    fn err_queue(&self) -> bool {
        self.custom_flags(libc::MSG_ERRQUEUE)
    }
}
