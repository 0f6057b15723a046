//! The socket options Linux, FreeBSD and Apple platforms share, as
//! [`SocketOption`](crate::SocketOption) types: buffer sizes, the RFC 3542 receive options
//! and `IPV6_DONTFRAG`. Each platform's public `sockopt` module re-exports them, and its
//! `SocketOptionsExt` wraps them.

use core::ffi::c_int;

use crate::SocketOption;

/// `SO_RCVBUF`: the socket's receive buffer size, in bytes.
///
/// Linux doubles the value set (to leave room for its bookkeeping), caps it at
/// `net.core.rmem_max` and raises it to a small minimum, and reads back the doubled
/// value. FreeBSD and macOS store the value as set, and refuse one above their
/// `kern.ipc.maxsockbuf` limit with `ENOBUFS`.
///
/// # References
/// Linux `socket(7)`, FreeBSD and macOS `setsockopt(2)`.
#[derive(SocketOption, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[sockopt(crate = crate, level = libc::SOL_SOCKET, name = libc::SO_RCVBUF)]
#[repr(transparent)]
#[doc(alias = "SO_RCVBUF")]
pub struct SoRcvBuf(pub c_int);

/// `SO_SNDBUF`: the socket's send buffer size, in bytes. Linux doubles it as it does
/// [`SoRcvBuf`] (capped at `net.core.wmem_max`); FreeBSD and macOS store it as set.
///
/// # References
/// Linux `socket(7)`, FreeBSD and macOS `setsockopt(2)`.
#[derive(SocketOption, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[sockopt(crate = crate, level = libc::SOL_SOCKET, name = libc::SO_SNDBUF)]
#[repr(transparent)]
#[doc(alias = "SO_SNDBUF")]
pub struct SoSndBuf(pub c_int);

/// `IPV6_DONTFRAG` (RFC 3542): on, IPv6 datagrams larger than the path MTU are not
/// fragmented by this host; the send fails with `EMSGSIZE` instead (Linux reports it for
/// a datagram larger than the route's MTU; a smaller MTU learnt later from an ICMPv6
/// "packet too big" shows up on the next send, or in the error queue with
/// `IPV6_RECVERR`). What a QUIC stack turns on to probe the path MTU itself.
///
/// # References
/// RFC 3542, section 11.2; Linux `ipv6(7)`; FreeBSD `ip6(4)`.
#[derive(SocketOption, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[sockopt(crate = crate, level = libc::IPPROTO_IPV6, name = libc::IPV6_DONTFRAG, flag)]
#[doc(alias = "IPV6_DONTFRAG")]
pub struct Ipv6DontFrag(pub bool);

/// `IPV6_RECVTCLASS`: every IPv6 datagram received carries its traffic class,
/// [`Ipv6Tclass`](super::ipv6::Ipv6Tclass) (ECN in its low two bits).
#[derive(SocketOption, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[sockopt(crate = crate, level = libc::IPPROTO_IPV6, name = libc::IPV6_RECVTCLASS, flag)]
#[doc(alias = "IPV6_RECVTCLASS")]
pub struct Ipv6RecvTclass(pub bool);

/// `IPV6_RECVPKTINFO`: every IPv6 datagram received carries its destination address and
/// arrival interface, [`In6Pktinfo`](super::ipv6::In6Pktinfo).
#[derive(SocketOption, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[sockopt(crate = crate, level = libc::IPPROTO_IPV6, name = libc::IPV6_RECVPKTINFO, flag)]
#[doc(alias = "IPV6_RECVPKTINFO")]
pub struct Ipv6RecvPktinfo(pub bool);

/// `IPV6_RECVHOPLIMIT`: every IPv6 datagram received carries its hop limit,
/// [`Ipv6HopLimit`](super::ipv6::Ipv6HopLimit).
#[derive(SocketOption, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[sockopt(crate = crate, level = libc::IPPROTO_IPV6, name = libc::IPV6_RECVHOPLIMIT, flag)]
#[doc(alias = "IPV6_RECVHOPLIMIT")]
pub struct Ipv6RecvHopLimit(pub bool);
