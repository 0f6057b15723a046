//! Close-on-exec for received descriptors, in one place: the flag every receive passes
//! ([`RECV_FLAG`], added by [`RecvOptions::as_recv_flags`](crate::RecvOptions::as_recv_flags)),
//! and, where the platform has no such flag (macOS), [`fix_up`] right after `recvmsg`.

use core::ffi::c_int;

use crate::control_messages::ControlMessages;
use crate::fds::{raw_fds, FdKind};

/// `MSG_CMSG_CLOEXEC` where the platform has it (Linux, Android, FreeBSD), else 0.
pub(crate) const RECV_FLAG: c_int = crate::platform::MSG_CMSG_CLOEXEC;

/// Whether received descriptors need `FD_CLOEXEC` set by hand after `recvmsg`.
pub(crate) const NEEDS_FIXUP: bool = RECV_FLAG == 0;

/// Makes every descriptor in `received` (control messages a receive just wrote)
/// close-on-exec, where the receive's flag could not: a no-op elsewhere.
#[inline]
pub(crate) fn fix_up(received: &[u8]) {
    if !NEEDS_FIXUP {
        return;
    }
    for message in ControlMessages::from_bytes(received) {
        if FdKind::of(message.cmsg_level(), message.cmsg_type()).is_some() {
            set_cloexec_all(message.data());
        }
    }
}

/// Sets `FD_CLOEXEC` on every descriptor of a payload, for platforms without
/// `MSG_CMSG_CLOEXEC`.
fn set_cloexec_all(data: &[u8]) {
    for fd in raw_fds(data) {
        // SAFETY: `fd` was just installed in this process by `recvmsg` and is owned by the
        // buffer that holds it; F_GETFD/F_SETFD only touch its descriptor flags.
        unsafe {
            let flags = libc::fcntl(fd, libc::F_GETFD);
            if flags >= 0 {
                libc::fcntl(fd, libc::F_SETFD, flags | libc::FD_CLOEXEC);
            }
        }
    }
}

