//! [`SocketAddress`]: the bridge between Rust socket-address types and `sockaddr`.

use core::mem::{offset_of, size_of};
use std::ffi::OsStr;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddrV4, SocketAddrV6};
use std::os::unix::ffi::OsStrExt;

/// A socket address type that can be passed to `sendmsg` and read back from `recvmsg`.
///
/// Implemented for [`std::net::SocketAddr`] (IPv4 and IPv6) and
/// [`std::os::unix::net::SocketAddr`]. A crate with its own address type implements it to
/// use [`send_message_to`](crate::send_message_to) and
/// [`recv_message_from`](crate::recv_message_from) in its `SendMessageTo`/`RecvMessageFrom`
/// impls.
pub trait SocketAddress: Sized {
    /// Calls `f` with a pointer to this address as a `sockaddr` and its length in bytes.
    ///
    /// The pointer must be valid for reads of that length for the duration of the call
    /// (the kernel reads it; a bad pointer makes the system call fail with `EFAULT`).
    ///
    /// # Errors
    /// If the address cannot be expressed as a `sockaddr` (such as an unnamed Unix address).
    fn with_sockaddr<R>(
        &self,
        f: impl FnOnce(*const libc::sockaddr, libc::socklen_t) -> R,
    ) -> io::Result<R>;

    /// Reads an address that `recvmsg` wrote: the first `len` bytes of `storage`.
    ///
    /// # Errors
    /// If the bytes are not an address of this type (wrong family or length).
    fn from_sockaddr(storage: &libc::sockaddr_storage, len: libc::socklen_t) -> io::Result<Self>;
}

fn invalid(msg: &'static str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

/// Views the storage as the first bytes of a `T` (a `sockaddr_*` type).
fn view<T>(storage: &libc::sockaddr_storage) -> &T {
    const { assert!(size_of::<T>() <= size_of::<libc::sockaddr_storage>()) };
    const { assert!(align_of::<T>() <= align_of::<libc::sockaddr_storage>()) };
    // SAFETY: `sockaddr_storage` is at least as large and as aligned as `T` (checked at
    // compile time above), it is fully initialised, and every `sockaddr_*` type is plain
    // integers and byte arrays, for which any bit pattern is valid.
    unsafe { &*core::ptr::from_ref(storage).cast::<T>() }
}

impl SocketAddress for std::net::SocketAddr {
    fn with_sockaddr<R>(
        &self,
        f: impl FnOnce(*const libc::sockaddr, libc::socklen_t) -> R,
    ) -> io::Result<R> {
        match self {
            std::net::SocketAddr::V4(v4) => {
                // SAFETY: `sockaddr_in` is plain integers; all zeroes is a valid value.
                let mut sin: libc::sockaddr_in = unsafe { core::mem::zeroed() };
                sin.sin_family = libc::AF_INET as libc::sa_family_t;
                sin.sin_port = v4.port().to_be();
                sin.sin_addr = libc::in_addr {
                    s_addr: u32::from_ne_bytes(v4.ip().octets()),
                };
                #[cfg(any(target_os = "macos", target_os = "ios", target_os = "freebsd"))]
                {
                    sin.sin_len = size_of::<libc::sockaddr_in>() as u8;
                }
                Ok(f(
                    core::ptr::from_ref(&sin).cast(),
                    size_of::<libc::sockaddr_in>() as libc::socklen_t,
                ))
            }
            std::net::SocketAddr::V6(v6) => {
                // SAFETY: `sockaddr_in6` is plain integers; all zeroes is a valid value.
                let mut sin6: libc::sockaddr_in6 = unsafe { core::mem::zeroed() };
                sin6.sin6_family = libc::AF_INET6 as libc::sa_family_t;
                sin6.sin6_port = v6.port().to_be();
                sin6.sin6_flowinfo = v6.flowinfo().to_be();
                sin6.sin6_addr = libc::in6_addr {
                    s6_addr: v6.ip().octets(),
                };
                sin6.sin6_scope_id = v6.scope_id();
                #[cfg(any(target_os = "macos", target_os = "ios", target_os = "freebsd"))]
                {
                    sin6.sin6_len = size_of::<libc::sockaddr_in6>() as u8;
                }
                Ok(f(
                    core::ptr::from_ref(&sin6).cast(),
                    size_of::<libc::sockaddr_in6>() as libc::socklen_t,
                ))
            }
        }
    }

    fn from_sockaddr(storage: &libc::sockaddr_storage, len: libc::socklen_t) -> io::Result<Self> {
        let len = len as usize;
        match i32::from(storage.ss_family) {
            libc::AF_INET if len >= size_of::<libc::sockaddr_in>() => {
                let sin: &libc::sockaddr_in = view(storage);
                let ip = Ipv4Addr::from(sin.sin_addr.s_addr.to_ne_bytes());
                Ok(SocketAddrV4::new(ip, u16::from_be(sin.sin_port)).into())
            }
            libc::AF_INET6 if len >= size_of::<libc::sockaddr_in6>() => {
                let sin6: &libc::sockaddr_in6 = view(storage);
                Ok(SocketAddrV6::new(
                    Ipv6Addr::from(sin6.sin6_addr.s6_addr),
                    u16::from_be(sin6.sin6_port),
                    u32::from_be(sin6.sin6_flowinfo),
                    sin6.sin6_scope_id,
                )
                .into())
            }
            _ => Err(invalid("recvmsg returned no IPv4 or IPv6 address")),
        }
    }
}

impl SocketAddress for std::os::unix::net::SocketAddr {
    fn with_sockaddr<R>(
        &self,
        f: impl FnOnce(*const libc::sockaddr, libc::socklen_t) -> R,
    ) -> io::Result<R> {
        // SAFETY: `sockaddr_un` is plain integers and bytes; all zeroes is a valid value.
        let mut sun: libc::sockaddr_un = unsafe { core::mem::zeroed() };
        sun.sun_family = libc::AF_UNIX as libc::sa_family_t;
        let path_at = offset_of!(libc::sockaddr_un, sun_path);
        let (bytes, leading_nul): (&[u8], bool) = if let Some(path) = self.as_pathname() {
            (path.as_os_str().as_bytes(), false)
        } else if let Some(name) = abstract_name(self) {
            (name, true)
        } else {
            return Err(invalid("cannot send to an unnamed Unix socket address"));
        };
        let start = usize::from(leading_nul);
        // A pathname needs room for its terminating NUL; an abstract name does not have one.
        let room = sun.sun_path.len() - start - usize::from(!leading_nul);
        if bytes.len() > room {
            return Err(invalid("Unix socket address is too long for sockaddr_un"));
        }
        for (slot, &byte) in sun.sun_path[start..].iter_mut().zip(bytes) {
            *slot = byte as libc::c_char;
        }
        let len = path_at + start + bytes.len() + usize::from(!leading_nul);
        #[cfg(any(target_os = "macos", target_os = "ios", target_os = "freebsd"))]
        {
            sun.sun_len = len as u8;
        }
        Ok(f(core::ptr::from_ref(&sun).cast(), len as libc::socklen_t))
    }

    fn from_sockaddr(storage: &libc::sockaddr_storage, len: libc::socklen_t) -> io::Result<Self> {
        let sun: &libc::sockaddr_un = view(storage);
        let path_at = offset_of!(libc::sockaddr_un, sun_path);
        let len = (len as usize).min(size_of::<libc::sockaddr_un>());
        if len > 0 && i32::from(sun.sun_family) != libc::AF_UNIX {
            return Err(invalid("recvmsg returned no Unix socket address"));
        }
        let path_len = len.saturating_sub(path_at);
        let path: &[u8] = {
            let chars = &sun.sun_path[..path_len.min(sun.sun_path.len())];
            // SAFETY: `c_char` and `u8` have the same size, alignment and validity (any bit
            // pattern); the slice keeps the borrow and length of `chars`.
            unsafe { core::slice::from_raw_parts(chars.as_ptr().cast::<u8>(), chars.len()) }
        };
        match path.split_first() {
            None => unnamed_unix_address(),
            Some((0, name)) => from_abstract_name(name),
            Some(_) => {
                let end = path.iter().position(|&b| b == 0).unwrap_or(path.len());
                std::os::unix::net::SocketAddr::from_pathname(OsStr::from_bytes(&path[..end]))
            }
        }
    }
}

/// An unnamed Unix socket address (the address of a `socketpair` or unbound socket).
///
/// std has no constructor for one, so it is read once from an unbound datagram socket and
/// cloned from then on (no allocation).
fn unnamed_unix_address() -> io::Result<std::os::unix::net::SocketAddr> {
    use std::sync::OnceLock;
    static UNNAMED: OnceLock<std::os::unix::net::SocketAddr> = OnceLock::new();
    if let Some(addr) = UNNAMED.get() {
        return Ok(addr.clone());
    }
    let addr = std::os::unix::net::UnixDatagram::unbound()?.local_addr()?;
    Ok(UNNAMED.get_or_init(|| addr).clone())
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn abstract_name(addr: &std::os::unix::net::SocketAddr) -> Option<&[u8]> {
    #[cfg(target_os = "android")]
    use std::os::android::net::SocketAddrExt;
    #[cfg(target_os = "linux")]
    use std::os::linux::net::SocketAddrExt;
    addr.as_abstract_name()
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn abstract_name(_: &std::os::unix::net::SocketAddr) -> Option<&[u8]> {
    None
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn from_abstract_name(name: &[u8]) -> io::Result<std::os::unix::net::SocketAddr> {
    #[cfg(target_os = "android")]
    use std::os::android::net::SocketAddrExt;
    #[cfg(target_os = "linux")]
    use std::os::linux::net::SocketAddrExt;
    std::os::unix::net::SocketAddr::from_abstract_name(name)
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn from_abstract_name(_: &[u8]) -> io::Result<std::os::unix::net::SocketAddr> {
    Err(invalid(
        "abstract Unix socket addresses exist only on Linux",
    ))
}
