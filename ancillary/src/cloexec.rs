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

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::size_of;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
    use std::os::unix::net::UnixStream;

    fn is_cloexec(fd: RawFd) -> bool {
        // SAFETY: F_GETFD only reads the descriptor flags of an open descriptor.
        let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
        assert!(flags >= 0, "F_GETFD: {}", std::io::Error::last_os_error());
        flags & libc::FD_CLOEXEC != 0
    }

    /// A descriptor without `FD_CLOEXEC`, made with `dup` of a std socket (std makes its
    /// own close-on-exec), with the socket it copies.
    fn descriptor_without_cloexec() -> (OwnedFd, UnixStream) {
        let (with_flag, _peer) = UnixStream::pair().unwrap();
        assert!(is_cloexec(with_flag.as_raw_fd()));
        // SAFETY: `dup` of an open descriptor returns a new descriptor or -1; the new
        // one is owned by nobody else, so `OwnedFd` takes it.
        let without = unsafe {
            let raw = libc::dup(with_flag.as_raw_fd());
            assert!(raw >= 0, "dup: {}", std::io::Error::last_os_error());
            OwnedFd::from_raw_fd(raw)
        };
        assert!(!is_cloexec(without.as_raw_fd()));
        (without, with_flag)
    }

    /// `fix_up` changes descriptors only where `recvmsg` cannot set the flag itself (Apple
    /// platforms): elsewhere the kernel already did, and a walk with two `fcntl` calls per
    /// descriptor would be waste. A received message is faked with a descriptor that lacks
    /// the flag, which only this test can make; real ones always have it.
    #[test]
    #[cfg_attr(miri, ignore = "Miri's F_GETFD reports every descriptor close-on-exec")]
    fn fix_up_touches_descriptors_only_without_msg_cmsg_cloexec() {
        let (without, _with_flag) = descriptor_without_cloexec();
        let mut message =
            crate::cmsg::encode_header(libc::SOL_SOCKET, libc::SCM_RIGHTS, size_of::<RawFd>())
                .to_vec();
        message.extend_from_slice(&without.as_raw_fd().to_ne_bytes());
        fix_up(&message);
        let apple = cfg!(any(target_os = "macos", target_os = "ios"));
        assert_eq!(NEEDS_FIXUP, apple);
        assert_eq!(is_cloexec(without.as_raw_fd()), apple);
    }

    /// The fix-up for platforms without `MSG_CMSG_CLOEXEC` (macOS), run on any platform:
    /// it sets `FD_CLOEXEC` where it is missing, keeps it where it is set, and skips the
    /// negative numbers no kernel sends.
    #[test]
    #[cfg_attr(miri, ignore = "Miri's F_GETFD reports every descriptor close-on-exec")]
    fn set_cloexec_all_sets_the_flag_on_every_descriptor() {
        let (without, with_flag) = descriptor_without_cloexec();

        let payload: Vec<u8> = [without.as_raw_fd(), -1, with_flag.as_raw_fd()]
            .iter()
            .flat_map(|fd| fd.to_ne_bytes())
            .collect();
        set_cloexec_all(&payload);
        assert!(is_cloexec(without.as_raw_fd()), "the flag was set");
        assert!(is_cloexec(with_flag.as_raw_fd()), "the flag was kept");
    }
}
