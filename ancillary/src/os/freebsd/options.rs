//! FreeBSD-specific flags for [`SendOptions`] and [`RecvOptions`].

use crate::os::Sealed;
use crate::{RecvOptions, SendOptions};

/// FreeBSD-specific flags for `sendmsg`.
///
/// # References
/// [`sendmsg(2)`](https://man.freebsd.org/cgi/man.cgi?query=sendmsg&sektion=2)
pub trait SendOptionsExt: Sealed {
    /// `MSG_DONTROUTE`: send only to hosts on directly connected networks.
    #[doc(alias = "MSG_DONTROUTE")]
    fn dont_route(&mut self, dont_route: bool) -> &mut Self;

    /// `MSG_DONTWAIT`: fail with `WouldBlock` instead of blocking, for this call only.
    #[doc(alias = "MSG_DONTWAIT")]
    fn dont_wait(&mut self, dont_wait: bool) -> &mut Self;

    /// `MSG_EOF`: shut down the sending side after this data (T/TCP style).
    #[doc(alias = "MSG_EOF")]
    fn eof(&mut self, eof: bool) -> &mut Self;
}

impl SendOptionsExt for SendOptions {
    fn dont_route(&mut self, dont_route: bool) -> &mut Self {
        self.set(libc::MSG_DONTROUTE, dont_route)
    }

    fn dont_wait(&mut self, dont_wait: bool) -> &mut Self {
        self.set(libc::MSG_DONTWAIT, dont_wait)
    }

    fn eof(&mut self, eof: bool) -> &mut Self {
        self.set(libc::MSG_EOF, eof)
    }
}

/// FreeBSD-specific flags for `recvmsg`.
///
/// # References
/// [`recvmsg(2)`](https://man.freebsd.org/cgi/man.cgi?query=recvmsg&sektion=2)
pub trait RecvOptionsExt: Sealed {
    /// `MSG_TRUNC`: return the real length of the datagram even when it was longer than
    /// the buffers.
    #[doc(alias = "MSG_TRUNC")]
    fn truncate(&mut self, truncate: bool) -> &mut Self;

    /// `MSG_DONTWAIT`: fail with `WouldBlock` instead of blocking, for this call only.
    #[doc(alias = "MSG_DONTWAIT")]
    fn dont_wait(&mut self, dont_wait: bool) -> &mut Self;
}

impl RecvOptionsExt for RecvOptions {
    fn truncate(&mut self, truncate: bool) -> &mut Self {
        self.set(libc::MSG_TRUNC, truncate)
    }

    fn dont_wait(&mut self, dont_wait: bool) -> &mut Self {
        self.set(libc::MSG_DONTWAIT, dont_wait)
    }
}
