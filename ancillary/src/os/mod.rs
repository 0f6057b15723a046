//! Platform seams.
//!
//! The public API of this crate is written once; what differs per operating system lives
//! here: the control-message alignment, which messages carry file descriptors, how received
//! descriptors become close-on-exec, and the per-platform extension modules (`linux`,
//! `freebsd`, `macos`).

#[cfg(any(target_os = "linux", target_os = "android"))]
#[cfg_attr(docsrs, doc(cfg(any(target_os = "linux", target_os = "android"))))]
pub mod linux;

#[cfg(target_os = "freebsd")]
#[cfg_attr(docsrs, doc(cfg(target_os = "freebsd")))]
pub mod freebsd;

#[cfg(any(target_os = "macos", target_os = "ios"))]
#[cfg_attr(docsrs, doc(cfg(any(target_os = "macos", target_os = "ios"))))]
pub mod macos;

use core::ffi::c_int;

/// The alignment unit of `CMSG_ALIGN` on this target, as the target's C headers define it.
///
/// * glibc, musl and bionic round to `sizeof(size_t)` (`long`), so 8 on 64-bit and 4 on
///   32-bit Linux.
/// * FreeBSD rounds to `_ALIGNBYTES + 1`: `sizeof(long)` on x86 and powerpc64,
///   `sizeof(long long)` on aarch64 and riscv64, `sizeof(int)` on 32-bit arm and powerpc.
/// * Apple platforms round to `sizeof(uint32_t)` (`__DARWIN_ALIGN32`) for control messages.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) const CMSG_ALIGN_UNIT: usize = core::mem::size_of::<usize>();

#[cfg(target_os = "freebsd")]
pub(crate) const CMSG_ALIGN_UNIT: usize =
    if cfg!(any(target_arch = "aarch64", target_arch = "riscv64")) {
        core::mem::size_of::<core::ffi::c_longlong>()
    } else if cfg!(any(target_arch = "arm", target_arch = "powerpc")) {
        core::mem::size_of::<c_int>()
    } else {
        core::mem::size_of::<core::ffi::c_long>()
    };

#[cfg(any(target_os = "macos", target_os = "ios"))]
pub(crate) const CMSG_ALIGN_UNIT: usize = core::mem::size_of::<u32>();

/// `MSG_CMSG_CLOEXEC` where the platform has it, else 0 (descriptors are then made
/// close-on-exec right after `recvmsg` returns, see [`NEEDS_CLOEXEC_FIXUP`]).
#[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
pub(crate) const MSG_CMSG_CLOEXEC: c_int = libc::MSG_CMSG_CLOEXEC;
#[cfg(not(any(target_os = "linux", target_os = "android", target_os = "freebsd")))]
pub(crate) const MSG_CMSG_CLOEXEC: c_int = 0;

/// Whether received descriptors need `FD_CLOEXEC` set by hand after `recvmsg`. That is
/// not atomic: between `recvmsg` and the `fcntl`, a `fork` and `exec` on another thread
/// passes the descriptor on to the child (the guide's Platforms section says so to users).
pub(crate) const NEEDS_CLOEXEC_FIXUP: bool = MSG_CMSG_CLOEXEC == 0;

/// `SCM_PIDFD` (Linux 6.5): the kernel installs a pidfd in the receiver. libc does not
/// export the constant yet; the value is fixed by the kernel ABI (`asm-generic/socket.h`).
#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) const SCM_PIDFD: c_int = 0x04;

/// Which kind of received message carries descriptors that the receiver now owns.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum FdKind {
    /// `SCM_RIGHTS`: the descriptors a peer passed.
    Rights,
    /// `SCM_PIDFD`: a pidfd of the sending process, installed by the kernel.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    Pidfd,
}

impl FdKind {
    /// The bit of this kind in an ownership mask.
    pub(crate) const fn bit(self) -> u8 {
        match self {
            FdKind::Rights => 1,
            #[cfg(any(target_os = "linux", target_os = "android"))]
            FdKind::Pidfd => 2,
        }
    }

    /// Every kind this platform knows.
    pub(crate) const ALL_BITS: u8 = {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        {
            1 | 2
        }
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        {
            1
        }
    };

    /// The kind of descriptor a received message of this level and type carries, if any.
    pub(crate) fn of(level: c_int, ty: c_int) -> Option<FdKind> {
        if level != libc::SOL_SOCKET {
            return None;
        }
        match ty {
            libc::SCM_RIGHTS => Some(FdKind::Rights),
            #[cfg(any(target_os = "linux", target_os = "android"))]
            SCM_PIDFD => Some(FdKind::Pidfd),
            _ => None,
        }
    }
}

/// Seals the platform extension traits: they are implemented for this crate's option
/// types only, so that methods can be added to them without breaking anyone.
mod sealed {
    pub trait Sealed {}
    impl Sealed for crate::SendOptions {}
    impl Sealed for crate::RecvOptions {}
    impl Sealed for crate::RecvResult {}
}
#[allow(
    unused_imports,
    reason = "not every platform has extension traits for every type"
)]
pub(crate) use sealed::Sealed;
