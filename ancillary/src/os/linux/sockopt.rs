//! [`SocketOptionsExt`]: the socket options that make the kernel deliver (or accept) the
//! control messages of this module, without `unsafe`.

use std::io;
use std::os::fd::AsFd;

#[allow(
    unused_imports,
    reason = "named by the doc links of `rfc3542_options!`"
)]
use super::{In6Pktinfo, Ipv6HopLimit, Ipv6Tclass};
use crate::os::setsockopt::{set, set_flag};

/// Socket options that turn on the control messages of [`os::linux`](super), as methods on
/// every socket (anything [`AsFd`]: std's, tokio's, socket2's, `OwnedFd`).
///
/// Each `set_recv_*` option makes every datagram received afterwards carry one message,
/// whose type the method names. The names follow socket2 where it has the same option
/// (`set_recv_tos_v4`, `set_recv_tclass_v6`, `set_recv_hoplimit_v6`, `set_passcred`), so
/// on a `socket2::Socket` its own method is called instead, with the same effect.
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// use std::net::UdpSocket;
/// use ancillary::os::linux::{InPktinfo, IpTos, SocketOptionsExt};
/// use ancillary::{AncillaryData, ControlMessagePayload, MessageReceiver};
///
/// let socket = UdpSocket::bind("127.0.0.1:0")?;
/// socket.set_recv_pktinfo_v4(true)?;
/// socket.set_recv_tos_v4(true)?;
/// socket.send_to(b"hi", socket.local_addr()?)?;
///
/// let mut ancillary = AncillaryData::with_capacity(InPktinfo::SPACE + IpTos::SPACE);
/// MessageReceiver::new(&socket, &mut [0; 8]).ancillary_data(&mut ancillary).recv()?;
/// let info = ancillary.control_messages().find::<InPktinfo>().unwrap()?;
/// assert_eq!(info.addr(), std::net::Ipv4Addr::LOCALHOST);
/// # Ok(())
/// # }
/// ```
///
/// The IPv6 messages of RFC 3542, both ways: an ECN codepoint and a source address sent,
/// the traffic class and the destination address received.
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// use std::net::{Ipv6Addr, UdpSocket};
/// use ancillary::os::linux::{Ecn, In6Pktinfo, Ipv6Tclass, SocketOptionsExt};
/// use ancillary::{AncillaryData, ControlMessagePayload, MessageReceiver, MessageSender};
///
/// let Ok(receiver) = UdpSocket::bind("[::1]:0") else { return Ok(()) }; // no IPv6 here
/// receiver.set_recv_tclass_v6(true)?;
/// receiver.set_recv_pktinfo_v6(true)?;
/// let sender = UdpSocket::bind("[::]:0")?;
/// let mut ancillary = AncillaryData::with_capacity(Ipv6Tclass::SPACE + In6Pktinfo::SPACE);
/// ancillary.add_control_message(&Ipv6Tclass::from_ecn(Ecn::Ect1));
/// ancillary.add_control_message(&In6Pktinfo::from_source(Ipv6Addr::LOCALHOST));
/// MessageSender::new(&sender, b"hi").ancillary_data(&mut ancillary).send_to(&receiver.local_addr()?)?;
///
/// let (_, _, from) = MessageReceiver::new(&receiver, &mut [0; 8])
///     .ancillary_data(&mut ancillary)
///     .recv_from()?;
/// assert_eq!(from.ip(), Ipv6Addr::LOCALHOST);
/// let messages = ancillary.control_messages();
/// assert_eq!(messages.find::<Ipv6Tclass>().unwrap()?.ecn(), Ecn::Ect1);
/// assert_eq!(messages.find::<In6Pktinfo>().unwrap()?.addr(), Ipv6Addr::LOCALHOST);
/// # Ok(())
/// # }
/// ```
///
/// On a dual-stack IPv6 socket (`IPV6_V6ONLY` off), IPv4 datagrams carry the IPv4
/// messages (`IP_TOS`, `IP_PKTINFO`, level `IPPROTO_IP`), and only if the `_v4` options
/// are on: enable both families' options there. (With `IPV6_RECVPKTINFO` they also carry
/// an `IPV6_PKTINFO` holding the IPv4-mapped destination, but no `IPV6_TCLASS`: their ECN
/// bits arrive only in `IP_TOS`. This crate's tests check both on loopback.)
///
/// # References
/// `ip(7)`, `ipv6(7)`, `udp(7)`, `socket(7)`, `unix(7)`.
pub trait SocketOptionsExt: AsFd {
    /// `IP_RECVTOS`: every IPv4 datagram carries its TOS byte, [`IpTos`](super::IpTos)
    /// (ECN in its low two bits).
    #[doc(alias = "IP_RECVTOS")]
    fn set_recv_tos_v4(&self, on: bool) -> io::Result<()> {
        set_flag(self.as_fd(), libc::IPPROTO_IP, libc::IP_RECVTOS, on)
    }

    /// `IP_PKTINFO`: every IPv4 datagram carries its destination address and arrival
    /// interface, [`InPktinfo`](super::InPktinfo).
    #[doc(alias = "IP_PKTINFO")]
    fn set_recv_pktinfo_v4(&self, on: bool) -> io::Result<()> {
        set_flag(self.as_fd(), libc::IPPROTO_IP, libc::IP_PKTINFO, on)
    }

    /// `IP_RECVTTL`: every IPv4 datagram carries its TTL, [`IpTtl`](super::IpTtl).
    #[doc(alias = "IP_RECVTTL")]
    fn set_recv_ttl_v4(&self, on: bool) -> io::Result<()> {
        set_flag(self.as_fd(), libc::IPPROTO_IP, libc::IP_RECVTTL, on)
    }

    /// `IP_RECVORIGDSTADDR`: every IPv4 datagram carries its destination address and port,
    /// [`IpOrigDstAddr`](super::IpOrigDstAddr).
    #[doc(alias = "IP_RECVORIGDSTADDR")]
    fn set_recv_orig_dst_addr_v4(&self, on: bool) -> io::Result<()> {
        set_flag(self.as_fd(), libc::IPPROTO_IP, libc::IP_RECVORIGDSTADDR, on)
    }

    /// `IP_RECVERR`: errors are queued, to be read with `MSG_ERRQUEUE` as
    /// [`IpRecvErr`](super::IpRecvErr) messages.
    #[doc(alias = "IP_RECVERR")]
    fn set_recv_err_v4(&self, on: bool) -> io::Result<()> {
        set_flag(self.as_fd(), libc::IPPROTO_IP, libc::IP_RECVERR, on)
    }

    crate::os::ipv6::rfc3542_options!();

    /// `IPV6_RECVORIGDSTADDR`: every IPv6 datagram carries its destination address and
    /// port, [`Ipv6OrigDstAddr`](super::Ipv6OrigDstAddr).
    #[doc(alias = "IPV6_RECVORIGDSTADDR")]
    fn set_recv_orig_dst_addr_v6(&self, on: bool) -> io::Result<()> {
        set_flag(
            self.as_fd(),
            libc::IPPROTO_IPV6,
            libc::IPV6_RECVORIGDSTADDR,
            on,
        )
    }

    /// `IPV6_RECVERR`: errors are queued, to be read with `MSG_ERRQUEUE` as
    /// [`Ipv6RecvErr`](super::Ipv6RecvErr) messages.
    #[doc(alias = "IPV6_RECVERR")]
    fn set_recv_err_v6(&self, on: bool) -> io::Result<()> {
        set_flag(self.as_fd(), libc::IPPROTO_IPV6, libc::IPV6_RECVERR, on)
    }

    /// `UDP_GRO` (Linux 5.0+): the kernel may coalesce datagrams of one flow into one
    /// receive, which then carries their segment size, [`UdpGro`](super::UdpGro). Fails
    /// with `ENOPROTOOPT` on older kernels.
    #[doc(alias = "UDP_GRO")]
    fn set_udp_gro(&self, on: bool) -> io::Result<()> {
        set_flag(self.as_fd(), libc::SOL_UDP, libc::UDP_GRO, on)
    }

    /// `SO_TIMESTAMPNS`: every datagram carries the time it was received (`CLOCK_REALTIME`,
    /// nanoseconds), [`TimestampNs`](super::TimestampNs).
    #[doc(alias = "SO_TIMESTAMPNS")]
    fn set_timestamp_ns(&self, on: bool) -> io::Result<()> {
        set_flag(self.as_fd(), libc::SOL_SOCKET, libc::SO_TIMESTAMPNS, on)
    }

    /// `SO_TIMESTAMPING`: which timestamps to generate and report, as `SOF_TIMESTAMPING_*`
    /// flags (0 turns them off); received ones arrive as
    /// [`Timestamping`](super::Timestamping). For software receive timestamps pass
    /// `SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE`.
    ///
    /// # References
    /// The kernel's `Documentation/networking/timestamping.rst`.
    #[doc(alias = "SO_TIMESTAMPING")]
    fn set_timestamping(&self, flags: u32) -> io::Result<()> {
        set(
            self.as_fd(),
            libc::SOL_SOCKET,
            libc::SO_TIMESTAMPING,
            &flags,
        )
    }

    /// `SO_TXTIME` (Linux 4.19+): datagrams sent with a [`TxTime`](super::TxTime) message
    /// leave at that time of `clock` (a `CLOCK_*` id), where the queueing discipline
    /// honours it (`etf`, `fq`); `flags` are `SOF_TXTIME_*`.
    ///
    /// Not on Android, whose `libc` has no `SO_TXTIME`.
    #[doc(alias = "SO_TXTIME")]
    #[cfg(target_os = "linux")]
    fn set_txtime(&self, clock: libc::clockid_t, flags: u32) -> io::Result<()> {
        let value = libc::sock_txtime {
            clockid: clock,
            flags,
        };
        set(self.as_fd(), libc::SOL_SOCKET, libc::SO_TXTIME, &value)
    }

    /// `SO_RXQ_OVFL`: datagrams carry the number of datagrams the socket dropped so far
    /// for lack of receive buffer, [`RxqOvfl`](super::RxqOvfl), once there is one.
    #[doc(alias = "SO_RXQ_OVFL")]
    fn set_rxq_ovfl(&self, on: bool) -> io::Result<()> {
        set_flag(self.as_fd(), libc::SOL_SOCKET, libc::SO_RXQ_OVFL, on)
    }

    /// `SO_PASSCRED` (Unix sockets): every message carries the sender's credentials,
    /// [`ScmCredentials`](super::ScmCredentials).
    #[doc(alias = "SO_PASSCRED")]
    fn set_passcred(&self, on: bool) -> io::Result<()> {
        set_flag(self.as_fd(), libc::SOL_SOCKET, libc::SO_PASSCRED, on)
    }

    /// `SO_PASSSEC` (Unix sockets): messages carry the sender's security label,
    /// [`ScmSecurity`](super::ScmSecurity), where a security module provides one.
    #[doc(alias = "SO_PASSSEC")]
    fn set_passsec(&self, on: bool) -> io::Result<()> {
        set_flag(self.as_fd(), libc::SOL_SOCKET, libc::SO_PASSSEC, on)
    }

    /// `SO_PASSPIDFD` (Unix sockets, Linux 6.5+): every message carries a pidfd of the
    /// sender, taken with [`AncillaryData::take_pidfd`](crate::AncillaryData::take_pidfd).
    #[doc(alias = "SO_PASSPIDFD")]
    #[cfg(not(any(
        target_arch = "sparc",
        target_arch = "sparc64",
        target_arch = "mips",
        target_arch = "mips64",
        target_arch = "mips32r6",
        target_arch = "mips64r6",
    )))]
    fn set_passpidfd(&self, on: bool) -> io::Result<()> {
        set_flag(self.as_fd(), libc::SOL_SOCKET, super::SO_PASSPIDFD, on)
    }
}

impl<T: AsFd + ?Sized> SocketOptionsExt for T {}
