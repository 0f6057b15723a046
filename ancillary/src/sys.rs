//! The `sendmsg`/`recvmsg` calls, on any socket given as a [`BorrowedFd`].
//!
//! These are public so that any crate can implement [`SendMessage`](crate::SendMessage)
//! and friends for its own socket types in a line each, with the same guarantees as the
//! implementations for std's sockets.

use core::ffi::c_int;
use core::mem::size_of;
use std::io::{self, IoSlice, IoSliceMut};
use std::os::fd::{AsRawFd, BorrowedFd};

use crate::addr::{AddressError, RawSocketAddr, SocketAddress};
use crate::ancillary_data::AncillaryData;
use crate::options::{RecvOptions, RecvResult, SendOptions};
use crate::cmsg::size_of_field;

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

/// Sends `bufs` and the control messages of `ancillary_data` on a connected socket
/// (`sendmsg` without an address).
///
/// No control data means a null `msg_control` and a `msg_controllen` of 0.
///
/// # Errors
/// The `sendmsg` error, or `InvalidInput` before any system call if `ancillary_data`
/// overflowed its fixed storage (see
/// [`AncillaryData::add_control_message`](crate::AncillaryData::add_control_message)).
///
/// # Example
/// Implementing the traits for a socket type of another crate:
///
/// ```
/// use std::io::{self, IoSlice, IoSliceMut};
/// use std::os::fd::{AsFd, OwnedFd};
/// use ancillary::{AncillaryData, RecvMessage, RecvOptions, RecvResult, SendMessage, SendOptions};
///
/// struct SeqPacket(OwnedFd);
///
/// impl SendMessage for SeqPacket {
///     fn send_message(
///         &self,
///         bufs: &[IoSlice<'_>],
///         ancillary_data: &mut AncillaryData<'_>,
///         options: SendOptions,
///     ) -> io::Result<usize> {
///         ancillary::send_message(self.0.as_fd(), bufs, ancillary_data, options)
///     }
/// }
///
/// impl RecvMessage for SeqPacket {
///     fn recv_message(
///         &self,
///         bufs: &mut [IoSliceMut<'_>],
///         ancillary_data: &mut AncillaryData<'_>,
///         options: RecvOptions,
///     ) -> io::Result<(usize, RecvResult)> {
///         ancillary::recv_message(self.0.as_fd(), bufs, ancillary_data, options)
///     }
/// }
/// ```
///
/// # References
/// [`sendmsg(2)`](https://man7.org/linux/man-pages/man2/sendmsg.2.html)
#[doc(alias = "sendmsg")]
#[inline]
pub fn send_message(
    socket: BorrowedFd<'_>,
    bufs: &[IoSlice<'_>],
    ancillary_data: &mut AncillaryData<'_>,
    options: SendOptions,
) -> io::Result<usize> {
    send(socket, None, bufs, ancillary_data, options)
}

/// Sends `bufs` and the control messages of `ancillary_data` to `addr` (`sendmsg` with
/// `msg_name`).
///
/// # Errors
/// As [`send_message`], or `InvalidInput` if `addr` cannot be expressed as a `sockaddr`.
#[doc(alias = "sendmsg")]
pub fn send_message_to<A: SocketAddress>(
    socket: BorrowedFd<'_>,
    addr: &A,
    bufs: &[IoSlice<'_>],
    ancillary_data: &mut AncillaryData<'_>,
    options: SendOptions,
) -> io::Result<usize> {
    addr.with_sockaddr(|name, name_len| {
        send(
            socket,
            Some((name, name_len)),
            bufs,
            ancillary_data,
            options,
        )
    })?
}

#[inline(always)]
fn send(
    socket: BorrowedFd<'_>,
    name: Option<(*const libc::sockaddr, libc::socklen_t)>,
    bufs: &[IoSlice<'_>],
    ancillary_data: &mut AncillaryData<'_>,
    options: SendOptions,
) -> io::Result<usize> {
    let control = ancillary_data.start_sendmsg()?;
    let mut msg = empty_msghdr();
    if let Some((name, name_len)) = name {
        msg.msg_name = name.cast_mut().cast();
        msg.msg_namelen = name_len;
    }
    if !iovlen_fits(bufs.len()) {
        return Err(too_many_buffers());
    }
    // `IoSlice` is guaranteed ABI-compatible with `iovec` on Unix.
    msg.msg_iov = bufs.as_ptr().cast_mut().cast::<libc::iovec>();
    msg.msg_iovlen = bufs.len() as _;
    if let Some(control) = control {
        if controllen_clamp(control.len()) != control.len() {
            return Err(too_much_control_data());
        }
        msg.msg_control = control.as_ptr().cast_mut().cast();
        msg.msg_controllen = control.len() as _;
    }
    // The pointees: the address from `with_sockaddr`, the `iovec`s of `bufs`, and the
    // control bytes borrowed from `ancillary_data`.
    // SAFETY: every pointer in `msg` is null with a zero length or valid for reads of the
    // given length for the whole call; `sendmsg` only reads through them.
    let sent = unsafe { libc::sendmsg(socket.as_raw_fd(), &msg, options.as_send_flags()) };
    if sent < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(sent as usize)
}

/// Receives into `bufs` and the control messages into `ancillary_data` (`recvmsg`
/// without an address).
///
/// `ancillary_data` is cleared first, closing any descriptors received earlier and not
/// taken (even if the call then fails, such as with `WouldBlock`); it then owns every
/// descriptor the kernel installs. `MSG_CMSG_CLOEXEC` is always passed where it exists.
///
/// # Errors
/// The `recvmsg` error; `ancillary_data` is then empty.
///
/// # References
/// [`recvmsg(2)`](https://man7.org/linux/man-pages/man2/recvmsg.2.html)
#[doc(alias = "recvmsg")]
#[inline]
pub fn recv_message(
    socket: BorrowedFd<'_>,
    bufs: &mut [IoSliceMut<'_>],
    ancillary_data: &mut AncillaryData<'_>,
    options: RecvOptions,
) -> io::Result<(usize, RecvResult)> {
    let (n, result, _) = recv(socket, None, bufs, ancillary_data, options)?;
    Ok((n, result))
}

/// Receives like [`recv_message`], and returns the sender's address too.
///
/// The address is converted after the message was taken from the socket. If it does not
/// convert into an `A` (such as an IPv6 sender when `A` is `SocketAddrV4`), the error is
/// an [`AddressError`] inside the [`io::Error`] (kind `InvalidData`) that still says how
/// many bytes arrived, the flags, and the address as the kernel wrote it; the data and
/// control messages are in `bufs` and `ancillary_data` as after a success. With
/// `A` = [`RawSocketAddr`](crate::RawSocketAddr) every address converts.
///
/// # Errors
/// As [`recv_message`], or the [`AddressError`] above.
#[doc(alias = "recvmsg")]
pub fn recv_message_from<A: SocketAddress>(
    socket: BorrowedFd<'_>,
    bufs: &mut [IoSliceMut<'_>],
    ancillary_data: &mut AncillaryData<'_>,
    options: RecvOptions,
) -> io::Result<(usize, RecvResult, A)> {
    let mut name = RawSocketAddr::new();
    let (n, result, name_len) = recv(socket, Some(&mut name), bufs, ancillary_data, options)?;
    name.set_len(name_len);
    match A::from_sockaddr(&name) {
        Ok(addr) => Ok((n, result, addr)),
        Err(reason) => Err(address_error(n, result, name, reason)),
    }
}

#[cold]
#[inline(never)]
fn address_error(
    n: usize,
    result: RecvResult,
    name: RawSocketAddr,
    reason: io::Error,
) -> io::Error {
    AddressError::new(n, result, name, reason).into()
}

#[inline(always)]
fn recv(
    socket: BorrowedFd<'_>,
    name: Option<&mut RawSocketAddr>,
    bufs: &mut [IoSliceMut<'_>],
    ancillary_data: &mut AncillaryData<'_>,
    options: RecvOptions,
) -> io::Result<(usize, RecvResult, libc::socklen_t)> {
    if !iovlen_fits(bufs.len()) {
        return Err(too_many_buffers());
    }
    let mut msg = empty_msghdr();
    if let Some(name) = name {
        (msg.msg_name, msg.msg_namelen) = name.name_buffer();
    }
    // `IoSliceMut` is guaranteed ABI-compatible with `iovec` on Unix.
    msg.msg_iov = bufs.as_mut_ptr().cast::<libc::iovec>();
    msg.msg_iovlen = bufs.len() as _;
    if let Some(control) = ancillary_data.start_recvmsg() {
        // A larger region is only offered in part.
        let len = controllen_clamp(control.len());
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = len as _;
    }
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
