//! The one `setsockopt` call behind the platform modules' safe socket options.

use core::ffi::c_int;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};

use crate::PayloadField;

/// `setsockopt(fd, level, name, &value, size_of_val(&value))`.
///
/// Safe for any option: the kernel reads at most the `size_of::<T>()` bytes it is given
/// (it fails with `EINVAL` if that is not the size the option wants), and a
/// [`PayloadField`] has no padding, so all of them are initialised.
pub(crate) fn set<T: PayloadField>(
    fd: BorrowedFd<'_>,
    level: c_int,
    name: c_int,
    value: &T,
) -> io::Result<()> {
    let len = libc::socklen_t::try_from(size_of::<T>())
        .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    // `value` is a live reference for the whole call, `len` is its size, and every one of
    // those bytes is initialised (`PayloadField`: no padding). `fd` is borrowed, so open.
    // SAFETY: `setsockopt` reads at most `len` bytes from the pointer, all valid for reads.
    let rc = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            name,
            core::ptr::from_ref(value).cast(),
            len,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// An on/off option whose value is a C `int`.
pub(crate) fn set_flag(fd: BorrowedFd<'_>, level: c_int, name: c_int, on: bool) -> io::Result<()> {
    set(fd, level, name, &c_int::from(on))
}
