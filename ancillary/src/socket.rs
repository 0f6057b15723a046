//! The open traits over `sendmsg`/`recvmsg`, their implementations for std's sockets, and
//! the functions that implement them for any socket given as a [`BorrowedFd`]: public, so
//! that any crate can implement [`SendMessage`] and friends for its own socket types in a
//! line each, with the same guarantees as the implementations for std's sockets.

use std::io::{self, IoSlice, IoSliceMut};
use std::net::{TcpStream, UdpSocket};
use std::os::fd::BorrowedFd;
use std::os::unix::net::{UnixDatagram, UnixStream};

use crate::addr::{AddressError, RawSocketAddr, SocketAddress};
use crate::ancillary_data::AncillaryData;
use crate::options::{RecvOptions, RecvResult, SendOptions};
use crate::sys;

/// Sockets that can send data with control messages (`sendmsg` without an address).
///
/// Implemented for [`UnixStream`], [`UnixDatagram`], [`TcpStream`] and [`UdpSocket`]. The
/// trait is open: implement it for another socket type by calling
/// [`send_message`](crate::send_message) on its descriptor.
pub trait SendMessage {
    /// Sends the data in `bufs` with the control messages in `ancillary_data`, returning
    /// the number of data bytes sent.
    ///
    /// # Errors
    /// The system call's error, or `InvalidInput` if `ancillary_data` overflowed its fixed
    /// storage.
    fn send_message(
        &self,
        bufs: &[IoSlice<'_>],
        ancillary_data: &mut AncillaryData<'_>,
        options: SendOptions,
    ) -> io::Result<usize>;
}

/// Sockets that can send data with control messages to an address.
///
/// Implemented for [`UnixDatagram`] and [`UdpSocket`]; open like [`SendMessage`] (see
/// [`send_message_to`](crate::send_message_to)).
pub trait SendMessageTo {
    /// The address type of the socket.
    type SocketAddr;

    /// Sends the data in `bufs` with the control messages in `ancillary_data` to `addr`.
    ///
    /// # Errors
    /// As [`SendMessage::send_message`].
    fn send_message_to(
        &self,
        addr: &Self::SocketAddr,
        bufs: &[IoSlice<'_>],
        ancillary_data: &mut AncillaryData<'_>,
        options: SendOptions,
    ) -> io::Result<usize>;
}

/// Sockets that can receive data with control messages (`recvmsg`).
///
/// Implemented for [`UnixStream`], [`UnixDatagram`], [`TcpStream`] and [`UdpSocket`]; open
/// like [`SendMessage`] (see [`recv_message`](crate::recv_message)).
pub trait RecvMessage {
    /// Receives data into `bufs` and control messages into `ancillary_data` (clearing it
    /// first), returning the number of data bytes and the result flags.
    ///
    /// # Errors
    /// The system call's error.
    fn recv_message(
        &self,
        bufs: &mut [IoSliceMut<'_>],
        ancillary_data: &mut AncillaryData<'_>,
        options: RecvOptions,
    ) -> io::Result<(usize, RecvResult)>;
}

/// Sockets that can receive data with control messages and the sender's address.
///
/// Implemented for [`UnixDatagram`] and [`UdpSocket`]; open like [`SendMessage`] (see
/// [`recv_message_from`](crate::recv_message_from)).
pub trait RecvMessageFrom {
    /// The address type of the socket.
    type SocketAddr;

    /// As [`RecvMessage::recv_message`], also returning the sender's address.
    ///
    /// # Errors
    /// The system call's error; or, when the message was received but the address did not
    /// convert into `Self::SocketAddr`, an [`AddressError`](crate::AddressError) inside
    /// the [`io::Error`], which still says what was received (see
    /// [`recv_message_from`](crate::recv_message_from)).
    fn recv_message_from(
        &self,
        bufs: &mut [IoSliceMut<'_>],
        ancillary_data: &mut AncillaryData<'_>,
        options: RecvOptions,
    ) -> io::Result<(usize, RecvResult, Self::SocketAddr)>;
}

// ----- the functions behind the traits ------------------------------------------------

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
    sys::send(socket, None, bufs, ancillary_data, options)
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
        sys::send(
            socket,
            Some((name, name_len)),
            bufs,
            ancillary_data,
            options,
        )
    })?
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
    sys::recv(socket, None, bufs, ancillary_data, options)
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
    let (n, result) = sys::recv(socket, Some(&mut name), bufs, ancillary_data, options)?;
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

// ----- std's sockets ---------------------------------------------------------------

macro_rules! impl_send_recv {
    ($($socket:ty),*) => {$(
        // SAFETY: this macro is only used for std's sockets and socket2's `Socket`, which
        // own their descriptor for as long as they live.
        unsafe impl $crate::sys::OwnsFd for $socket {}

        impl SendMessage for $socket {
            #[inline(always)]
            fn send_message(
                &self,
                bufs: &[IoSlice<'_>],
                ancillary_data: &mut AncillaryData<'_>,
                options: SendOptions,
            ) -> io::Result<usize> {
                let fd = $crate::sys::OwnsFd::fd(self);
                $crate::socket::send_message(fd, bufs, ancillary_data, options)
            }
        }

        impl RecvMessage for $socket {
            #[inline(always)]
            fn recv_message(
                &self,
                bufs: &mut [IoSliceMut<'_>],
                ancillary_data: &mut AncillaryData<'_>,
                options: RecvOptions,
            ) -> io::Result<(usize, RecvResult)> {
                let fd = $crate::sys::OwnsFd::fd(self);
                $crate::socket::recv_message(fd, bufs, ancillary_data, options)
            }
        }
    )*};
}

macro_rules! impl_to_from {
    ($($socket:ty => $addr:ty),*) => {$(
        impl SendMessageTo for $socket {
            type SocketAddr = $addr;

            #[inline(always)]
            fn send_message_to(
                &self,
                addr: &$addr,
                bufs: &[IoSlice<'_>],
                ancillary_data: &mut AncillaryData<'_>,
                options: SendOptions,
            ) -> io::Result<usize> {
                let fd = $crate::sys::OwnsFd::fd(self);
                $crate::socket::send_message_to(fd, addr, bufs, ancillary_data, options)
            }
        }

        impl RecvMessageFrom for $socket {
            type SocketAddr = $addr;

            #[inline(always)]
            fn recv_message_from(
                &self,
                bufs: &mut [IoSliceMut<'_>],
                ancillary_data: &mut AncillaryData<'_>,
                options: RecvOptions,
            ) -> io::Result<(usize, RecvResult, $addr)> {
                let fd = $crate::sys::OwnsFd::fd(self);
                $crate::socket::recv_message_from(fd, bufs, ancillary_data, options)
            }
        }
    )*};
}

// For the optional socket types of other crates (`crate::socket2`).
#[allow(unused_imports, reason = "used only with some features")]
pub(crate) use {impl_send_recv, impl_to_from};

impl_send_recv!(UnixStream, UnixDatagram, TcpStream, UdpSocket);
impl_to_from!(
    UnixDatagram => std::os::unix::net::SocketAddr,
    UdpSocket => std::net::SocketAddr
);
