//! The platform seam: the few facts about the target that the core of the crate needs,
//! each written once per operating system. Only the `cmsghdr` format (`cmsg`), descriptor
//! ownership (`fds`), close-on-exec (`cloexec`) and the system-call layer (`sys`) read it;
//! the public per-OS extensions are in `os`.

use core::ffi::c_int;

/// The alignment unit of `CMSG_ALIGN` on this target, as the target's C headers define it.
///
/// * glibc, musl and bionic round to `sizeof(size_t)` (`long`), so 8 on 64-bit and 4 on
///   32-bit Linux.
/// * FreeBSD rounds to `_ALIGNBYTES + 1`: `sizeof(long)` on x86 and powerpc64,
///   `sizeof(long long)` on aarch64 and riscv64, `sizeof(int)` on 32-bit arm and powerpc.
/// * Apple platforms round to `sizeof(uint32_t)` (`__DARWIN_ALIGN32`) for control messages.
#[cfg(linux_like)]
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

#[cfg(apple)]
pub(crate) const CMSG_ALIGN_UNIT: usize = core::mem::size_of::<u32>();

/// `MSG_CMSG_CLOEXEC` where the platform has it, else 0 (see `crate::cloexec`).
#[cfg(any(linux_like, target_os = "freebsd"))]
pub(crate) const MSG_CMSG_CLOEXEC: c_int = libc::MSG_CMSG_CLOEXEC;
#[cfg(not(any(linux_like, target_os = "freebsd")))]
pub(crate) const MSG_CMSG_CLOEXEC: c_int = 0;

/// `SCM_PIDFD` (Linux 6.5): the kernel installs a pidfd in the receiver. libc does not
/// export the constant yet; the value is fixed by the kernel ABI (`asm-generic/socket.h`).
#[cfg(linux_like)]
pub(crate) const SCM_PIDFD: c_int = 0x04;
