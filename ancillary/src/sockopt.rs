//! Socket options as types: [`SocketOption`] (derived with `#[derive(SocketOption)]`), the
//! markers that say whether one can be set or read, and [`set_socket_option`] and
//! [`get_socket_option`], with the length check of a read. The `setsockopt` and
//! `getsockopt` calls themselves are the system-call layer's (`sys`).

use core::any::type_name;
use core::ffi::c_int;
use core::mem::size_of;
use std::io;
use std::os::fd::AsFd;

use crate::sys;
use crate::PayloadField;

/// A socket option: its level, its name, and the C value the kernel reads and writes.
///
/// Derive it with [`#[derive(SocketOption)]`](derive@crate::SocketOption), which also
/// implements [`SetSocketOption`] and [`GetSocketOption`] (unless told the option is read-
/// or write-only); then set and read it on any socket with [`set_socket_option`] and
/// [`get_socket_option`]. The type is the option's value: `IpMtu(1500)`, `UdpGro(true)`.
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// use std::net::UdpSocket;
/// use ancillary::{get_socket_option, set_socket_option, SocketOption};
///
/// /// `IP_TTL`: the TTL of the datagrams this socket sends.
/// #[derive(SocketOption, Clone, Copy, Debug, PartialEq)]
/// #[sockopt(level = libc::IPPROTO_IP, name = libc::IP_TTL)]
/// #[repr(transparent)]
/// struct IpTtl(libc::c_int);
///
/// let socket = UdpSocket::bind("127.0.0.1:0")?;
/// set_socket_option(&socket, &IpTtl(7))?;
/// assert_eq!(get_socket_option::<IpTtl>(&socket)?, IpTtl(7));
/// # Ok(())
/// # }
/// ```
///
/// # Safety
///
/// Implementing it promises that the option `(LEVEL, NAME)` makes the kernel read (on
/// `setsockopt`) or write (on `getsockopt`) only the value it is given, at most
/// `size_of::<Raw>()` bytes at the pointer passed, and follow no address stored inside
/// them. Almost every option is like that; a few take a struct that holds a user-space
/// address the kernel then writes through, or maps pages at (Linux's
/// `TCP_ZEROCOPY_RECEIVE` and `XDP_UMEM_REG`, netfilter's `IPT_SO_SET_REPLACE`), and those
/// cannot be a `SocketOption`.
///
/// That `Raw` is plain bytes (any bit pattern valid, no padding) is [`PayloadField`]'s
/// promise, not this one. `#[derive(SocketOption)]` proves that half; which option it
/// names is the deriving code's choice, which no derive can judge: deriving is sound for
/// every option but those few.
pub unsafe trait SocketOption: Sized {
    /// The `level` argument of `setsockopt`/`getsockopt`: `SOL_SOCKET`, `IPPROTO_IP`, ...
    const LEVEL: c_int;
    /// The `optname` argument: `SO_RCVBUF`, `IP_MTU_DISCOVER`, ...
    const NAME: c_int;
    /// The bytes the kernel reads and writes: `Self` itself, or `c_int` for an on/off
    /// option whose Rust value is a `bool`.
    type Raw: PayloadField + Copy;
    /// The value as the kernel takes it.
    fn to_raw(&self) -> Self::Raw;
    /// The value the kernel returned.
    fn from_raw(raw: Self::Raw) -> Self;
}

/// A [`SocketOption`] that can be set. Derived unless `#[sockopt(read_only)]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is a read-only socket option: it cannot be set",
    label = "this option can only be read",
    note = "read it with `ancillary::get_socket_option`; if the kernel does let you set \
            it, remove `read_only` from its `#[sockopt]`"
)]
pub trait SetSocketOption: SocketOption {}

/// A [`SocketOption`] that can be read. Derived unless `#[sockopt(write_only)]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is a write-only socket option: it cannot be read",
    label = "this option can only be set",
    note = "set it with `ancillary::set_socket_option`; if the kernel does let you read \
            it, remove `write_only` from its `#[sockopt]`"
)]
pub trait GetSocketOption: SocketOption {}

/// Sets the socket option `O` to `option` on `socket` (`setsockopt`).
///
/// `socket` is anything [`AsFd`]: std's, tokio's and socket2's sockets, `OwnedFd`,
/// `BorrowedFd`. The kernel's errors come back as they are: `ENOPROTOOPT` for an option
/// this socket's protocol does not have, `EINVAL` for a value of the wrong size or out of
/// range.
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// use std::net::UdpSocket;
/// use ancillary::os::linux::sockopt::UdpSegment;
/// use ancillary::set_socket_option;
///
/// let socket = UdpSocket::bind("127.0.0.1:0")?;
/// // Every send is now cut into datagrams of 1200 bytes (UDP GSO).
/// set_socket_option(&socket, &UdpSegment(1200))?;
/// # Ok(())
/// # }
/// ```
///
/// # Errors
/// What `setsockopt` reports, as an [`io::Error`] with its `errno`.
///
/// # References
/// `setsockopt(2)`.
#[doc(alias = "setsockopt")]
pub fn set_socket_option<O: SetSocketOption>(
    socket: &(impl AsFd + ?Sized),
    option: &O,
) -> io::Result<()> {
    sys::setsockopt(socket.as_fd(), O::LEVEL, O::NAME, &option.to_raw())
}

/// Reads the socket option `O` of `socket` (`getsockopt`).
///
/// The kernel must return exactly `size_of::<O::Raw>()` bytes: fewer or more is an
/// [`io::ErrorKind::InvalidData`] error naming the option, never a partial value. (The
/// kernel is offered more room than that, so that an option longer than its Rust type is
/// seen too.) A flag (`#[sockopt(flag)]`) reads any non-zero `int` as `true`.
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// use std::os::unix::net::UnixStream;
/// use ancillary::os::linux::sockopt::SoPeerCred;
/// use ancillary::get_socket_option;
///
/// let (left, _right) = UnixStream::pair()?;
/// let peer = get_socket_option::<SoPeerCred>(&left)?;
/// assert_eq!(u32::try_from(peer.pid()), Ok(std::process::id()));
/// # Ok(())
/// # }
/// ```
///
/// # Errors
/// What `getsockopt` reports, as an [`io::Error`] with its `errno`, or `InvalidData` if
/// the length it returned is not the option's size.
///
/// # References
/// `getsockopt(2)`.
#[doc(alias = "getsockopt")]
pub fn get_socket_option<O: GetSocketOption>(socket: &(impl AsFd + ?Sized)) -> io::Result<O> {
    let option = type_name::<O>();
    sys::getsockopt::<O::Raw>(socket.as_fd(), O::LEVEL, O::NAME, |len| {
        check_length(len, size_of::<O::Raw>(), option)
    })
    .map(O::from_raw)
}

/// `Ok` if the kernel returned exactly the `expected` bytes of `option`; otherwise the
/// `InvalidData` error that names it.
fn check_length(found: libc::socklen_t, expected: usize, option: &str) -> io::Result<()> {
    if usize::try_from(found).is_ok_and(|found| found == expected) {
        return Ok(());
    }
    let relation = if usize::try_from(found).is_ok_and(|found| found < expected) {
        "shorter"
    } else {
        "longer"
    };
    Err(io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "getsockopt returned {found} bytes for the socket option `{option}`, whose type \
             has {expected}: the kernel's value is {relation} than the type"
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::check_length;
    use std::io;

    #[test]
    fn the_exact_length_passes() {
        assert!(check_length(4, 4, "IpTtl").is_ok());
        assert!(check_length(12, 12, "PeerCred").is_ok());
    }

    #[test]
    fn a_shorter_or_longer_length_is_invalid_data_naming_the_option() {
        for (found, relation) in [(1, "shorter"), (8, "longer")] {
            let error = check_length(found, 4, "my::Opt").unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::InvalidData);
            let message = error.to_string();
            assert!(message.contains("`my::Opt`"), "{message}");
            assert!(
                message.contains(&format!("returned {found} bytes")),
                "{message}"
            );
            assert!(message.contains(relation), "{message}");
        }
    }

    #[test]
    fn zero_bytes_is_shorter() {
        let error = check_length(0, 4, "Opt").unwrap_err();
        assert!(error.to_string().contains("shorter"));
    }
}
