//! The IPv6 message of Linux's own (level `IPPROTO_IPV6`): [`Ipv6OrigDstAddr`]. Those of
//! RFC 3542 ([`Ipv6Tclass`](super::Ipv6Tclass), [`Ipv6HopLimit`](super::Ipv6HopLimit),
//! [`In6Pktinfo`](super::In6Pktinfo)) are shared with the BSDs.

use core::fmt;
use std::net::{Ipv6Addr, SocketAddrV6};

use crate::ControlMessage;

/// `IPV6_ORIGDSTADDR` (`struct sockaddr_in6`): the destination address and port of a
/// received IPv6 datagram, with
/// [`set_recv_orig_dst_addr_v6`](super::SocketOptionsExt::set_recv_orig_dst_addr_v6).
///
/// # References
/// `ipv6(7)`, `IPV6_RECVORIGDSTADDR`.
#[derive(ControlMessage, Clone, Copy)]
#[cmsg(crate = crate, level = libc::IPPROTO_IPV6, type = libc::IPV6_ORIGDSTADDR)]
#[repr(transparent)]
#[doc(alias = "IPV6_ORIGDSTADDR")]
#[doc(alias = "IPV6_RECVORIGDSTADDR")]
pub struct Ipv6OrigDstAddr(libc::sockaddr_in6);

impl Ipv6OrigDstAddr {
    /// The destination address and port (with the flow label and scope id the kernel
    /// wrote).
    #[must_use]
    pub fn addr(&self) -> SocketAddrV6 {
        let sin6 = &self.0;
        SocketAddrV6::new(
            Ipv6Addr::from(sin6.sin6_addr.s6_addr),
            u16::from_be(sin6.sin6_port),
            u32::from_be(sin6.sin6_flowinfo),
            sin6.sin6_scope_id,
        )
    }

    /// The C struct.
    #[must_use]
    pub const fn as_libc(&self) -> &libc::sockaddr_in6 {
        &self.0
    }
}

impl PartialEq for Ipv6OrigDstAddr {
    fn eq(&self, other: &Ipv6OrigDstAddr) -> bool {
        self.addr() == other.addr()
    }
}

impl Eq for Ipv6OrigDstAddr {}

impl fmt::Debug for Ipv6OrigDstAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Ipv6OrigDstAddr")
            .field(&self.addr())
            .finish()
    }
}
