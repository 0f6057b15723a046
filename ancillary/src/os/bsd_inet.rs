//! The UDP messages of FreeBSD and Apple platforms, which share the BSD socket layer: the
//! IPv4 receive messages of `ip(4)` (`IP_RECVDSTADDR`, `IP_RECVTOS`, `IP_RECVTTL`), and
//! the socket options that turn them and the IPv6 messages of RFC 3542 (`super::ipv6`,
//! shared with Linux) on. Each platform module re-exports them; what only one of them
//! has is behind `cfg` here.

use core::fmt;
use std::io;
use std::net::Ipv4Addr;
use std::os::fd::AsFd;

use super::bsd_sockopt;
pub use super::ecn::Ecn;
use super::inet::{in_addr, ipv4};

use crate::{set_socket_option, ControlMessage};

/// `IP_RECVDSTADDR` (`struct in_addr`): the destination address of a received IPv4
/// datagram, with [`set_recv_dstaddr_v4`](SocketOptionsExt::set_recv_dstaddr_v4): the
/// address to answer from on a socket bound to `0.0.0.0`.
///
/// # References
/// FreeBSD `ip(4)`, `IP_RECVDSTADDR`.
#[derive(ControlMessage, Clone, Copy)]
#[cmsg(crate = crate, level = libc::IPPROTO_IP, type = libc::IP_RECVDSTADDR)]
#[repr(transparent)]
#[doc(alias = "IP_RECVDSTADDR")]
pub struct IpRecvDstAddr(libc::in_addr);

impl IpRecvDstAddr {
    /// The destination address.
    #[must_use]
    pub fn addr(&self) -> Ipv4Addr {
        ipv4(self.0)
    }
}

/// `IP_SENDSRCADDR` (`struct in_addr`, FreeBSD): the source address to send one IPv4
/// datagram from, on a socket bound to `0.0.0.0` (the value is `IP_RECVDSTADDR`'s, so a
/// received [`IpRecvDstAddr`] and this message have the same level and type).
///
/// # References
/// FreeBSD `ip(4)`, `IP_SENDSRCADDR`.
#[cfg(target_os = "freebsd")]
#[derive(ControlMessage, Clone, Copy)]
#[cmsg(crate = crate, level = libc::IPPROTO_IP, type = libc::IP_SENDSRCADDR)]
#[repr(transparent)]
#[doc(alias = "IP_SENDSRCADDR")]
pub struct IpSendSrcAddr(libc::in_addr);

#[cfg(target_os = "freebsd")]
impl IpSendSrcAddr {
    /// Send from `source`.
    #[must_use]
    pub fn new(source: Ipv4Addr) -> IpSendSrcAddr {
        IpSendSrcAddr(in_addr(source))
    }

    /// The source address.
    #[must_use]
    pub fn addr(&self) -> Ipv4Addr {
        ipv4(self.0)
    }
}

#[cfg(target_os = "freebsd")]
impl fmt::Debug for IpSendSrcAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IpSendSrcAddr").field(&self.addr()).finish()
    }
}

/// `IP_RECVTOS` (one byte): the TOS byte of a received IPv4 datagram, with
/// [`set_recv_tos_v4`](SocketOptionsExt::set_recv_tos_v4); its low two bits are the ECN
/// codepoint. The message's type is `IP_RECVTOS` itself (Linux uses `IP_TOS`).
///
/// # References
/// FreeBSD `ip(4)`, `IP_RECVTOS`.
#[derive(ControlMessage, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cmsg(crate = crate, level = libc::IPPROTO_IP, type = libc::IP_RECVTOS)]
#[repr(C)]
#[doc(alias = "IP_RECVTOS")]
pub struct IpRecvTos {
    tos: u8,
}

impl IpRecvTos {
    /// The TOS byte.
    #[must_use]
    pub const fn tos(&self) -> u8 {
        self.tos
    }

    /// Its ECN codepoint (the two low bits).
    #[must_use]
    pub const fn ecn(&self) -> Ecn {
        Ecn::from_bits(self.tos)
    }
}

/// `IP_RECVTTL` (one byte): the TTL of a received IPv4 datagram, with
/// [`set_recv_ttl_v4`](SocketOptionsExt::set_recv_ttl_v4).
///
/// # References
/// FreeBSD `ip(4)`, `IP_RECVTTL`.
#[derive(ControlMessage, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cmsg(crate = crate, level = libc::IPPROTO_IP, type = libc::IP_RECVTTL)]
#[repr(C)]
#[doc(alias = "IP_RECVTTL")]
pub struct IpRecvTtl {
    ttl: u8,
}

impl IpRecvTtl {
    /// The TTL.
    #[must_use]
    pub const fn ttl(&self) -> u8 {
        self.ttl
    }
}

/// `IP_PKTINFO` (`struct in_pktinfo`, Apple platforms): the destination address and
/// arrival interface of a received IPv4 datagram (with
/// [`set_recv_pktinfo_v4`](SocketOptionsExt::set_recv_pktinfo_v4)), or the source address
/// and interface to send one with.
///
/// # References
/// XNU `bsd/netinet/in.h`, `struct in_pktinfo`.
#[cfg(not(target_os = "freebsd"))]
#[derive(ControlMessage, Clone, Copy)]
#[cmsg(crate = crate, level = libc::IPPROTO_IP, type = libc::IP_PKTINFO)]
#[repr(transparent)]
#[doc(alias = "IP_PKTINFO")]
#[doc(alias = "in_pktinfo")]
pub struct InPktinfo(libc::in_pktinfo);

#[cfg(not(target_os = "freebsd"))]
impl InPktinfo {
    /// To send: the source address `spec_dst`, and the interface `ifindex` (0: the one
    /// routing picks).
    #[must_use]
    pub fn new(spec_dst: Ipv4Addr, ifindex: u32) -> InPktinfo {
        InPktinfo(libc::in_pktinfo {
            ipi_ifindex: ifindex,
            ipi_spec_dst: in_addr(spec_dst),
            ipi_addr: in_addr(Ipv4Addr::UNSPECIFIED),
        })
    }

    /// The interface index (`ipi_ifindex`).
    #[must_use]
    pub const fn ifindex(&self) -> u32 {
        self.0.ipi_ifindex
    }

    /// The local address (`ipi_spec_dst`).
    #[must_use]
    pub fn spec_dst(&self) -> Ipv4Addr {
        ipv4(self.0.ipi_spec_dst)
    }

    /// Received: the destination address in the datagram's header (`ipi_addr`).
    #[must_use]
    pub fn addr(&self) -> Ipv4Addr {
        ipv4(self.0.ipi_addr)
    }
}

#[cfg(not(target_os = "freebsd"))]
impl fmt::Debug for InPktinfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InPktinfo")
            .field("ifindex", &self.ifindex())
            .field("spec_dst", &self.spec_dst())
            .field("addr", &self.addr())
            .finish()
    }
}

impl fmt::Debug for IpRecvDstAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IpRecvDstAddr").field(&self.addr()).finish()
    }
}

/// Socket options that turn on the messages of this module, as methods on every socket
/// (anything [`AsFd`]), without `unsafe`. The names follow socket2's where it has the
/// same option. Each is a one-line wrapper over its option type in the platform's
/// `sockopt` module, which has more options, to read as well as to set.
///
/// # References
/// FreeBSD `ip(4)` and `ip6(4)`; RFC 3542.
pub trait SocketOptionsExt: AsFd {
    /// `IP_RECVDSTADDR`: every IPv4 datagram carries its destination address,
    /// [`IpRecvDstAddr`].
    #[doc(alias = "IP_RECVDSTADDR")]
    fn set_recv_dstaddr_v4(&self, on: bool) -> io::Result<()> {
        set_socket_option(self, &bsd_sockopt::IpRecvDstAddr(on))
    }

    /// `IP_RECVTOS`: every IPv4 datagram carries its TOS byte, [`IpRecvTos`].
    #[doc(alias = "IP_RECVTOS")]
    fn set_recv_tos_v4(&self, on: bool) -> io::Result<()> {
        set_socket_option(self, &bsd_sockopt::IpRecvTos(on))
    }

    /// `IP_RECVTTL`: every IPv4 datagram carries its TTL, [`IpRecvTtl`].
    #[doc(alias = "IP_RECVTTL")]
    fn set_recv_ttl_v4(&self, on: bool) -> io::Result<()> {
        set_socket_option(self, &bsd_sockopt::IpRecvTtl(on))
    }

    /// `IP_PKTINFO` (Apple platforms): every IPv4 datagram carries its destination and
    /// interface, [`InPktinfo`].
    #[cfg(not(target_os = "freebsd"))]
    #[doc(alias = "IP_PKTINFO")]
    fn set_recv_pktinfo_v4(&self, on: bool) -> io::Result<()> {
        set_socket_option(self, &bsd_sockopt::IpPktinfo(on))
    }

    super::ipv6::rfc3542_options!();
}

impl<T: AsFd + ?Sized> SocketOptionsExt for T {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ControlMessagesBuf;
    use core::ffi::c_int;

    /// A received buffer as the kernel would write it, from raw messages.
    fn buffer(messages: &[(c_int, c_int, &[u8])]) -> ControlMessagesBuf<'static> {
        let mut buf = ControlMessagesBuf::new();
        for &(level, ty, data) in messages {
            buf.push(&ControlMessage::new(level, ty, data));
        }
        buf
    }

    #[test]
    fn ipv4_receive_messages_parse_from_kernel_bytes() {
        let buf = buffer(&[
            (libc::IPPROTO_IP, libc::IP_RECVDSTADDR, &[127, 0, 0, 9]),
            (libc::IPPROTO_IP, libc::IP_RECVTOS, &[0b1010_0011]),
            (libc::IPPROTO_IP, libc::IP_RECVTTL, &[63]),
        ]);
        let dst = buf.find::<IpRecvDstAddr>().unwrap().unwrap();
        assert_eq!(dst.addr(), Ipv4Addr::new(127, 0, 0, 9));
        let tos = buf.find::<IpRecvTos>().unwrap().unwrap();
        assert_eq!((tos.tos(), tos.ecn()), (0b1010_0011, Ecn::Ce));
        assert_eq!(buf.find::<IpRecvTtl>().unwrap().unwrap().ttl(), 63);
    }

    #[cfg(target_os = "freebsd")]
    #[test]
    fn send_source_address_is_an_in_addr() {
        let source = IpSendSrcAddr::new(Ipv4Addr::new(10, 0, 0, 1));
        let message = ControlMessage::from(&source);
        assert_eq!(message.data(), &[10, 0, 0, 1]);
        assert_eq!(message.cmsg_type(), libc::IP_SENDSRCADDR);
    }

    #[cfg(not(target_os = "freebsd"))]
    #[test]
    fn apple_in_pktinfo_round_trips() {
        let info = InPktinfo::new(Ipv4Addr::new(192, 0, 2, 1), 2);
        let message = ControlMessage::from(&info);
        assert_eq!(&message.data()[4..8], &[192, 0, 2, 1]);
        let back = InPktinfo::try_from(message).unwrap();
        assert_eq!(
            (back.ifindex(), back.spec_dst()),
            (2, Ipv4Addr::new(192, 0, 2, 1))
        );
    }
}
