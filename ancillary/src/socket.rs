//! The open traits over `sendmsg`/`recvmsg`, and their implementations for std's sockets.

use std::io::{self, IoSlice, IoSliceMut};
use std::net::{TcpStream, UdpSocket};
use std::os::fd::{AsRawFd, BorrowedFd};
use std::os::unix::net::{UnixDatagram, UnixStream};

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

/// The descriptor of `socket`, borrowed for as long as `socket` is.
///
/// std's `AsFd` impls for its sockets end in a call that is not inlined, and to the
/// compiler that call may unwind: every value with drop glue that is alive across it (such
/// as the builders' empty `AncillaryData`) must then be fully written to memory first.
/// `AsRawFd` is inlined, so borrowing through it costs a load.
///
/// # Safety
/// `socket` must own its descriptor and keep it open for as long as it lives, as std's
/// socket types and socket2's `Socket` do.
#[inline(always)]
pub(crate) unsafe fn borrow_fd<S: AsRawFd>(socket: &S) -> BorrowedFd<'_> {
    // SAFETY: the caller guarantees that `socket` keeps the descriptor open for its whole
    // lifetime, which bounds the returned borrow.
    unsafe { BorrowedFd::borrow_raw(socket.as_raw_fd()) }
}

macro_rules! impl_send_recv {
    ($($socket:ty),*) => {$(
        impl SendMessage for $socket {
            #[inline(always)]
            fn send_message(
                &self,
                bufs: &[IoSlice<'_>],
                ancillary_data: &mut AncillaryData<'_>,
                options: SendOptions,
            ) -> io::Result<usize> {
                // SAFETY: this macro is only used for std's sockets and socket2's
                // `Socket`, which own their descriptor for as long as they live.
                let fd = unsafe { $crate::socket::borrow_fd(self) };
                sys::send_message(fd, bufs, ancillary_data, options)
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
                // SAFETY: this macro is only used for std's sockets and socket2's
                // `Socket`, which own their descriptor for as long as they live.
                let fd = unsafe { $crate::socket::borrow_fd(self) };
                sys::recv_message(fd, bufs, ancillary_data, options)
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
                // SAFETY: this macro is only used for std's sockets and socket2's
                // `Socket`, which own their descriptor for as long as they live.
                let fd = unsafe { $crate::socket::borrow_fd(self) };
                sys::send_message_to(fd, addr, bufs, ancillary_data, options)
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
                // SAFETY: this macro is only used for std's sockets and socket2's
                // `Socket`, which own their descriptor for as long as they live.
                let fd = unsafe { $crate::socket::borrow_fd(self) };
                sys::recv_message_from(fd, bufs, ancillary_data, options)
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
