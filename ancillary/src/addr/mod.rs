//! Socket addresses: the [`SocketAddress`] bridge between Rust address types and
//! `sockaddr`, the kernel's own bytes ([`RawSocketAddr`]), and the error that keeps a
//! received message's facts when its address does not convert ([`AddressError`]).
//!
//! `inet` and `unix` hold the implementations for std's address types.

mod error;
mod inet;
mod raw;
mod unix;

use std::io;

pub use self::error::AddressError;
#[cfg(feature = "socket2")]
pub(crate) use self::raw::to_sock_addr;
pub(crate) use self::raw::view;
#[cfg(any(test, linux_like))]
pub(crate) use self::raw::with_sockaddr_bytes;
use self::raw::zeroed;
pub use self::raw::RawSocketAddr;

/// A socket address type that can be passed to `sendmsg` and read back from `recvmsg`.
///
/// Implemented for [`std::net::SocketAddr`], [`SocketAddrV4`](std::net::SocketAddrV4),
/// [`SocketAddrV6`](std::net::SocketAddrV6), [`std::os::unix::net::SocketAddr`] and
/// [`RawSocketAddr`] (any family, as the kernel wrote it). A crate with its own address
/// type implements it to use [`send_message_to`](crate::send_message_to) and
/// [`recv_message_from`](crate::recv_message_from) in its `SendMessageTo` and
/// `RecvMessageFrom` impls.
///
/// # Safety
///
/// The crate hands the pointer and length that [`with_sockaddr`](Self::with_sockaddr)
/// passes to `f` to the kernel, which reads that many bytes through the pointer. An
/// implementation must therefore call `f` only with a pointer that is valid for reads of
/// `len` bytes, all of them initialised, for the whole duration of the call of `f` (for
/// example a `sockaddr_*` value on the stack of `with_sockaddr`, and its size). Nothing is
/// asked of [`from_sockaddr`](Self::from_sockaddr): it only sees a reference.
///
/// # Example
///
/// An address type of another crate: a Unix socket path kept as bytes.
///
/// ```
/// use std::io;
/// use std::mem::offset_of;
/// use ancillary::{RawSocketAddr, SocketAddress};
///
/// struct PathAddr(Vec<u8>);
///
/// // SAFETY: `f` gets a pointer to a `sockaddr_un` that lives on this stack frame for the
/// // whole call, and a length no larger than its size.
/// unsafe impl SocketAddress for PathAddr {
///     fn with_sockaddr<R>(
///         &self,
///         f: impl FnOnce(*const libc::sockaddr, libc::socklen_t) -> R,
///     ) -> io::Result<R> {
///         let mut sun = libc::sockaddr_un {
///             sun_family: libc::AF_UNIX as libc::sa_family_t,
///             sun_path: [0; 108],
///         };
///         if self.0.len() >= sun.sun_path.len() {
///             return Err(io::Error::new(io::ErrorKind::InvalidInput, "path too long"));
///         }
///         for (slot, &byte) in sun.sun_path.iter_mut().zip(&self.0) {
///             *slot = byte as libc::c_char;
///         }
///         let len = offset_of!(libc::sockaddr_un, sun_path) + self.0.len() + 1;
///         Ok(f((&raw const sun).cast(), len as libc::socklen_t))
///     }
///
///     fn from_sockaddr(addr: &RawSocketAddr) -> io::Result<Self> {
///         if i32::from(addr.family()) != libc::AF_UNIX {
///             return Err(io::Error::new(io::ErrorKind::InvalidInput, "not AF_UNIX"));
///         }
///         let path = addr.as_bytes().get(offset_of!(libc::sockaddr_un, sun_path)..);
///         let path = path.unwrap_or_default();
///         let end = path.iter().position(|&b| b == 0).unwrap_or(path.len());
///         Ok(PathAddr(path[..end].to_vec()))
///     }
/// }
/// ```
pub unsafe trait SocketAddress: Sized {
    /// Calls `f` with a pointer to this address as a `sockaddr` and its length in bytes,
    /// and returns what `f` returned.
    ///
    /// # Errors
    /// If the address cannot be expressed as a `sockaddr` (such as an unnamed Unix
    /// address, which no socket can be sent to).
    fn with_sockaddr<R>(
        &self,
        f: impl FnOnce(*const libc::sockaddr, libc::socklen_t) -> R,
    ) -> io::Result<R>;

    /// Reads an address that `recvmsg` wrote: [`RawSocketAddr::as_bytes`] are its bytes,
    /// [`RawSocketAddr::len`] the length the kernel reported (which may exceed them, see
    /// there).
    ///
    /// # Errors
    /// If the bytes are not an address of this type (wrong family or length). The
    /// receive functions then return an [`AddressError`] that still reports what was
    /// received.
    fn from_sockaddr(addr: &RawSocketAddr) -> io::Result<Self>;
}

/// An `InvalidInput` error with a fixed message.
fn invalid(msg: &'static str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}
