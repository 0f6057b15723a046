//! IPv4 messages (level `IPPROTO_IP`): [`IpTos`] and [`IpTosSend`] (ECN), [`IpTtl`],
//! [`InPktinfo`], [`IpOrigDstAddr`].
//!
//! Each is a few lines with `#[derive(ControlMessage)]`, like any downstream message; the
//! C structs are `libc`'s, which are [`PayloadField`](crate::PayloadField)s.

use core::ffi::c_int;
use core::fmt;
use std::net::{Ipv4Addr, SocketAddrV4};

use super::Ecn;
use crate::os::inet::{in_addr, int_byte, ipv4};
use crate::ControlMessage;

/// `IP_TOS` as Linux delivers it: the TOS byte of a received IPv4 datagram (with
/// [`set_recv_tos_v4`](super::SocketOptionsExt::set_recv_tos_v4)), whose low two bits are
/// the ECN codepoint.
///
/// Linux delivers one byte but takes an `int` on send ([`IpTosSend`]; recent kernels
/// take one byte too, older ones only the `int`): two layouts under
/// one level and type, so two types. Both are `#[cmsg(shared)]`, so
/// [`find`](crate::ControlMessages::find) and [`of_type`](crate::ControlMessages::of_type)
/// of one pass over a message of the other's length instead of failing on it.
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// # // qemu-user passes IP_TOS unconverted: big-endian guests get EINVAL.
/// use std::net::UdpSocket;
/// use ancillary::os::linux::{Ecn, IpTos, IpTosSend, SocketOptionsExt};
/// use ancillary::{AncillaryData, ControlMessagePayload, MessageReceiver, MessageSender};
///
/// let receiver = UdpSocket::bind("127.0.0.1:0")?;
/// receiver.set_recv_tos_v4(true)?;
/// let sender = UdpSocket::bind("127.0.0.1:0")?;
///
/// let mut ancillary = AncillaryData::with_capacity(IpTosSend::SPACE);
/// ancillary.add_control_message(&IpTosSend::from_ecn(Ecn::Ect0));
/// MessageSender::new(&sender, b"ecn").ancillary_data(&mut ancillary).send_to(&receiver.local_addr()?)?;
///
/// let mut ancillary = AncillaryData::with_capacity(IpTos::SPACE);
/// MessageReceiver::new(&receiver, &mut [0; 8]).ancillary_data(&mut ancillary).recv()?;
/// let tos = ancillary.control_messages().find::<IpTos>().unwrap()?;
/// assert_eq!(tos.ecn(), Ecn::Ect0);
/// // The send layout is not there, and is not an error either.
/// assert!(ancillary.control_messages().find::<IpTosSend>().is_none());
/// # Ok(())
/// # }
/// ```
///
/// # References
/// `ip(7)`, `IP_TOS` and `IP_RECVTOS`.
#[derive(ControlMessage, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cmsg(crate = crate, level = libc::IPPROTO_IP, type = libc::IP_TOS, shared)]
#[repr(C)]
#[doc(alias = "IP_TOS")]
#[doc(alias = "IP_RECVTOS")]
pub struct IpTos {
    tos: u8,
}

impl IpTos {
    /// A TOS byte, as the kernel delivers it.
    #[must_use]
    pub const fn new(tos: u8) -> IpTos {
        IpTos { tos }
    }

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

/// `IP_TOS` to send: the TOS byte (and so the ECN codepoint) of one datagram, as the
/// `int` Linux takes (kernels too old to take `IP_TOS` on send at all fail the send with
/// `EINVAL`). Received TOS bytes are [`IpTos`]; see there for an example.
///
/// # References
/// `ip(7)`, `IP_TOS`.
#[derive(ControlMessage, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cmsg(crate = crate, level = libc::IPPROTO_IP, type = libc::IP_TOS, shared)]
#[repr(C)]
#[doc(alias = "IP_TOS")]
pub struct IpTosSend {
    tos: c_int,
}

impl IpTosSend {
    /// A datagram with this TOS byte.
    #[must_use]
    pub const fn new(tos: u8) -> IpTosSend {
        IpTosSend { tos: tos as c_int }
    }

    /// A datagram with this ECN codepoint and DSCP 0.
    #[must_use]
    pub const fn from_ecn(ecn: Ecn) -> IpTosSend {
        IpTosSend::new(ecn.bits())
    }

    /// The TOS byte.
    #[must_use]
    pub fn tos(&self) -> u8 {
        int_byte(self.tos)
    }
}

/// `IP_TTL`: the TTL of a received IPv4 datagram (with
/// [`set_recv_ttl_v4`](super::SocketOptionsExt::set_recv_ttl_v4)), or the TTL to send one
/// with. An `int` both ways.
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// use std::net::UdpSocket;
/// use ancillary::os::linux::{IpTtl, SocketOptionsExt};
/// use ancillary::{AncillaryData, ControlMessagePayload, MessageReceiver};
///
/// let socket = UdpSocket::bind("127.0.0.1:0")?;
/// socket.set_recv_ttl_v4(true)?;
/// socket.send_to(b"hop", socket.local_addr()?)?;
/// let mut ancillary = AncillaryData::with_capacity(IpTtl::SPACE);
/// MessageReceiver::new(&socket, &mut [0; 8]).ancillary_data(&mut ancillary).recv()?;
/// assert_eq!(ancillary.control_messages().find::<IpTtl>().unwrap()?.ttl(), 64);
/// # Ok(())
/// # }
/// ```
///
/// # References
/// `ip(7)`, `IP_TTL` and `IP_RECVTTL`.
#[derive(ControlMessage, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cmsg(crate = crate, level = libc::IPPROTO_IP, type = libc::IP_TTL)]
#[repr(C)]
#[doc(alias = "IP_TTL")]
#[doc(alias = "IP_RECVTTL")]
pub struct IpTtl {
    ttl: c_int,
}

impl IpTtl {
    /// A datagram with this TTL (1 to 255; the kernel refuses 0 on send).
    #[must_use]
    pub const fn new(ttl: u8) -> IpTtl {
        IpTtl { ttl: ttl as c_int }
    }

    /// The TTL.
    #[must_use]
    pub fn ttl(&self) -> u8 {
        int_byte(self.ttl)
    }
}

/// `IP_PKTINFO` (`struct in_pktinfo`): on receive (with
/// [`set_recv_pktinfo_v4`](super::SocketOptionsExt::set_recv_pktinfo_v4)), where an IPv4
/// datagram was sent to and on which interface it arrived; on send, the source address
/// (and interface) of one datagram, so that a server bound to `0.0.0.0` answers from the
/// address the client used.
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// use std::net::{Ipv4Addr, UdpSocket};
/// use ancillary::os::linux::{InPktinfo, SocketOptionsExt};
/// use ancillary::{AncillaryData, ControlMessagePayload, MessageReceiver, MessageSender};
///
/// let receiver = UdpSocket::bind("127.0.0.1:0")?;
/// receiver.set_recv_pktinfo_v4(true)?;
/// let sender = UdpSocket::bind("0.0.0.0:0")?;
///
/// // Sent from 127.0.0.2, although `sender` is bound to no address.
/// let mut ancillary = AncillaryData::with_capacity(InPktinfo::SPACE);
/// ancillary.add_control_message(&InPktinfo::from_source(Ipv4Addr::new(127, 0, 0, 2)));
/// MessageSender::new(&sender, b"hi").ancillary_data(&mut ancillary).send_to(&receiver.local_addr()?)?;
///
/// let mut ancillary = AncillaryData::with_capacity(InPktinfo::SPACE);
/// let (_, _, from) = MessageReceiver::new(&receiver, &mut [0; 8])
///     .ancillary_data(&mut ancillary)
///     .recv_from()?;
/// assert_eq!(from.ip(), Ipv4Addr::new(127, 0, 0, 2));
/// let info = ancillary.control_messages().find::<InPktinfo>().unwrap()?;
/// assert_eq!(info.addr(), Ipv4Addr::LOCALHOST);
/// assert!(info.ifindex() > 0);
/// # Ok(())
/// # }
/// ```
///
/// # References
/// `ip(7)`, `IP_PKTINFO`.
#[derive(ControlMessage, Clone, Copy)]
#[cmsg(crate = crate, level = libc::IPPROTO_IP, type = libc::IP_PKTINFO)]
#[repr(transparent)]
#[doc(alias = "IP_PKTINFO")]
#[doc(alias = "in_pktinfo")]
pub struct InPktinfo(libc::in_pktinfo);

impl InPktinfo {
    /// To send: the source address `spec_dst`, and the interface `ifindex` (0: the one
    /// routing picks). The same order and types as
    /// [`In6Pktinfo::new`](crate::os::linux::In6Pktinfo::new).
    #[must_use]
    pub fn new(spec_dst: Ipv4Addr, ifindex: u32) -> InPktinfo {
        InPktinfo(libc::in_pktinfo {
            // An `int` in the C struct; interface indexes are positive `int`s, so an index
            // above `i32::MAX`, which names no interface, wraps to one the kernel refuses.
            ipi_ifindex: ifindex as c_int,
            ipi_spec_dst: in_addr(spec_dst),
            ipi_addr: in_addr(Ipv4Addr::UNSPECIFIED),
        })
    }

    /// To send from `source`, on the interface routing picks.
    #[must_use]
    pub fn from_source(source: Ipv4Addr) -> InPktinfo {
        InPktinfo::new(source, 0)
    }

    /// Received: the index of the interface the datagram arrived on (`ipi_ifindex`, an
    /// `int` the kernel fills with a positive index), as a `u32` like
    /// [`In6Pktinfo::ifindex`](crate::os::linux::In6Pktinfo::ifindex).
    #[must_use]
    pub const fn ifindex(&self) -> u32 {
        self.0.ipi_ifindex as u32
    }

    /// Received: the local address the datagram was routed to (`ipi_spec_dst`), the
    /// source address to answer from. Sent: the source address to use.
    #[must_use]
    pub fn spec_dst(&self) -> Ipv4Addr {
        ipv4(self.0.ipi_spec_dst)
    }

    /// Received: the destination address in the datagram's header (`ipi_addr`).
    #[must_use]
    pub fn addr(&self) -> Ipv4Addr {
        ipv4(self.0.ipi_addr)
    }

    /// The C struct.
    #[must_use]
    pub const fn as_libc(&self) -> &libc::in_pktinfo {
        &self.0
    }
}

impl From<libc::in_pktinfo> for InPktinfo {
    fn from(info: libc::in_pktinfo) -> InPktinfo {
        InPktinfo(info)
    }
}

impl PartialEq for InPktinfo {
    fn eq(&self, other: &InPktinfo) -> bool {
        (self.ifindex(), self.spec_dst(), self.addr())
            == (other.ifindex(), other.spec_dst(), other.addr())
    }
}

impl Eq for InPktinfo {}

impl fmt::Debug for InPktinfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InPktinfo")
            .field("ifindex", &self.ifindex())
            .field("spec_dst", &self.spec_dst())
            .field("addr", &self.addr())
            .finish()
    }
}

/// `IP_ORIGDSTADDR` (`struct sockaddr_in`): the destination address and port of a
/// received IPv4 datagram, with
/// [`set_recv_orig_dst_addr_v4`](super::SocketOptionsExt::set_recv_orig_dst_addr_v4). For
/// a socket that receives redirected traffic (`IP_TRANSPARENT`, TPROXY) the address and
/// port the sender used, not the socket's own.
///
/// # References
/// `ip(7)`, `IP_RECVORIGDSTADDR`.
#[derive(ControlMessage, Clone, Copy)]
#[cmsg(crate = crate, level = libc::IPPROTO_IP, type = libc::IP_ORIGDSTADDR)]
#[repr(transparent)]
#[doc(alias = "IP_ORIGDSTADDR")]
#[doc(alias = "IP_RECVORIGDSTADDR")]
pub struct IpOrigDstAddr(libc::sockaddr_in);

impl IpOrigDstAddr {
    /// The destination address and port.
    #[must_use]
    pub fn addr(&self) -> SocketAddrV4 {
        SocketAddrV4::new(ipv4(self.0.sin_addr), u16::from_be(self.0.sin_port))
    }

    /// The C struct.
    #[must_use]
    pub const fn as_libc(&self) -> &libc::sockaddr_in {
        &self.0
    }
}

impl PartialEq for IpOrigDstAddr {
    fn eq(&self, other: &IpOrigDstAddr) -> bool {
        self.addr() == other.addr()
    }
}

impl Eq for IpOrigDstAddr {}

impl fmt::Debug for IpOrigDstAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IpOrigDstAddr").field(&self.addr()).finish()
    }
}
