//! [`RawSocketAddr`]: a socket address as the kernel wrote it; and every `unsafe` step of
//! the address types: zeroed and viewed `sockaddr_*`s, the bytes a [`SocketAddress`]
//! lends, and the copy into socket2's `SockAddr`.

use core::fmt;
use std::io;

use super::SocketAddress;

/// The size of a `sockaddr_storage`: room for an address of any family.
const STORAGE_LEN: usize = size_of::<libc::sockaddr_storage>();

/// A socket address of any family, exactly as the kernel wrote it: the bytes of a
/// `sockaddr_storage` and the length the kernel reported.
///
/// Every address `recvmsg` can report is one, so
/// [`recv_message_from::<RawSocketAddr>`](crate::recv_message_from) never fails after the
/// message was taken from the socket. It is what [`SocketAddress::from_sockaddr`]
/// converts from, what an [`AddressError`](crate::AddressError) carries when an address
/// did not convert into the type asked for, and it can be sent to.
///
/// All its bytes are initialised (it starts zeroed), so they can be read as any
/// `sockaddr_*` type of the platform.
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// use std::io::IoSliceMut;
/// use std::net::UdpSocket;
/// use std::os::fd::AsFd;
/// use ancillary::{AncillaryData, RawSocketAddr, RecvOptions};
///
/// let socket = UdpSocket::bind("127.0.0.1:0")?;
/// socket.send_to(b"hi", socket.local_addr()?)?;
/// let mut buf = [0; 4];
/// let (n, _, from) = ancillary::recv_message_from::<RawSocketAddr>(
///     socket.as_fd(),
///     &mut [IoSliceMut::new(&mut buf)],
///     &mut AncillaryData::new(),
///     RecvOptions::new(),
/// )?;
/// assert_eq!(n, 2);
/// assert_eq!(i32::from(from.family()), libc::AF_INET);
/// assert_eq!(from.to_address::<std::net::SocketAddr>()?, socket.local_addr()?);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy)]
#[repr(C)]
pub struct RawSocketAddr {
    /// Aligns `bytes` as a `sockaddr_storage`, so that they can be viewed as one.
    _align: [libc::sockaddr_storage; 0],
    bytes: [u8; STORAGE_LEN],
    len: libc::socklen_t,
}

impl RawSocketAddr {
    /// An address of length 0, all bytes zero: the buffer to receive an address into.
    #[must_use]
    pub const fn new() -> RawSocketAddr {
        RawSocketAddr {
            _align: [],
            bytes: [0; STORAGE_LEN],
            len: 0,
        }
    }

    /// An address made of `bytes` (the start of a `sockaddr_*`, the rest zero) whose
    /// reported length is `len`, for example a byte image of what a kernel writes.
    ///
    /// # Errors
    /// `InvalidInput` if `bytes` is larger than a `sockaddr_storage`.
    pub fn from_bytes(bytes: &[u8], len: libc::socklen_t) -> io::Result<RawSocketAddr> {
        let mut addr = RawSocketAddr::new();
        addr.bytes
            .get_mut(..bytes.len())
            .ok_or_else(|| super::invalid("more bytes than a sockaddr_storage holds"))?
            .copy_from_slice(bytes);
        addr.len = len;
        Ok(addr)
    }

    with_io_uring! {
        /// A copy of `addr`'s `sockaddr`, for a call made after `with_sockaddr` has
        /// returned (an io_uring operation).
        ///
        /// # Errors
        /// As [`with_sockaddr_bytes`].
        pub(crate) fn copy_of<A: SocketAddress>(addr: &A) -> io::Result<RawSocketAddr> {
            with_sockaddr_bytes(addr, |bytes| {
                RawSocketAddr::from_bytes(bytes, bytes.len() as libc::socklen_t)
            })?
        }
    }

    /// The address family (`ss_family`), such as `AF_INET` or `AF_UNIX`; 0 (`AF_UNSPEC`)
    /// for an address of length 0.
    #[must_use]
    pub fn family(&self) -> libc::sa_family_t {
        // The storage may still hold an earlier receive's address beyond the length.
        const END: usize = core::mem::offset_of!(libc::sockaddr_storage, ss_family)
            + size_of::<libc::sa_family_t>();
        if (self.len as usize) < END {
            return libc::AF_UNSPEC as libc::sa_family_t;
        }
        self.as_storage().ss_family
    }

    /// Whether the address is an IPv4 or IPv6 one, whose sockets never carry descriptors.
    #[inline]
    pub(crate) fn is_inet(&self) -> bool {
        let len = self.len as usize;
        match i32::from(self.family()) {
            libc::AF_INET => len >= size_of::<libc::sockaddr_in>(),
            libc::AF_INET6 => len >= size_of::<libc::sockaddr_in6>(),
            _ => false,
        }
    }

    /// The length the kernel reported, in bytes: 0 where it reported no address (such as
    /// for an unbound Unix datagram sender on Linux); it may exceed the storage only if a
    /// caller of [`from_bytes`](Self::from_bytes) said so, or, for Unix sockets, by the
    /// terminating NUL Linux adds to a 108-byte path (111).
    #[must_use]
    #[allow(
        clippy::len_without_is_empty,
        reason = "an address has a length, not contents"
    )]
    pub const fn len(&self) -> libc::socklen_t {
        self.len
    }

    /// The whole storage, as a `sockaddr_storage`.
    #[must_use]
    pub fn as_storage(&self) -> &libc::sockaddr_storage {
        super::view(self)
    }

    /// Every byte of the storage, whatever the length.
    pub(crate) fn storage_bytes(&self) -> &[u8; STORAGE_LEN] {
        &self.bytes
    }

    /// The address's bytes: the first [`len`](Self::len) bytes of the storage (all of it if
    /// the length is larger).
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..(self.len as usize).min(STORAGE_LEN)]
    }

    /// Converts into another address type, as a receive would have.
    ///
    /// # Errors
    /// If the bytes are not an address of type `A` (see [`SocketAddress::from_sockaddr`]).
    pub fn to_address<A: SocketAddress>(&self) -> io::Result<A> {
        A::from_sockaddr(self)
    }

    /// The storage and its size, for `recvmsg`'s `msg_name` and `msg_namelen`.
    pub(crate) fn name_buffer(&mut self) -> (*mut libc::c_void, libc::socklen_t) {
        (
            self.bytes.as_mut_ptr().cast(),
            STORAGE_LEN as libc::socklen_t,
        )
    }

    /// Records the length `recvmsg` reported in `msg_namelen`.
    pub(crate) fn set_len(&mut self, len: libc::socklen_t) {
        self.len = len;
    }
}

/// Calls `f` with the bytes of `addr`'s `sockaddr`: for code that keeps a copy beyond
/// `with_sockaddr`, whose pointer is valid only inside it.
///
/// # Errors
/// As `with_sockaddr`, or `InvalidInput` if the `sockaddr` is larger than a
/// `sockaddr_storage`.
#[cfg(any(test, linux_like))]
#[inline(always)]
pub(crate) fn with_sockaddr_bytes<A: SocketAddress, R>(
    addr: &A,
    f: impl FnOnce(&[u8]) -> R,
) -> io::Result<R> {
    addr.with_sockaddr(|ptr, len| {
        if len as usize > STORAGE_LEN {
            return Err(super::invalid("more bytes than a sockaddr_storage holds"));
        }
        // SAFETY: `with_sockaddr` hands a pointer valid for reads of `len` initialised
        // bytes for this call (`SocketAddress`'s contract); the slice does not outlive it.
        let bytes = unsafe { core::slice::from_raw_parts(ptr.cast::<u8>(), len as usize) };
        Ok(f(bytes))
    })?
}

/// The `sockaddr_*` types of this platform that are read out of a [`RawSocketAddr`] or
/// built from zero.
///
/// # Safety
/// The type is a C struct of integers, byte arrays and padding only: all zeroes is a
/// valid value, and so is any initialised byte pattern.
pub(crate) unsafe trait Sockaddr: Sized {}
// SAFETY: each is such a C struct in every `libc` definition.
unsafe impl Sockaddr for libc::sockaddr_storage {}
// SAFETY: as above.
unsafe impl Sockaddr for libc::sockaddr_in {}
// SAFETY: as above.
unsafe impl Sockaddr for libc::sockaddr_in6 {}
// SAFETY: as above.
unsafe impl Sockaddr for libc::sockaddr_un {}

/// An all-zero `T`, to fill in.
#[inline]
pub(crate) fn zeroed<T: Sockaddr>() -> T {
    // SAFETY: all zeroes is a valid `T` (the trait's contract).
    unsafe { core::mem::zeroed() }
}

/// Views the storage of `addr` as a `T`.
pub(crate) fn view<T: Sockaddr>(addr: &RawSocketAddr) -> &T {
    const { assert!(size_of::<T>() <= size_of::<libc::sockaddr_storage>()) };
    const { assert!(align_of::<T>() <= align_of::<libc::sockaddr_storage>()) };
    // The storage is as large and as aligned as a `sockaddr_storage`, so as `T` (checked at
    // compile time above), and every byte of it is initialised, which is a valid `T` (the
    // trait's contract).
    // SAFETY: a shared view of initialised, large enough, aligned bytes as plain data,
    // borrowed for as long as `addr` is.
    unsafe { &*core::ptr::from_ref(&addr.bytes).cast::<T>() }
}

/// `addr` as socket2's `SockAddr`: a copy of its storage, and its length.
///
/// # Errors
/// `InvalidInput` if the length does not fit the address's family (see
/// [`fits_its_family`]), which `SockAddr::new` requires.
#[cfg(feature = "socket2")]
pub(crate) fn to_sock_addr(addr: &RawSocketAddr) -> io::Result<::socket2::SockAddr> {
    if !fits_its_family(addr) {
        return Err(super::invalid(
            "recvmsg returned an address whose length does not fit its family",
        ));
    }
    let mut copy = ::socket2::SockAddrStorage::zeroed();
    // `view_as` asks for one of the `sockaddr_*` types of this platform, which
    // `sockaddr_storage` is (and socket2's storage is `repr(transparent)` over it); the copy
    // is then the whole storage, whose first `len` bytes are the address. `SockAddr::new`
    // asks that `len` fit the family, because socket2 reads some families by length (a
    // Unix path is `len - offset - 1` bytes of `sun_path`): `fits_its_family` checked that.
    // SAFETY: so both of socket2's contracts hold.
    unsafe {
        *copy.view_as::<libc::sockaddr_storage>() = *view::<libc::sockaddr_storage>(addr);
        Ok(::socket2::SockAddr::new(copy, addr.len()))
    }
}

/// Whether the reported length fits the address's family, as `SockAddr::new` requires:
/// never more than the storage; IPv4 and IPv6 addresses whole (socket2 reads them by
/// family); a Unix address no longer than `sun_path` plus the terminator Linux counts for
/// a path that fills it (socket2 reads `len - offset - 1` path bytes).
#[cfg(feature = "socket2")]
fn fits_its_family(addr: &RawSocketAddr) -> bool {
    let len = addr.len() as usize;
    let (min, max) = match i32::from(addr.family()) {
        libc::AF_INET => (size_of::<libc::sockaddr_in>(), STORAGE_LEN),
        libc::AF_INET6 => (size_of::<libc::sockaddr_in6>(), STORAGE_LEN),
        libc::AF_UNIX => (0, size_of::<libc::sockaddr_un>() + 1),
        _ => (0, STORAGE_LEN),
    };
    (min..=max).contains(&len)
}

impl Default for RawSocketAddr {
    fn default() -> Self {
        RawSocketAddr::new()
    }
}

impl AsRef<[u8]> for RawSocketAddr {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

// SAFETY: `f` gets a pointer to `self.bytes`, valid for reads of all of them and
// initialised while `self` is borrowed, and a length clamped to their number.
unsafe impl SocketAddress for RawSocketAddr {
    fn with_sockaddr<R>(
        &self,
        f: impl FnOnce(*const libc::sockaddr, libc::socklen_t) -> R,
    ) -> io::Result<R> {
        Ok(f(
            self.bytes.as_ptr().cast(),
            self.as_bytes().len() as libc::socklen_t,
        ))
    }

    fn from_sockaddr(addr: &RawSocketAddr) -> io::Result<Self> {
        Ok(*addr)
    }
}

impl fmt::Debug for RawSocketAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawSocketAddr")
            .field("family", &self.family())
            .field("len", &self.len)
            .field("bytes", &self.as_bytes())
            .finish()
    }
}

/// Equal when the lengths and the first `len` bytes are.
impl PartialEq for RawSocketAddr {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.as_bytes() == other.as_bytes()
    }
}

impl Eq for RawSocketAddr {}

#[cfg(test)]
mod tests {
    use super::*;

    /// An address type that lends `len` bytes of a buffer larger than any `sockaddr`.
    struct Oversized {
        bytes: [u8; STORAGE_LEN + 8],
        len: usize,
    }

    // SAFETY: `with_sockaddr` lends a pointer to `len` (at most `STORAGE_LEN + 8`)
    // initialised bytes of `bytes`, valid for the call.
    unsafe impl SocketAddress for Oversized {
        fn with_sockaddr<R>(
            &self,
            f: impl FnOnce(*const libc::sockaddr, libc::socklen_t) -> R,
        ) -> io::Result<R> {
            assert!(self.len <= self.bytes.len());
            Ok(f(self.bytes.as_ptr().cast(), self.len as libc::socklen_t))
        }

        /// Only ever sent to: no receive makes one.
        fn from_sockaddr(_: &RawSocketAddr) -> io::Result<Self> {
            Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "an address only sent to",
            ))
        }
    }

    #[test]
    fn sockaddr_bytes_are_at_most_a_whole_storage() {
        let mut addr = Oversized {
            bytes: [7; STORAGE_LEN + 8],
            len: STORAGE_LEN,
        };
        let whole = with_sockaddr_bytes(&addr, <[u8]>::to_vec).unwrap();
        assert_eq!(whole, [7; STORAGE_LEN]);
        addr.len = STORAGE_LEN + 1;
        let err = with_sockaddr_bytes(&addr, <[u8]>::len).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }
}
