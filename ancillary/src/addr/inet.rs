//! [`SocketAddress`] for std's IPv4 and IPv6 address types.

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use super::{invalid, view, zeroed, RawSocketAddr, SocketAddress};

fn sockaddr_in(v4: &SocketAddrV4) -> libc::sockaddr_in {
    let mut sin: libc::sockaddr_in = zeroed();
    sin.sin_family = libc::AF_INET as libc::sa_family_t;
    sin.sin_port = v4.port().to_be();
    sin.sin_addr = libc::in_addr {
        s_addr: u32::from_ne_bytes(v4.ip().octets()),
    };
    #[cfg(bsd_like)]
    {
        sin.sin_len = size_of::<libc::sockaddr_in>() as u8;
    }
    sin
}

fn sockaddr_in6(v6: &SocketAddrV6) -> libc::sockaddr_in6 {
    let mut sin6: libc::sockaddr_in6 = zeroed();
    sin6.sin6_family = libc::AF_INET6 as libc::sa_family_t;
    sin6.sin6_port = v6.port().to_be();
    sin6.sin6_flowinfo = v6.flowinfo().to_be();
    sin6.sin6_addr = libc::in6_addr {
        s6_addr: v6.ip().octets(),
    };
    sin6.sin6_scope_id = v6.scope_id();
    #[cfg(bsd_like)]
    {
        sin6.sin6_len = size_of::<libc::sockaddr_in6>() as u8;
    }
    sin6
}

/// Calls `f` with a pointer to `value` and its size.
///
/// This and the `with_sockaddr`s below are always inlined: `f` is the caller's whole
/// `sendmsg`, which the compiler would otherwise leave behind a call once it grows
/// (BENCHMARKS.md, the QUIC section).
#[inline(always)]
fn with_value<T, R>(value: &T, f: impl FnOnce(*const libc::sockaddr, libc::socklen_t) -> R) -> R {
    f(
        core::ptr::from_ref(value).cast(),
        size_of::<T>() as libc::socklen_t,
    )
}

fn read_v4(addr: &RawSocketAddr) -> Option<SocketAddrV4> {
    let complete = addr.len() as usize >= size_of::<libc::sockaddr_in>();
    if i32::from(addr.family()) != libc::AF_INET || !complete {
        return None;
    }
    let sin: &libc::sockaddr_in = view(addr);
    let ip = Ipv4Addr::from(sin.sin_addr.s_addr.to_ne_bytes());
    Some(SocketAddrV4::new(ip, u16::from_be(sin.sin_port)))
}

fn read_v6(addr: &RawSocketAddr) -> Option<SocketAddrV6> {
    let complete = addr.len() as usize >= size_of::<libc::sockaddr_in6>();
    if i32::from(addr.family()) != libc::AF_INET6 || !complete {
        return None;
    }
    let sin6: &libc::sockaddr_in6 = view(addr);
    Some(SocketAddrV6::new(
        Ipv6Addr::from(sin6.sin6_addr.s6_addr),
        u16::from_be(sin6.sin6_port),
        u32::from_be(sin6.sin6_flowinfo),
        sin6.sin6_scope_id,
    ))
}

// SAFETY: `f` gets a pointer to a `sockaddr_in` or `sockaddr_in6` on this stack frame,
// alive for the whole call, and its size.
unsafe impl SocketAddress for SocketAddr {
    #[inline(always)]
    fn with_sockaddr<R>(
        &self,
        f: impl FnOnce(*const libc::sockaddr, libc::socklen_t) -> R,
    ) -> io::Result<R> {
        Ok(match self {
            SocketAddr::V4(v4) => with_value(&sockaddr_in(v4), f),
            SocketAddr::V6(v6) => with_value(&sockaddr_in6(v6), f),
        })
    }

    fn from_sockaddr(addr: &RawSocketAddr) -> io::Result<Self> {
        match (read_v4(addr), read_v6(addr)) {
            (Some(v4), _) => Ok(v4.into()),
            (_, Some(v6)) => Ok(v6.into()),
            _ => Err(invalid("recvmsg returned no IPv4 or IPv6 address")),
        }
    }
}

// SAFETY: `f` gets a pointer to a `sockaddr_in` on this stack frame, alive for the whole
// call, and its size.
unsafe impl SocketAddress for SocketAddrV4 {
    #[inline(always)]
    fn with_sockaddr<R>(
        &self,
        f: impl FnOnce(*const libc::sockaddr, libc::socklen_t) -> R,
    ) -> io::Result<R> {
        Ok(with_value(&sockaddr_in(self), f))
    }

    fn from_sockaddr(addr: &RawSocketAddr) -> io::Result<Self> {
        read_v4(addr).ok_or_else(|| invalid("recvmsg returned no IPv4 address"))
    }
}

// SAFETY: `f` gets a pointer to a `sockaddr_in6` on this stack frame, alive for the whole
// call, and its size.
unsafe impl SocketAddress for SocketAddrV6 {
    #[inline(always)]
    fn with_sockaddr<R>(
        &self,
        f: impl FnOnce(*const libc::sockaddr, libc::socklen_t) -> R,
    ) -> io::Result<R> {
        Ok(with_value(&sockaddr_in6(self), f))
    }

    fn from_sockaddr(addr: &RawSocketAddr) -> io::Result<Self> {
        read_v6(addr).ok_or_else(|| invalid("recvmsg returned no IPv6 address"))
    }
}
