//! IPv6 messages (level `IPPROTO_IPV6`): [`Ipv6Tclass`] (ECN), [`Ipv6HopLimit`],
//! [`In6Pktinfo`], [`Ipv6OrigDstAddr`].

use core::ffi::c_int;
use core::fmt;
use std::net::{Ipv6Addr, SocketAddrV6};

use super::ip::int_byte;
use super::Ecn;
use crate::ControlMessage;

/// `IPV6_TCLASS`: the traffic class of a received IPv6 datagram (with
/// [`set_recv_tclass_v6`](super::SocketOptionsExt::set_recv_tclass_v6)), or the one to
/// send a datagram with; its low two bits are the ECN codepoint. An `int` both ways.
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// use std::net::UdpSocket;
/// use ancillary::os::linux::{Ecn, Ipv6Tclass, SocketOptionsExt};
/// use ancillary::{AncillaryData, ControlMessagePayload, MessageReceiver, MessageSender};
///
/// let Ok(socket) = UdpSocket::bind("[::1]:0") else { return Ok(()) }; // no IPv6 here
/// socket.set_recv_tclass_v6(true)?;
/// let mut ancillary = AncillaryData::with_capacity(Ipv6Tclass::SPACE);
/// ancillary.add_control_message(&Ipv6Tclass::from_ecn(Ecn::Ect1));
/// MessageSender::new(&socket, b"ecn").ancillary_data(&mut ancillary).send_to(&socket.local_addr()?)?;
///
/// MessageReceiver::new(&socket, &mut [0; 8]).ancillary_data(&mut ancillary).recv()?;
/// let tclass = ancillary.control_messages().find::<Ipv6Tclass>().unwrap()?;
/// assert_eq!(tclass.ecn(), Ecn::Ect1);
/// # Ok(())
/// # }
/// ```
///
/// # References
/// `ipv6(7)`; RFC 3542, section 6.5.
#[derive(ControlMessage, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cmsg(crate = crate, level = libc::IPPROTO_IPV6, type = libc::IPV6_TCLASS)]
#[repr(C)]
#[doc(alias = "IPV6_TCLASS")]
#[doc(alias = "IPV6_RECVTCLASS")]
pub struct Ipv6Tclass {
    tclass: c_int,
}

impl Ipv6Tclass {
    /// A datagram with this traffic class.
    #[must_use]
    pub const fn new(tclass: u8) -> Ipv6Tclass {
        Ipv6Tclass {
            tclass: tclass as c_int,
        }
    }

    /// A datagram with this ECN codepoint and DSCP 0.
    #[must_use]
    pub const fn from_ecn(ecn: Ecn) -> Ipv6Tclass {
        Ipv6Tclass::new(ecn.bits())
    }

    /// The traffic class.
    #[must_use]
    pub fn tclass(&self) -> u8 {
        int_byte(self.tclass)
    }

    /// Its ECN codepoint (the two low bits).
    #[must_use]
    pub fn ecn(&self) -> Ecn {
        Ecn::from_bits(self.tclass())
    }
}

/// `IPV6_HOPLIMIT`: the hop limit of a received IPv6 datagram (with
/// [`set_recv_hoplimit_v6`](super::SocketOptionsExt::set_recv_hoplimit_v6)), or the one
/// to send a datagram with. An `int` both ways.
///
/// # References
/// `ipv6(7)`; RFC 3542, section 6.3.
#[derive(ControlMessage, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cmsg(crate = crate, level = libc::IPPROTO_IPV6, type = libc::IPV6_HOPLIMIT)]
#[repr(C)]
#[doc(alias = "IPV6_HOPLIMIT")]
#[doc(alias = "IPV6_RECVHOPLIMIT")]
pub struct Ipv6HopLimit {
    hop_limit: c_int,
}

impl Ipv6HopLimit {
    /// A datagram with this hop limit.
    #[must_use]
    pub const fn new(hop_limit: u8) -> Ipv6HopLimit {
        Ipv6HopLimit {
            hop_limit: hop_limit as c_int,
        }
    }

    /// The hop limit.
    #[must_use]
    pub fn hop_limit(&self) -> u8 {
        int_byte(self.hop_limit)
    }
}

/// `IPV6_PKTINFO` (`struct in6_pktinfo`): on receive (with
/// [`set_recv_pktinfo_v6`](super::SocketOptionsExt::set_recv_pktinfo_v6)), the
/// destination address of an IPv6 datagram and the interface it arrived on; on send, the
/// source address (and interface) of one datagram.
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// use std::net::{Ipv6Addr, UdpSocket};
/// use ancillary::os::linux::{In6Pktinfo, SocketOptionsExt};
/// use ancillary::{AncillaryData, ControlMessagePayload, MessageReceiver, MessageSender};
///
/// let Ok(receiver) = UdpSocket::bind("[::1]:0") else { return Ok(()) }; // no IPv6 here
/// receiver.set_recv_pktinfo_v6(true)?;
/// let sender = UdpSocket::bind("[::]:0")?;
/// let mut ancillary = AncillaryData::with_capacity(In6Pktinfo::SPACE);
/// ancillary.add_control_message(&In6Pktinfo::from_source(Ipv6Addr::LOCALHOST));
/// MessageSender::new(&sender, b"hi").ancillary_data(&mut ancillary).send_to(&receiver.local_addr()?)?;
///
/// let (_, _, from) = MessageReceiver::new(&receiver, &mut [0; 8])
///     .ancillary_data(&mut ancillary)
///     .recv_from()?;
/// assert_eq!(from.ip(), Ipv6Addr::LOCALHOST);
/// let info = ancillary.control_messages().find::<In6Pktinfo>().unwrap()?;
/// assert_eq!(info.addr(), Ipv6Addr::LOCALHOST);
/// # Ok(())
/// # }
/// ```
///
/// # References
/// `ipv6(7)`; RFC 3542, section 6.1.
#[derive(ControlMessage, Clone, Copy)]
#[cmsg(crate = crate, level = libc::IPPROTO_IPV6, type = libc::IPV6_PKTINFO)]
#[repr(transparent)]
#[doc(alias = "IPV6_PKTINFO")]
#[doc(alias = "IPV6_RECVPKTINFO")]
#[doc(alias = "in6_pktinfo")]
pub struct In6Pktinfo(libc::in6_pktinfo);

impl In6Pktinfo {
    /// To send: the source address `addr` and the interface `ifindex` (0: the one routing
    /// picks).
    #[must_use]
    pub const fn new(addr: Ipv6Addr, ifindex: u32) -> In6Pktinfo {
        In6Pktinfo(libc::in6_pktinfo {
            ipi6_addr: libc::in6_addr {
                s6_addr: addr.octets(),
            },
            // `unsigned int` in Linux's uapi header, `int` in Android's `libc`.
            ipi6_ifindex: ifindex as _,
        })
    }

    /// To send from `source`, on the interface routing picks.
    #[must_use]
    pub const fn from_source(source: Ipv6Addr) -> In6Pktinfo {
        In6Pktinfo::new(source, 0)
    }

    /// Received: the destination address in the datagram's header. Sent: the source
    /// address to use.
    #[must_use]
    pub fn addr(&self) -> Ipv6Addr {
        Ipv6Addr::from(self.0.ipi6_addr.s6_addr)
    }

    /// The interface index.
    #[must_use]
    #[allow(
        clippy::unnecessary_cast,
        reason = "`int` in Android's `libc`, `unsigned int` elsewhere"
    )]
    pub const fn ifindex(&self) -> u32 {
        self.0.ipi6_ifindex as u32
    }

    /// The C struct.
    #[must_use]
    pub const fn as_libc(&self) -> &libc::in6_pktinfo {
        &self.0
    }
}

impl From<libc::in6_pktinfo> for In6Pktinfo {
    fn from(info: libc::in6_pktinfo) -> In6Pktinfo {
        In6Pktinfo(info)
    }
}

impl PartialEq for In6Pktinfo {
    fn eq(&self, other: &In6Pktinfo) -> bool {
        (self.addr(), self.ifindex()) == (other.addr(), other.ifindex())
    }
}

impl Eq for In6Pktinfo {}

impl fmt::Debug for In6Pktinfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("In6Pktinfo")
            .field("addr", &self.addr())
            .field("ifindex", &self.ifindex())
            .finish()
    }
}

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
