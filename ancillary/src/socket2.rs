//! [`socket2::Socket`] support (feature `socket2`).
//!
//! With this feature, [`socket2::Socket`] implements [`SendMessage`], [`SendMessageTo`],
//! [`RecvMessage`] and [`RecvMessageFrom`] (with [`socket2::SockAddr`] as the address,
//! which implements [`SocketAddress`]), so every kind of socket that `socket2` can create
//! works with [`MessageSender`](crate::MessageSender) and
//! [`MessageReceiver`](crate::MessageReceiver): `SOCK_SEQPACKET`, raw sockets, sockets
//! with options set before `bind`. This module has no items of its own.
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

use core::mem::size_of;
use std::io::{self, IoSlice, IoSliceMut};

use ::socket2::{SockAddr, SockAddrStorage, Socket};

use crate::addr::SocketAddress;
use crate::ancillary::AncillaryData;
use crate::options::{RecvOptions, RecvResult, SendOptions};
use crate::socket::{RecvMessage, RecvMessageFrom, SendMessage, SendMessageTo};
use crate::sys;

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
impl SocketAddress for SockAddr {
    fn with_sockaddr<R>(
        &self,
        f: impl FnOnce(*const libc::sockaddr, libc::socklen_t) -> R,
    ) -> io::Result<R> {
        // `SockAddrStorage` is `repr(transparent)` over `sockaddr_storage`, and `len` never
        // exceeds it, so the pointer is valid for reads of `len` bytes while `self` lives.
        Ok(f(self.as_ptr().cast::<libc::sockaddr>(), self.len()))
    }

    fn from_sockaddr(storage: &libc::sockaddr_storage, len: libc::socklen_t) -> io::Result<Self> {
        let len_bytes = len as usize;
        let min = match i32::from(storage.ss_family) {
            libc::AF_INET => size_of::<libc::sockaddr_in>(),
            libc::AF_INET6 => size_of::<libc::sockaddr_in6>(),
            _ => 0,
        };
        if len_bytes > size_of::<libc::sockaddr_storage>() || len_bytes < min {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "recvmsg returned an address whose length does not fit its family",
            ));
        }
        let mut copy = SockAddrStorage::zeroed();
        // SAFETY: `sockaddr_storage` is one of the `sockaddr_*` types of this platform, as
        // `view_as` requires (and the storage is `repr(transparent)` over it).
        *unsafe { copy.view_as::<libc::sockaddr_storage>() } = *storage;
        // The checks above make sure that the length never exceeds the storage (so every
        // read `socket2` makes by length stays inside it, all of it initialised) and that
        // IPv4 and IPv6 addresses, read by family alone, are complete.
        // SAFETY: `SockAddr::new` asks that family and length match the storage: the bytes
        // are what `recvmsg` wrote for the socket's own family, with the length it returned.
        Ok(unsafe { SockAddr::new(copy, len) })
    }
}

crate::socket::impl_send_recv!(Socket);
crate::socket::impl_to_from!(Socket => SockAddr);
