//! [`SocketAddress`] for std's Unix socket address: pathnames, Linux's abstract names,
//! and the unnamed address of a `socketpair` or unbound socket.
//!
//! What the kernels report for a sender (`msg_namelen`, then the bytes):
//!
//! * a pathname: the path, with a terminating NUL if it fits; Linux lets a socket bind a
//!   path that fills `sun_path` (108 bytes) and then reports a length of 111, one past
//!   the struct, for the NUL it would add;
//! * an abstract name (Linux only): a 0 byte, then the name, with no terminator;
//! * an unnamed sender: Linux reports length 0 (or only the family); FreeBSD and macOS
//!   report `sun_noname`, a length of 16 with the path all zeroes, so a leading 0 byte
//!   means an abstract name only on Linux.

use core::mem::offset_of;
use std::ffi::OsStr;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::net::SocketAddr;

use super::{invalid, zeroed, RawSocketAddr, SocketAddress};

/// Where `sun_path` starts: the length of an address that holds only its family.
const PATH_AT: usize = offset_of!(libc::sockaddr_un, sun_path);

/// Whether a leading 0 byte in `sun_path` starts an abstract name on this platform.
const HAS_ABSTRACT_NAMES: bool = cfg!(linux_like);

// SAFETY: `f` gets a pointer to a `sockaddr_un` on this stack frame, alive for the whole
// call, and a length no larger than its size.
unsafe impl SocketAddress for SocketAddr {
    fn with_sockaddr<R>(
        &self,
        f: impl FnOnce(*const libc::sockaddr, libc::socklen_t) -> R,
    ) -> io::Result<R> {
        let mut sun: libc::sockaddr_un = zeroed();
        sun.sun_family = libc::AF_UNIX as libc::sa_family_t;
        let (bytes, start): (&[u8], usize) = if let Some(path) = self.as_pathname() {
            (path.as_os_str().as_bytes(), 0)
        } else if let Some(name) = abstract_name(self) {
            (name, 1)
        } else {
            return Err(invalid("cannot send to an unnamed Unix socket address"));
        };
        let room = &mut sun.sun_path[start..];
        if bytes.len() > room.len() {
            return Err(invalid("Unix socket address is too long for sockaddr_un"));
        }
        for (slot, &byte) in room.iter_mut().zip(bytes) {
            *slot = byte as libc::c_char;
        }
        // A pathname ends with a NUL where one fits (a path that fills `sun_path` is ended
        // by the length, as the kernel reports it); an abstract name has none.
        let terminator = usize::from(start == 0 && bytes.len() < room.len());
        let len = PATH_AT + start + bytes.len() + terminator;
        #[cfg(bsd_like)]
        {
            sun.sun_len = len as u8;
        }
        Ok(f(core::ptr::from_ref(&sun).cast(), len as libc::socklen_t))
    }

    fn from_sockaddr(addr: &RawSocketAddr) -> io::Result<Self> {
        let len = addr.len() as usize;
        if len == 0 {
            // Linux: the sender has no address.
            return unnamed();
        }
        if i32::from(addr.family()) != libc::AF_UNIX {
            return Err(invalid("recvmsg returned no Unix socket address"));
        }
        // `sun_path`'s bytes, read out of the storage (a `c_char` array is bytes).
        let path_room = size_of::<libc::sockaddr_un>() - PATH_AT;
        let path_len = len.saturating_sub(PATH_AT).min(path_room);
        let path = &addr.storage_bytes()[PATH_AT..PATH_AT + path_len];
        match path.split_first() {
            None => unnamed(),
            Some((0, name)) if HAS_ABSTRACT_NAMES => from_abstract_name(name),
            // `sun_noname`: no path starts with a NUL.
            Some((0, _)) => unnamed(),
            Some(_) => {
                let end = path.iter().position(|&b| b == 0).unwrap_or(path.len());
                SocketAddr::from_pathname(OsStr::from_bytes(&path[..end])).map_err(|_| {
                    invalid(
                        "the sender's path fills sun_path without a terminating NUL, which \
                         std's SocketAddr cannot hold (receive into a RawSocketAddr)",
                    )
                })
            }
        }
    }
}

/// An unnamed Unix socket address (the address of a `socketpair` or unbound socket).
///
/// std names no constructor for it, but the address of an empty path is exactly that: the
/// family alone, which std's own `recv_from` reports as unnamed. It needs no system call
/// and no allocation, so it cannot fail after `recvmsg` consumed a message (a test checks
/// that std keeps building it so).
fn unnamed() -> io::Result<SocketAddr> {
    SocketAddr::from_pathname("")
}

#[cfg(linux_like)]
fn abstract_name(addr: &SocketAddr) -> Option<&[u8]> {
    #[cfg(target_os = "android")]
    use std::os::android::net::SocketAddrExt;
    #[cfg(target_os = "linux")]
    use std::os::linux::net::SocketAddrExt;
    addr.as_abstract_name()
}

#[cfg(not(linux_like))]
fn abstract_name(_: &SocketAddr) -> Option<&[u8]> {
    None
}

#[cfg(linux_like)]
fn from_abstract_name(name: &[u8]) -> io::Result<SocketAddr> {
    #[cfg(target_os = "android")]
    use std::os::android::net::SocketAddrExt;
    #[cfg(target_os = "linux")]
    use std::os::linux::net::SocketAddrExt;
    SocketAddr::from_abstract_name(name)
}

#[cfg(not(linux_like))]
fn from_abstract_name(_: &[u8]) -> io::Result<SocketAddr> {
    unreachable!("HAS_ABSTRACT_NAMES is false here")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A byte image of a `sockaddr_un` as a kernel writes it: the family where it sits on
    /// this platform (after `sun_len` on the BSDs), then `path`, with `len` reported.
    fn image(path: &[u8], len: usize) -> RawSocketAddr {
        let mut bytes = vec![0u8; PATH_AT + path.len()];
        let mut sun: libc::sockaddr_un = zeroed();
        sun.sun_family = libc::AF_UNIX as libc::sa_family_t;
        let family = sun.sun_family.to_ne_bytes();
        let family_at = offset_of!(libc::sockaddr_un, sun_family);
        bytes[family_at..family_at + family.len()].copy_from_slice(&family);
        bytes[PATH_AT..].copy_from_slice(path);
        RawSocketAddr::from_bytes(&bytes, len as libc::socklen_t).unwrap()
    }

    #[test]
    fn an_empty_path_is_std_s_unnamed_address() {
        let addr = unnamed().unwrap();
        assert!(addr.is_unnamed());
        assert!(addr.as_pathname().is_none());
    }

    #[test]
    fn no_address_and_the_family_alone_are_unnamed() {
        assert!(SocketAddr::from_sockaddr(&RawSocketAddr::new())
            .unwrap()
            .is_unnamed());
        let family_only = image(b"", PATH_AT);
        assert!(SocketAddr::from_sockaddr(&family_only)
            .unwrap()
            .is_unnamed());
    }

    /// FreeBSD's and macOS's `sun_noname`: length 16, the path all zeroes.
    #[test]
    fn sun_noname() {
        let noname = image(&[0; 16 - PATH_AT], 16);
        let addr = SocketAddr::from_sockaddr(&noname).unwrap();
        if HAS_ABSTRACT_NAMES {
            // On Linux the same bytes are an abstract name of 13 zero bytes.
            assert!(!addr.is_unnamed());
            assert_eq!(abstract_name(&addr), Some(&[0u8; 16 - PATH_AT - 1][..]));
        } else {
            assert!(addr.is_unnamed());
        }
    }

    #[test]
    fn a_pathname_with_its_nul() {
        let addr = SocketAddr::from_sockaddr(&image(b"/run/x.sock\0", PATH_AT + 12)).unwrap();
        assert_eq!(
            addr.as_pathname(),
            Some(std::path::Path::new("/run/x.sock"))
        );
    }

    /// A path of `sun_path`'s whole size, as Linux reports it (one past the struct).
    #[test]
    fn a_path_that_fills_sun_path_is_an_error_not_a_panic_or_a_short_path() {
        let full = vec![b'p'; size_of::<libc::sockaddr_un>() - PATH_AT];
        let addr = image(&full, size_of::<libc::sockaddr_un>() + 1);
        let err = SocketAddr::from_sockaddr(&addr).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("RawSocketAddr"), "{err}");
    }

    /// A length past `sockaddr_un` (a `RawSocketAddr` made by hand can say so, up to a
    /// `sockaddr_storage`) reads no byte beyond `sun_path`: here an abstract name of
    /// `sun_path`'s whole size, with bytes after it that are not part of it.
    #[cfg(linux_like)]
    #[test]
    fn a_length_past_sun_path_reads_only_sun_path() {
        let room = size_of::<libc::sockaddr_un>() - PATH_AT;
        let mut path = vec![0u8];
        path.resize(room, b'a');
        path.extend_from_slice(b"bb");
        let addr = image(&path, PATH_AT + path.len());
        let addr = SocketAddr::from_sockaddr(&addr).unwrap();
        assert_eq!(abstract_name(&addr), Some(&path[1..room]));
    }

    /// The bytes `with_sockaddr` lends, as a `RawSocketAddr`.
    fn raw_of<A: SocketAddress>(addr: &A) -> RawSocketAddr {
        super::super::with_sockaddr_bytes(addr, |bytes| {
            RawSocketAddr::from_bytes(bytes, bytes.len() as libc::socklen_t).unwrap()
        })
        .unwrap()
    }

    #[test]
    fn another_family_is_refused() {
        let inet = "127.0.0.1:1".parse::<std::net::SocketAddr>().unwrap();
        let err = SocketAddr::from_sockaddr(&raw_of(&inet)).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }

    #[test]
    fn sending_and_receiving_agree() {
        let path = SocketAddr::from_pathname("/tmp/a").unwrap();
        let raw = raw_of(&path);
        assert_eq!(raw.len() as usize, PATH_AT + "/tmp/a".len() + 1);
        let back = SocketAddr::from_sockaddr(&raw).unwrap();
        assert_eq!(back.as_pathname(), path.as_pathname());
        assert!(unnamed().unwrap().with_sockaddr(|_, _| ()).is_err());
    }
}
