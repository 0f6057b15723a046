//! [`AddressError`]: a message was received, but its sender's address did not convert.

use core::fmt;
use std::error::Error;
use std::io;

use super::RawSocketAddr;
use crate::options::RecvResult;

/// A message was received, but the sender's address could not be converted into the
/// address type asked for.
///
/// The message was taken from the socket: its data is in the buffers, its control
/// messages (and descriptors) are in the `AncillaryData`. So that nothing of it is lost,
/// [`recv_message_from`](crate::recv_message_from) and every `recv_from` built on it
/// return this inside the [`io::Error`] (kind `InvalidData`); get it back with
/// [`AddressError::from_io_error`] to learn how many bytes arrived, the flags, and the
/// address as the kernel wrote it.
///
/// With the crate's own address types this happens only where the type cannot hold what
/// the kernel reported: a `SocketAddrV4` asked of an IPv6 sender, or on std's
/// [`std::os::unix::net::SocketAddr`] a path that fills `sun_path` without a terminating
/// NUL (108 bytes on Linux), which std's constructors refuse although the kernel allows
/// binding it. Receive into a [`RawSocketAddr`] to accept every address.
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// use std::io::IoSliceMut;
/// use std::net::{SocketAddrV4, UdpSocket};
/// use std::os::fd::AsFd;
/// use ancillary::{AddressError, AncillaryData, RecvOptions};
///
/// let receiver = UdpSocket::bind("[::1]:0")?;
/// UdpSocket::bind("[::1]:0")?.send_to(b"hello", receiver.local_addr()?)?;
///
/// let mut buf = [0; 8];
/// let err = ancillary::recv_message_from::<SocketAddrV4>(
///     receiver.as_fd(),
///     &mut [IoSliceMut::new(&mut buf)],
///     &mut AncillaryData::new(),
///     RecvOptions::new(),
/// )
/// .unwrap_err();
/// let lost = AddressError::from_io_error(&err).expect("the datagram arrived");
/// assert_eq!(lost.bytes_received(), 5);
/// assert_eq!(&buf[..5], b"hello");
/// assert_eq!(i32::from(lost.address().family()), libc::AF_INET6);
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct AddressError {
    received: usize,
    result: RecvResult,
    address: RawSocketAddr,
    reason: io::Error,
}

impl AddressError {
    /// What a receive returns when `address` did not convert: the `received` bytes and
    /// `result` flags of the message, and why (`reason`, the conversion's error).
    #[must_use]
    pub fn new(
        received: usize,
        result: RecvResult,
        address: RawSocketAddr,
        reason: io::Error,
    ) -> AddressError {
        AddressError {
            received,
            result,
            address,
            reason,
        }
    }

    /// The `AddressError` inside `error`, if it is one.
    #[must_use]
    pub fn from_io_error(error: &io::Error) -> Option<&AddressError> {
        error.get_ref()?.downcast_ref()
    }

    /// The number of data bytes received, as the receive would have returned it.
    #[must_use]
    pub const fn bytes_received(&self) -> usize {
        self.received
    }

    /// The flags of the receive, as it would have returned them.
    #[must_use]
    pub const fn result(&self) -> RecvResult {
        self.result
    }

    /// The sender's address, as the kernel wrote it.
    #[must_use]
    pub const fn address(&self) -> &RawSocketAddr {
        &self.address
    }

    /// Why the address did not convert.
    #[must_use]
    pub const fn reason(&self) -> &io::Error {
        &self.reason
    }
}

impl fmt::Display for AddressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "received {} bytes, but the sender's address (family {}, length {}) did not \
             convert: {}",
            self.received,
            self.address.family(),
            self.address.len(),
            self.reason
        )
    }
}

impl Error for AddressError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.reason)
    }
}

impl From<AddressError> for io::Error {
    fn from(error: AddressError) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, error)
    }
}
