//! Per-call flags: [`SendOptions`] and [`RecvOptions`] going in, [`RecvResult`] coming out.
//!
//! The inherent methods cover the flags POSIX defines; the platform modules
//! ([`os::linux`](crate::os::linux) and friends) add theirs through extension traits, and
//! `custom_flags` passes anything else through.

use core::ffi::c_int;

/// Flags for one send (`flags` of `sendmsg`).
///
/// `Copy`, so a configured value can be passed by value:
/// `*SendOptions::new().no_signal(true)`.
///
/// Nothing is set by default. In particular `MSG_NOSIGNAL` is not: writing to a stream
/// whose peer has gone raises `SIGPIPE` unless the signal is ignored (Rust programs ignore
/// it by default) or [`no_signal`](Self::no_signal) is set, in which case the send fails
/// with `EPIPE` instead.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct SendOptions {
    flags: c_int,
}

impl SendOptions {
    /// No flags.
    #[must_use]
    pub const fn new() -> SendOptions {
        SendOptions { flags: 0 }
    }

    /// The flags as `sendmsg` takes them.
    #[must_use]
    pub const fn as_send_flags(&self) -> c_int {
        self.flags
    }

    /// Adds raw `MSG_*` flags this type has no method for.
    pub fn custom_flags(&mut self, flags: c_int) -> &mut Self {
        self.flags |= flags;
        self
    }

    /// Sets or clears one flag; the building block of every option method, here and in the
    /// platform extension traits.
    pub(crate) fn set(&mut self, flag: c_int, on: bool) -> &mut Self {
        if on {
            self.flags |= flag;
        } else {
            self.flags &= !flag;
        }
        self
    }

    /// `MSG_EOR`: this send ends a record (for `SOCK_SEQPACKET`).
    #[doc(alias = "MSG_EOR")]
    pub fn end_of_record(&mut self, end_of_record: bool) -> &mut Self {
        self.set(libc::MSG_EOR, end_of_record)
    }

    /// `MSG_OOB`: send out-of-band data (TCP urgent data).
    #[doc(alias = "MSG_OOB")]
    pub fn out_of_band(&mut self, out_of_band: bool) -> &mut Self {
        self.set(libc::MSG_OOB, out_of_band)
    }

    /// `MSG_NOSIGNAL`: fail with `EPIPE` instead of raising `SIGPIPE` when the peer of a
    /// stream has gone.
    #[doc(alias = "MSG_NOSIGNAL")]
    pub fn no_signal(&mut self, no_signal: bool) -> &mut Self {
        self.set(NOSIGNAL, no_signal)
    }
}

/// `MSG_NOSIGNAL`. Apple platforms lack the flag (they use the `SO_NOSIGPIPE` socket option
/// instead), so there it is 0 and `no_signal` has no effect.
#[cfg(not(apple))]
const NOSIGNAL: c_int = libc::MSG_NOSIGNAL;
#[cfg(apple)]
const NOSIGNAL: c_int = 0;

/// Flags for one receive (`flags` of `recvmsg`).
///
/// `MSG_CMSG_CLOEXEC` is always set where the platform defines it (Linux, FreeBSD), so that
/// every received descriptor is close-on-exec from the moment it is installed; where it
/// does not exist (macOS) the crate sets `FD_CLOEXEC` on each descriptor right after
/// `recvmsg` returns, and until then a `fork` and `exec` on another thread passes it on to
/// the child ([Platforms](crate::guide#close-on-exec)).
///
/// `Copy`, so `*RecvOptions::new().peek(true)` can be passed by value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[doc(alias = "MSG_CMSG_CLOEXEC")]
pub struct RecvOptions {
    flags: c_int,
}

impl Default for RecvOptions {
    fn default() -> Self {
        RecvOptions::new()
    }
}

impl RecvOptions {
    /// No flags besides `MSG_CMSG_CLOEXEC` (where it exists).
    #[must_use]
    pub const fn new() -> RecvOptions {
        RecvOptions { flags: 0 }
    }

    /// The flags as `recvmsg` takes them (`MSG_CMSG_CLOEXEC` included where it exists).
    #[must_use]
    pub const fn as_recv_flags(&self) -> c_int {
        self.flags | crate::platform::MSG_CMSG_CLOEXEC
    }

    /// Adds raw `MSG_*` flags this type has no method for.
    pub fn custom_flags(&mut self, flags: c_int) -> &mut Self {
        self.flags |= flags;
        self
    }

    pub(crate) fn set(&mut self, flag: c_int, on: bool) -> &mut Self {
        if on {
            self.flags |= flag;
        } else {
            self.flags &= !flag;
        }
        self
    }

    /// `MSG_OOB`: receive out-of-band data.
    #[doc(alias = "MSG_OOB")]
    pub fn out_of_band(&mut self, out_of_band: bool) -> &mut Self {
        self.set(libc::MSG_OOB, out_of_band)
    }

    /// `MSG_PEEK`: look at the next message without removing it from the queue.
    ///
    /// Descriptors in a peeked message are installed in this process on *every* peek (the
    /// kernel does so): they are owned by the [`AncillaryData`](crate::AncillaryData) like
    /// any others and closed if not taken, so peeking never leaks them.
    #[doc(alias = "MSG_PEEK")]
    pub fn peek(&mut self, peek: bool) -> &mut Self {
        self.set(libc::MSG_PEEK, peek)
    }

    /// `MSG_WAITALL`: on a stream, block until the whole buffer is filled (or an error,
    /// signal or end of stream).
    #[doc(alias = "MSG_WAITALL")]
    pub fn wait_all(&mut self, wait_all: bool) -> &mut Self {
        self.set(libc::MSG_WAITALL, wait_all)
    }
}

/// Flags `recvmsg` returned (`msg_flags`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[doc(alias = "msg_flags")]
pub struct RecvResult {
    flags: c_int,
}

impl RecvResult {
    /// Wraps raw `msg_flags`.
    #[must_use]
    pub const fn new(flags: c_int) -> RecvResult {
        RecvResult { flags }
    }

    /// The raw `msg_flags`.
    #[must_use]
    pub const fn as_recv_result_flags(&self) -> c_int {
        self.flags
    }

    /// Whether every bit of `flags` is set.
    #[must_use]
    pub const fn custom_flags(&self, flags: c_int) -> bool {
        self.flags & flags == flags
    }

    /// `MSG_EOR`: the data completes a record.
    #[doc(alias = "MSG_EOR")]
    #[must_use]
    pub const fn end_of_record(&self) -> bool {
        self.custom_flags(libc::MSG_EOR)
    }

    /// `MSG_OOB`: out-of-band data was received.
    #[doc(alias = "MSG_OOB")]
    #[must_use]
    pub const fn out_of_band(&self) -> bool {
        self.custom_flags(libc::MSG_OOB)
    }

    /// `MSG_TRUNC`: the datagram was longer than the buffers and its tail was discarded.
    #[doc(alias = "MSG_TRUNC")]
    #[must_use]
    pub const fn normal_data_truncated(&self) -> bool {
        self.custom_flags(libc::MSG_TRUNC)
    }

    /// `MSG_CTRUNC`: control data was lost for lack of room in the control buffer (or, on
    /// Linux, because descriptors could not be installed, such as at `RLIMIT_NOFILE`).
    /// Descriptors that did arrive are still owned and closed as usual. Those that did not
    /// fit were never installed (Linux) or were closed again by the kernel (FreeBSD); on
    /// macOS they are open in this process with nothing naming them
    /// ([Platforms](crate::guide#descriptors-that-do-not-fit)).
    #[doc(alias = "MSG_CTRUNC")]
    #[must_use]
    pub const fn control_data_truncated(&self) -> bool {
        self.custom_flags(libc::MSG_CTRUNC)
    }
}
