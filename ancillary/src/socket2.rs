//! [`socket2::Socket`] support (feature `socket2`).
//!
//! With this feature, [`socket2::Socket`] implements [`SendMessage`], [`SendMessageTo`],
//! [`RecvMessage`] and [`RecvMessageFrom`] (with [`socket2::SockAddr`] as the address,
//! which implements [`SocketAddress`]), so every kind of socket that `socket2` can create
//! works with [`MessageSender`](crate::MessageSender) and
//! [`MessageReceiver`](crate::MessageReceiver): `SOCK_SEQPACKET`, raw sockets, sockets
//! with options set before `bind`. This module has no items of its own.
//!
//! The example uses `Socket::pair`, which socket2 has only with its own `all` feature:
//! depend on `socket2 = { version = "0.6", features = ["all"] }` to write it (without that
//! feature, `Socket::pair` does not exist: error E0599).
//!
//! ```
//! # fn main() -> std::io::Result<()> {
//! use std::os::fd::AsFd;
//! use socket2::{Domain, Socket, Type};
//! use ancillary::{AncillaryData, MessageReceiver, MessageSender};
//!
//! let (left, right) = Socket::pair(Domain::UNIX, Type::SEQPACKET, None)?;
//! let file = std::fs::File::open("Cargo.toml")?;
//! let mut ancillary = AncillaryData::new();
//! ancillary.add_file_descriptors(&[file.as_fd()]);
//! MessageSender::new(&left, b"record").ancillary_data(&mut ancillary).send()?;
//!
//! let mut received = AncillaryData::with_capacity(AncillaryData::space_for_fds(1));
//! let mut buf = [0; 16];
//! let (n, _) = MessageReceiver::new(&right, &mut buf).ancillary_data(&mut received).recv()?;
//! assert_eq!(&buf[..n], b"record");
//! let [fd] = received.take_exact_fds()?;
//! # drop(fd);
//! # Ok(())
//! # }
//! ```

use std::io::{self, IoSlice, IoSliceMut};

use ::socket2::{SockAddr, Socket};

use crate::addr::{RawSocketAddr, SocketAddress};
use crate::ancillary_data::AncillaryData;
use crate::options::{RecvOptions, RecvResult, SendOptions};
use crate::socket::{RecvMessage, RecvMessageFrom, SendMessage, SendMessageTo};

/// `SockAddr` of any family: `socket2` keeps a `sockaddr_storage` and its length.
///
/// A received address is kept as the kernel wrote it. Where the sender has none (an
/// unbound Unix datagram socket on Linux), that is a `SockAddr` of length 0 (family
/// `AF_UNSPEC`), not an unnamed `AF_UNIX` address.
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// use socket2::{Domain, SockAddr, Socket, Type};
/// use ancillary::{MessageReceiver, MessageSender};
///
/// let socket = Socket::new(Domain::IPV4, Type::DGRAM, None)?;
/// socket.bind(&SockAddr::from("127.0.0.1:0".parse::<std::net::SocketAddr>().unwrap()))?;
/// let addr = socket.local_addr()?;
/// MessageSender::new(&socket, b"hi").send_to(&addr)?;
///
/// let mut buf = [0; 4];
/// let (n, _, from) = MessageReceiver::new(&socket, &mut buf).recv_from()?;
/// assert_eq!(n, 2);
/// assert_eq!(from.as_socket(), addr.as_socket());
/// # Ok(())
/// # }
/// ```
// SAFETY: `f` gets socket2's own pointer and length: `SockAddr` keeps a whole
// `sockaddr_storage`, initialised, and a length no larger than it (an invariant of
// socket2's safe constructors, and the contract of its `unsafe SockAddr::new`, which
// `addr::to_sock_addr` keeps), borrowed from `self` for the whole call.
unsafe impl SocketAddress for SockAddr {
    fn with_sockaddr<R>(
        &self,
        f: impl FnOnce(*const libc::sockaddr, libc::socklen_t) -> R,
    ) -> io::Result<R> {
        Ok(f(self.as_ptr().cast::<libc::sockaddr>(), self.len()))
    }

    fn from_sockaddr(addr: &RawSocketAddr) -> io::Result<Self> {
        crate::addr::to_sock_addr(addr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unix_image(path: &[u8], len: usize) -> RawSocketAddr {
        let path_at = core::mem::offset_of!(libc::sockaddr_un, sun_path);
        let mut bytes = vec![0u8; path_at + path.len()];
        let family_at = core::mem::offset_of!(libc::sockaddr_un, sun_family);
        let family = (libc::AF_UNIX as libc::sa_family_t).to_ne_bytes();
        bytes[family_at..family_at + family.len()].copy_from_slice(&family);
        bytes[path_at..].copy_from_slice(path);
        RawSocketAddr::from_bytes(&bytes, len as libc::socklen_t).unwrap()
    }

    /// A Unix address claiming the whole storage would make socket2 read a path past
    /// `sun_path` (undefined behaviour that Miri reports): it is refused.
    #[test]
    fn a_unix_length_past_sun_path_is_refused() {
        let addr = unix_image(b"x", size_of::<libc::sockaddr_storage>());
        let err = SockAddr::from_sockaddr(&addr).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }

    /// Linux's report for a path that fills `sun_path`: one past the struct.
    #[test]
    fn a_path_that_fills_sun_path_converts_whole() {
        let path_at = core::mem::offset_of!(libc::sockaddr_un, sun_path);
        let full = vec![b'p'; size_of::<libc::sockaddr_un>() - path_at];
        let addr = unix_image(&full, size_of::<libc::sockaddr_un>() + 1);
        let converted = SockAddr::from_sockaddr(&addr).unwrap();
        let path = converted.as_pathname().expect("a pathname");
        assert_eq!(path.as_os_str().len(), full.len());
    }

    /// IPv4 and IPv6 addresses, which socket2 reads by family, convert only whole.
    #[test]
    fn a_short_ip_address_is_refused() {
        for ip in ["127.0.0.1:9", "[::1]:9"] {
            let ip: std::net::SocketAddr = ip.parse().unwrap();
            let whole = SockAddr::from(ip);
            let bytes = crate::addr::with_sockaddr_bytes(&whole, <[u8]>::to_vec).unwrap();
            let short = RawSocketAddr::from_bytes(&bytes, whole.len() - 1).unwrap();
            assert!(SockAddr::from_sockaddr(&short).is_err(), "{ip}");
            let full = RawSocketAddr::from_bytes(&bytes, whole.len()).unwrap();
            assert_eq!(
                SockAddr::from_sockaddr(&full).unwrap().as_socket(),
                Some(ip)
            );
        }
    }
}

crate::socket::impl_send_recv!(Socket);
crate::socket::impl_to_from!(Socket => SockAddr);
