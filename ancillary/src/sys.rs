//! The system-call layer: every `sendmsg`, `recvmsg`, `sendmmsg` and `recvmmsg` of the
//! crate, and the filling of their `msghdr`s and `mmsghdr`s. Private: the public forms are
//! the functions in `socket` (and `os::linux::mmsg` for batches).

use core::ffi::c_int;
use core::mem::size_of;
use std::io::{self, IoSlice, IoSliceMut};
use std::os::fd::{AsRawFd, BorrowedFd};

use crate::addr::RawSocketAddr;
use crate::ancillary_data::AncillaryData;
use crate::cmsg::size_of_field;
use crate::options::{RecvOptions, RecvResult, SendOptions};

/// An all-zero `msghdr`: null pointers and zero lengths.
#[inline]
fn empty_msghdr() -> libc::msghdr {
    // SAFETY: `msghdr` is made of raw pointers and integers (plus padding fields on some
    // targets), for all of which zero is a valid value.
    unsafe { core::mem::zeroed() }
}

/// Whether `msg_iovlen` can hold `count`: always where it is a `size_t` (glibc, bionic),
/// so the check compiles to nothing there; up to `c_int::MAX` where it is a `c_int` (musl,
/// Apple, the BSDs).
#[inline(always)]
pub(crate) fn iovlen_fits(count: usize) -> bool {
    size_of_field::<libc::msghdr, _>(|m| m.msg_iovlen) >= size_of::<usize>()
        || count <= c_int::MAX as usize
}

/// `len`, or the largest `msg_controllen` if it is larger: `len` itself where the field is a
/// `size_t` (glibc, bionic), at most `socklen_t::MAX` where it is a `socklen_t`.
#[inline(always)]
pub(crate) fn controllen_clamp(len: usize) -> usize {
    if size_of_field::<libc::msghdr, _>(|m| m.msg_controllen) >= size_of::<usize>() {
        len
    } else {
        len.min(libc::socklen_t::MAX as usize)
    }
}

pub(crate) fn too_many_buffers() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        "too many I/O buffers for one message",
    )
}

pub(crate) fn too_much_control_data() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        "too much control data for one message",
    )
}

/// Points `msg` at the data in `bufs` and at `control` (null with length 0 for none).
///
/// # Errors
/// `InvalidInput` if there are more buffers or control bytes than `msghdr` can describe.
#[inline(always)]
pub(crate) fn fill_send(
    msg: &mut libc::msghdr,
    bufs: &[IoSlice<'_>],
    control: &[u8],
) -> io::Result<()> {
    if !iovlen_fits(bufs.len()) {
        return Err(too_many_buffers());
    }
    // `IoSlice` is guaranteed ABI-compatible with `iovec` on Unix.
    msg.msg_iov = bufs.as_ptr().cast_mut().cast::<libc::iovec>();
    msg.msg_iovlen = bufs.len() as _;
    if controllen_clamp(control.len()) != control.len() {
        return Err(too_much_control_data());
    }
    // Linux reads `msg_control` only when `msg_controllen` is not 0; the BSDs refuse a
    // non-null one shorter than a header with `EINVAL`, so there no control data is null.
    msg.msg_control =
        if cfg!(any(target_os = "linux", target_os = "android")) || !control.is_empty() {
            control.as_ptr().cast_mut().cast()
        } else {
            core::ptr::null_mut()
        };
    msg.msg_controllen = control.len() as _;
    Ok(())
}

/// Points `msg` at `bufs`, at the control region `ancillary_data` hands out for a receive
/// (if any), and at `name` (if any).
///
/// # Errors
/// `InvalidInput` if there are more buffers than `msghdr` can describe.
#[inline(always)]
pub(crate) fn fill_recv(
    msg: &mut libc::msghdr,
    bufs: &mut [IoSliceMut<'_>],
    ancillary_data: Option<&mut AncillaryData<'_>>,
    name: Option<&mut RawSocketAddr>,
) -> io::Result<()> {
    if !iovlen_fits(bufs.len()) {
        return Err(too_many_buffers());
    }
    if let Some(name) = name {
        (msg.msg_name, msg.msg_namelen) = name.name_buffer();
    }
    // `IoSliceMut` is guaranteed ABI-compatible with `iovec` on Unix.
    msg.msg_iov = bufs.as_mut_ptr().cast::<libc::iovec>();
    msg.msg_iovlen = bufs.len() as _;
    if let Some(control) = ancillary_data.and_then(AncillaryData::start_recvmsg) {
        // A larger region is only offered in part.
        let len = controllen_clamp(control.len());
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = len as _;
    }
    Ok(())
}

/// `sendmsg`: sends `bufs` and the control messages of `ancillary_data`, to `name` if
/// given.
///
/// # Errors
/// The `sendmsg` error, or `InvalidInput` before any system call (an overflowed fixed
/// storage, too many buffers or too much control data).
#[inline(always)]
pub(crate) fn send(
    socket: BorrowedFd<'_>,
    name: Option<(*const libc::sockaddr, libc::socklen_t)>,
    bufs: &[IoSlice<'_>],
    ancillary_data: &mut AncillaryData<'_>,
    options: SendOptions,
) -> io::Result<usize> {
    let control = ancillary_data.control_to_send()?;
    let mut msg = empty_msghdr();
    if let Some((name, name_len)) = name {
        msg.msg_name = name.cast_mut().cast();
        msg.msg_namelen = name_len;
    }
    fill_send(&mut msg, bufs, control)?;
    // The pointees: the address the caller lends, the `iovec`s of `bufs`, and the control
    // bytes borrowed from `ancillary_data`.
    // SAFETY: every pointer in `msg` is null with a zero length or valid for reads of the
    // given length for the whole call; `sendmsg` only reads through them.
    let sent = unsafe { libc::sendmsg(socket.as_raw_fd(), &msg, options.as_send_flags()) };
    if sent < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(sent as usize)
}

/// `recvmsg`: receives into `bufs`, the control messages into `ancillary_data` (which then
/// owns every descriptor received), and the sender's address into `name` if given;
/// returns the byte count, the flags, and the address length the kernel reported.
///
/// # Errors
/// The `recvmsg` error (`ancillary_data` is then empty), or `InvalidInput` before it.
#[inline(always)]
pub(crate) fn recv(
    socket: BorrowedFd<'_>,
    name: Option<&mut RawSocketAddr>,
    bufs: &mut [IoSliceMut<'_>],
    ancillary_data: &mut AncillaryData<'_>,
    options: RecvOptions,
) -> io::Result<(usize, RecvResult, libc::socklen_t)> {
    let mut msg = empty_msghdr();
    fill_recv(&mut msg, bufs, Some(&mut *ancillary_data), name)?;
    let flags = options.as_recv_flags();
    // The pointees: the address storage, the buffers of `bufs`, and the control region
    // that `start_recvmsg` handed out (exclusively borrowed from `ancillary_data`).
    // SAFETY: every pointer in `msg` is null with a zero length or valid for writes of the
    // given length for the whole call, and not otherwise borrowed.
    let received = unsafe { libc::recvmsg(socket.as_raw_fd(), &mut msg, flags) };
    if received < 0 {
        return Err(io::Error::last_os_error());
    }
    #[allow(clippy::unnecessary_cast, reason = "socklen_t on musl and the BSDs")]
    let control_len = msg.msg_controllen as usize;
    // SAFETY: `recvmsg` succeeded and wrote `msg_controllen` bytes of control data into
    // the region `start_recvmsg` returned (or 0 with a null region); nothing touched
    // `ancillary_data` in between.
    unsafe { ancillary_data.finish_recvmsg(control_len) };
    Ok((
        received as usize,
        RecvResult::new(msg.msg_flags),
        msg.msg_namelen,
    ))
}

// ----- the process ----------------------------------------------------------------------------

/// This process's id, real user id and real group id.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) fn current_ids() -> (libc::pid_t, libc::uid_t, libc::gid_t) {
    // SAFETY: these calls have no preconditions and cannot fail.
    unsafe { (libc::getpid(), libc::getuid(), libc::getgid()) }
}

// ----- descriptor flags ---------------------------------------------------------------------

/// Sets or clears `FD_CLOEXEC` on `fd`: the close-on-exec fix-up where `recvmsg` has no
/// `MSG_CMSG_CLOEXEC` (macOS). A failure leaves the flags as they were; there is nothing
/// better to do with it for a descriptor that is already installed.
pub(crate) fn set_cloexec(fd: BorrowedFd<'_>, on: bool) {
    let fd = fd.as_raw_fd();
    // SAFETY: F_GETFD/F_SETFD only read and write the descriptor flags of `fd`, which is
    // open for the borrow.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFD);
        if flags >= 0 {
            let flags = if on {
                flags | libc::FD_CLOEXEC
            } else {
                flags & !libc::FD_CLOEXEC
            };
            libc::fcntl(fd, libc::F_SETFD, flags);
        }
    }
}

/// Whether `fd` has `FD_CLOEXEC`.
///
/// # Panics
/// If `F_GETFD` fails, which it cannot for an open descriptor.
#[cfg(test)]
pub(crate) fn is_cloexec(fd: BorrowedFd<'_>) -> bool {
    // SAFETY: F_GETFD only reads the descriptor flags of `fd`, open for the borrow.
    let flags = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFD) };
    assert!(flags >= 0, "F_GETFD: {}", io::Error::last_os_error());
    flags & libc::FD_CLOEXEC != 0
}

// ----- batches (Linux) ---------------------------------------------------------------------

/// Room for `N` `mmsghdr`s on the stack, of which a batch zeroes only the ones it uses: a
/// batch of a few messages does not pay for clearing all `N`.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) struct MmsgHdrs<const N: usize>([core::mem::MaybeUninit<libc::mmsghdr>; N]);

#[cfg(any(target_os = "linux", target_os = "android"))]
impl<const N: usize> MmsgHdrs<N> {
    #[inline]
    pub(crate) const fn new() -> Self {
        MmsgHdrs([const { core::mem::MaybeUninit::uninit() }; N])
    }

    /// The first `count` headers (at most `N`), all zero: null pointers and zero lengths.
    #[inline]
    pub(crate) fn zeroed(&mut self, count: usize) -> &mut [libc::mmsghdr] {
        let hdrs = &mut self.0[..count.min(N)];
        let len = hdrs.len();
        let first = hdrs.as_mut_ptr().cast::<libc::mmsghdr>();
        // `mmsghdr` is a `msghdr` (raw pointers and integers, plus padding fields on some
        // targets) and an integer, for all of which zero is a valid value; `MaybeUninit<T>`
        // has the layout of `T`.
        // SAFETY: `first` points at `len` headers of `self`, borrowed exclusively for the
        // returned slice's life; once zeroed, each is a valid `mmsghdr`.
        unsafe {
            core::ptr::write_bytes(first, 0, len);
            core::slice::from_raw_parts_mut(first, len)
        }
    }
}

/// Room for one destination address of a batch, kept across the `sendmmsg` call.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) struct Name([core::mem::MaybeUninit<u8>; size_of::<libc::sockaddr_storage>()]);

#[cfg(any(target_os = "linux", target_os = "android"))]
impl Name {
    pub(crate) const fn new() -> Name {
        Name([core::mem::MaybeUninit::uninit(); size_of::<libc::sockaddr_storage>()])
    }
}

/// Copies the address `bytes` into `name` and points `msg` at it.
///
/// # Errors
/// `InvalidInput` if the address is larger than a `sockaddr_storage`.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) fn fill_name(msg: &mut libc::msghdr, name: &mut Name, bytes: &[u8]) -> io::Result<()> {
    let room = name.0.get_mut(..bytes.len()).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "more bytes than a sockaddr_storage holds",
        )
    })?;
    for (slot, &byte) in room.iter_mut().zip(bytes) {
        slot.write(byte);
    }
    msg.msg_name = name.0.as_mut_ptr().cast();
    msg.msg_namelen = bytes.len() as libc::socklen_t;
    Ok(())
}

/// `sendmmsg`: sends the messages `hdrs` describe (filled with [`fill_send`] and, for
/// addresses, pointers the caller lends for the call); returns how many were sent. Each
/// header's `msg_len` then holds its bytes sent.
///
/// # Errors
/// The `sendmmsg` error of a batch that sent nothing.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) fn sendmmsg(
    socket: BorrowedFd<'_>,
    hdrs: &mut [libc::mmsghdr],
    options: SendOptions,
) -> io::Result<usize> {
    if hdrs.is_empty() {
        return Ok(0);
    }
    // The pointees: the `iovec`s and data of the messages and their control bytes,
    // borrowed by the caller, and the addresses it lends for the call (`fill_send` and
    // `with_sockaddr`). The kernel only reads through them.
    // SAFETY: each pointer in `hdrs` is null with a zero length or valid for reads of that
    // length for the whole call; the kernel writes only `msg_len` of each header, which
    // `hdrs` lets it.
    let sent = unsafe {
        libc::sendmmsg(
            socket.as_raw_fd(),
            hdrs.as_mut_ptr(),
            hdrs.len() as _,
            options.as_send_flags() as _,
        )
    };
    if sent < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(sent as usize)
}

/// `recvmmsg`: receives into the messages `hdrs` describe (filled with [`fill_recv`]);
/// returns how many arrived. No timeout is passed.
///
/// # Errors
/// The `recvmmsg` error (no message was received then).
///
/// # Safety
/// Every pointer in `hdrs` must be null with a zero length or valid for writes of that
/// length for the whole call, and not otherwise borrowed; the control regions must come
/// from `start_recvmsg`, and after success the caller must hand each `AncillaryData` its
/// `msg_controllen` with `finish_recvmsg`.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) unsafe fn recvmmsg(
    socket: BorrowedFd<'_>,
    hdrs: &mut [libc::mmsghdr],
    options: RecvOptions,
) -> io::Result<usize> {
    if hdrs.is_empty() {
        return Ok(0);
    }
    // The caller's promise covers the pointers; the timeout is null, which `recvmmsg`
    // allows, and at most `hdrs.len()` headers are written.
    // SAFETY: the kernel writes through valid, exclusively lent pointers only.
    let received = unsafe {
        libc::recvmmsg(
            socket.as_raw_fd(),
            hdrs.as_mut_ptr(),
            hdrs.len() as _,
            options.as_recv_flags() as _,
            core::ptr::null_mut(),
        )
    };
    if received < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(received as usize)
}

// ----- io_uring (Linux) --------------------------------------------------------------------

with_io_uring! {
    /// An all-zero `msghdr` for an io_uring operation to fill and keep.
    pub(crate) fn uring_msghdr() -> libc::msghdr {
        empty_msghdr()
    }

    /// Points `msg` at `iovecs` (which the caller keeps, unmoved, as long as `msg` is used),
    /// at `control` (null with length 0 for none) and at `name` (pointer and length; null
    /// with 0 for none). The io_uring operations fill their headers here, once, and keep every
    /// pointee in one allocation until the completion.
    ///
    /// # Errors
    /// `InvalidInput` if there are more buffers or control bytes than `msghdr` can describe.
    pub(crate) fn fill_uring(
        msg: &mut libc::msghdr,
        iovecs: &mut [libc::iovec],
        control: Option<(*mut u8, usize)>,
        name: (*mut libc::c_void, libc::socklen_t),
    ) -> io::Result<()> {
        if !iovlen_fits(iovecs.len()) {
            return Err(too_many_buffers());
        }
        msg.msg_iov = iovecs.as_mut_ptr();
        msg.msg_iovlen = iovecs.len() as _;
        (msg.msg_name, msg.msg_namelen) = name;
        if let Some((control, len)) = control {
            if controllen_clamp(len) != len {
                return Err(too_much_control_data());
            }
            msg.msg_control = control.cast();
            msg.msg_controllen = len as _;
        }
        Ok(())
    }
}
