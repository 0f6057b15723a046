//! Linux's socket options as [`SocketOption`] types, for
//! [`set_socket_option`] and
//! [`get_socket_option`](crate::get_socket_option); and [`SocketOptionsExt`], the same
//! options that turn on this platform's control messages as methods on every socket.
//!
//! Each type is named after its C constant (`IP_MTU_DISCOVER` is [`IpMtuDiscover`]): a
//! flag (an on/off option) holds a `bool`, any other option its C value. Four share a name
//! with the control message they turn on or carry, in the parent module ([`UdpGro`] here
//! turns on `os::linux::UdpGro` messages): keep them apart by module.
//!
//! ```
//! # fn main() -> std::io::Result<()> {
//! use std::net::UdpSocket;
//! use ancillary::os::linux::sockopt::{IpMtu, IpMtuDiscover};
//! use ancillary::{get_socket_option, set_socket_option};
//!
//! // Path-MTU discovery the way a QUIC stack does it: the kernel sets DF and never
//! // fragments, and the stack probes for the size itself.
//! let socket = UdpSocket::bind("127.0.0.1:0")?;
//! set_socket_option(&socket, &IpMtuDiscover::PROBE)?;
//! socket.connect("127.0.0.1:9")?;
//! let mtu = get_socket_option::<IpMtu>(&socket)?;
//! assert_eq!(mtu, IpMtu(65535)); // `lo`'s 65536, capped for IPv4
//! # Ok(())
//! # }
//! ```

use core::ffi::c_int;
use std::io;
use std::os::fd::AsFd;

pub use crate::os::sockopt::{
    Ipv6DontFrag, Ipv6RecvHopLimit, Ipv6RecvPktinfo, Ipv6RecvTclass, SoRcvBuf, SoSndBuf,
};
use crate::{set_socket_option, SocketOption};

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
    /// (ECN in its low two bits). [`IpRecvTos`] as a method.
    #[doc(alias = "IP_RECVTOS")]
    fn set_recv_tos_v4(&self, on: bool) -> io::Result<()> {
        set_socket_option(self, &IpRecvTos(on))
    }

    /// `IP_PKTINFO`: every IPv4 datagram carries its destination address and arrival
    /// interface, [`InPktinfo`](super::InPktinfo). [`IpPktinfo`] as a method.
    #[doc(alias = "IP_PKTINFO")]
    fn set_recv_pktinfo_v4(&self, on: bool) -> io::Result<()> {
        set_socket_option(self, &IpPktinfo(on))
    }

    /// `IP_RECVTTL`: every IPv4 datagram carries its TTL, [`IpTtl`](super::IpTtl).
    /// [`IpRecvTtl`] as a method.
    #[doc(alias = "IP_RECVTTL")]
    fn set_recv_ttl_v4(&self, on: bool) -> io::Result<()> {
        set_socket_option(self, &IpRecvTtl(on))
    }

    /// `IP_RECVORIGDSTADDR`: every IPv4 datagram carries its destination address and port,
    /// [`IpOrigDstAddr`](super::IpOrigDstAddr). [`IpRecvOrigDstAddr`] as a method.
    #[doc(alias = "IP_RECVORIGDSTADDR")]
    fn set_recv_orig_dst_addr_v4(&self, on: bool) -> io::Result<()> {
        set_socket_option(self, &IpRecvOrigDstAddr(on))
    }

    /// `IP_RECVERR`: errors are queued, to be read with `MSG_ERRQUEUE` as
    /// [`IpRecvErr`](super::IpRecvErr) messages. [`IpRecvErr`] (the option) as a method.
    #[doc(alias = "IP_RECVERR")]
    fn set_recv_err_v4(&self, on: bool) -> io::Result<()> {
        set_socket_option(self, &IpRecvErr(on))
    }

    crate::os::ipv6::rfc3542_options!();

    /// `IPV6_RECVORIGDSTADDR`: every IPv6 datagram carries its destination address and
    /// port, [`Ipv6OrigDstAddr`](super::Ipv6OrigDstAddr). [`Ipv6RecvOrigDstAddr`] as a
    /// method.
    #[doc(alias = "IPV6_RECVORIGDSTADDR")]
    fn set_recv_orig_dst_addr_v6(&self, on: bool) -> io::Result<()> {
        set_socket_option(self, &Ipv6RecvOrigDstAddr(on))
    }

    /// `IPV6_RECVERR`: errors are queued, to be read with `MSG_ERRQUEUE` as
    /// [`Ipv6RecvErr`](super::Ipv6RecvErr) messages. [`Ipv6RecvErr`] (the option) as a
    /// method.
    #[doc(alias = "IPV6_RECVERR")]
    fn set_recv_err_v6(&self, on: bool) -> io::Result<()> {
        set_socket_option(self, &Ipv6RecvErr(on))
    }

    /// `UDP_GRO` (Linux 5.0+): the kernel may coalesce datagrams of one flow into one
    /// receive, which then carries their segment size, [`UdpGro`](super::UdpGro). Fails
    /// with `ENOPROTOOPT` on older kernels. [`UdpGro`] (the option) as a method.
    #[doc(alias = "UDP_GRO")]
    fn set_udp_gro(&self, on: bool) -> io::Result<()> {
        set_socket_option(self, &UdpGro(on))
    }

    /// `SO_TIMESTAMPNS`: every datagram carries the time it was received (`CLOCK_REALTIME`,
    /// nanoseconds), [`TimestampNs`](super::TimestampNs). [`SoTimestampNs`] as a method.
    #[doc(alias = "SO_TIMESTAMPNS")]
    fn set_timestamp_ns(&self, on: bool) -> io::Result<()> {
        set_socket_option(self, &SoTimestampNs(on))
    }

    /// `SO_TIMESTAMPING`: which timestamps to generate and report, as `SOF_TIMESTAMPING_*`
    /// flags (0 turns them off); received ones arrive as
    /// [`Timestamping`](super::Timestamping). For software receive timestamps pass
    /// `SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE`. [`SoTimestamping`] as a
    /// method.
    ///
    /// # References
    /// The kernel's `Documentation/networking/timestamping.rst`.
    #[doc(alias = "SO_TIMESTAMPING")]
    fn set_timestamping(&self, flags: u32) -> io::Result<()> {
        set_socket_option(self, &SoTimestamping::new(flags))
    }

    /// `SO_TXTIME` (Linux 4.19+): datagrams sent with a [`TxTime`](super::TxTime) message
    /// leave at that time of `clock` (a `CLOCK_*` id), where the queueing discipline
    /// honours it (`etf`, `fq`); `flags` are `SOF_TXTIME_*`. [`SoTxtime`] as a method.
    ///
    /// Not on Android, whose `libc` has no `SO_TXTIME`.
    #[doc(alias = "SO_TXTIME")]
    #[cfg(target_os = "linux")]
    fn set_txtime(&self, clock: libc::clockid_t, flags: u32) -> io::Result<()> {
        set_socket_option(
            self,
            &SoTxtime(libc::sock_txtime {
                clockid: clock,
                flags,
            }),
        )
    }

    /// `SO_RXQ_OVFL`: datagrams carry the number of datagrams the socket dropped so far
    /// for lack of receive buffer, [`RxqOvfl`](super::RxqOvfl), once there is one.
    /// [`SoRxqOvfl`] as a method.
    #[doc(alias = "SO_RXQ_OVFL")]
    fn set_rxq_ovfl(&self, on: bool) -> io::Result<()> {
        set_socket_option(self, &SoRxqOvfl(on))
    }

    /// `SO_PASSCRED` (Unix sockets): every message carries the sender's credentials,
    /// [`ScmCredentials`](super::ScmCredentials). [`SoPassCred`] as a method.
    #[doc(alias = "SO_PASSCRED")]
    fn set_passcred(&self, on: bool) -> io::Result<()> {
        set_socket_option(self, &SoPassCred(on))
    }

    /// `SO_PASSSEC` (Unix sockets): messages carry the sender's security label,
    /// [`ScmSecurity`](super::ScmSecurity), where a security module provides one.
    /// [`SoPassSec`] as a method.
    #[doc(alias = "SO_PASSSEC")]
    fn set_passsec(&self, on: bool) -> io::Result<()> {
        set_socket_option(self, &SoPassSec(on))
    }

    with_passpidfd! {
        /// `SO_PASSPIDFD` (Unix sockets, Linux 6.5+): every message carries a pidfd of the
        /// sender, taken with [`AncillaryData::take_pidfd`](crate::AncillaryData::take_pidfd).
        /// [`SoPassPidfd`] as a method.
        #[doc(alias = "SO_PASSPIDFD")]
        fn set_passpidfd(&self, on: bool) -> io::Result<()> {
            set_socket_option(self, &SoPassPidfd(on))
        }
    }
}

impl<T: AsFd + ?Sized> SocketOptionsExt for T {}

/// Declares flag options, each as its docs and `Type = (level, name), "C_NAME";`.
macro_rules! flags {
    ($($(#[$attr:meta])* $ty:ident = ($level:expr, $name:expr), $c:literal;)*) => {$(
        $(#[$attr])*
        #[derive(SocketOption, Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[sockopt(crate = crate, level = $level, name = $name, flag)]
        #[doc(alias = $c)]
        pub struct $ty(pub bool);
    )*};
}

flags! {
    /// `IP_RECVTOS`: every IPv4 datagram received carries its TOS byte,
    /// [`IpTos`](super::IpTos).
    IpRecvTos = (libc::IPPROTO_IP, libc::IP_RECVTOS), "IP_RECVTOS";
    /// `IP_PKTINFO`: every IPv4 datagram received carries its destination address and
    /// arrival interface, [`InPktinfo`](super::InPktinfo).
    IpPktinfo = (libc::IPPROTO_IP, libc::IP_PKTINFO), "IP_PKTINFO";
    /// `IP_RECVTTL`: every IPv4 datagram received carries its TTL, [`IpTtl`](super::IpTtl).
    IpRecvTtl = (libc::IPPROTO_IP, libc::IP_RECVTTL), "IP_RECVTTL";
    /// `IP_RECVORIGDSTADDR`: every IPv4 datagram received carries its destination address
    /// and port, [`IpOrigDstAddr`](super::IpOrigDstAddr).
    IpRecvOrigDstAddr = (libc::IPPROTO_IP, libc::IP_RECVORIGDSTADDR), "IP_RECVORIGDSTADDR";
    /// `IP_RECVERR`: ICMP errors and local send errors are queued on the socket, to be read
    /// with `MSG_ERRQUEUE` as [`IpRecvErr`](super::IpRecvErr) messages, instead of failing
    /// a later call once (on a connected socket) or being lost (unconnected).
    IpRecvErr = (libc::IPPROTO_IP, libc::IP_RECVERR), "IP_RECVERR";
    /// `IPV6_RECVORIGDSTADDR`: every IPv6 datagram received carries its destination
    /// address and port, [`Ipv6OrigDstAddr`](super::Ipv6OrigDstAddr).
    Ipv6RecvOrigDstAddr =
        (libc::IPPROTO_IPV6, libc::IPV6_RECVORIGDSTADDR), "IPV6_RECVORIGDSTADDR";
    /// `IPV6_RECVERR`: as [`IpRecvErr`] for IPv6, the messages being
    /// [`Ipv6RecvErr`](super::Ipv6RecvErr).
    Ipv6RecvErr = (libc::IPPROTO_IPV6, libc::IPV6_RECVERR), "IPV6_RECVERR";
    /// `UDP_GRO` (Linux 5.0+): the kernel may coalesce datagrams of one flow into one
    /// receive of up to [`UDP_GRO_MAX_SEGMENTS`] segments, which then carries their
    /// segment size, [`UdpGro`](super::UdpGro) (the message). `ENOPROTOOPT` before 5.0.
    UdpGro = (libc::SOL_UDP, libc::UDP_GRO), "UDP_GRO";
    /// `SO_TIMESTAMPNS`: every datagram received carries its arrival time
    /// (`CLOCK_REALTIME`, nanoseconds), [`TimestampNs`](super::TimestampNs).
    SoTimestampNs = (libc::SOL_SOCKET, libc::SO_TIMESTAMPNS), "SO_TIMESTAMPNS";
    /// `SO_RXQ_OVFL`: datagrams received carry the number the socket dropped so far for
    /// lack of receive buffer, [`RxqOvfl`](super::RxqOvfl), once there is one.
    SoRxqOvfl = (libc::SOL_SOCKET, libc::SO_RXQ_OVFL), "SO_RXQ_OVFL";
    /// `SO_PASSCRED` (Unix sockets): every message received carries the sender's
    /// credentials, [`ScmCredentials`](super::ScmCredentials).
    SoPassCred = (libc::SOL_SOCKET, libc::SO_PASSCRED), "SO_PASSCRED";
    /// `SO_PASSSEC` (Unix sockets): messages received carry the sender's security label,
    /// [`ScmSecurity`](super::ScmSecurity), where a security module provides one.
    SoPassSec = (libc::SOL_SOCKET, libc::SO_PASSSEC), "SO_PASSSEC";
}

with_passpidfd! {
    /// `SO_PASSPIDFD` (Unix sockets, Linux 6.5+): every message received carries a pidfd
    /// of the sender ([`SO_PASSPIDFD`](super::SO_PASSPIDFD); not on SPARC and MIPS).
    #[derive(SocketOption, Clone, Copy, Debug, PartialEq, Eq, Hash)]
    #[sockopt(crate = crate, level = libc::SOL_SOCKET, name = super::SO_PASSPIDFD, flag)]
    #[doc(alias = "SO_PASSPIDFD")]
    pub struct SoPassPidfd(pub bool);
}

/// `IP_MTU_DISCOVER`: path-MTU discovery for IPv4, one of the associated constants.
///
/// Linux sets the don't-fragment bit (DF) and learns the path MTU from ICMP "fragmentation
/// needed" with [`DO`](Self::DO) and [`PROBE`](Self::PROBE); with `DO` it refuses a send
/// larger than the MTU it learnt (`EMSGSIZE`), with `PROBE` only one larger than the
/// interface's MTU, so that a QUIC stack can send probes above the learnt MTU (the way
/// DPLPMTUD, RFC 8899, wants). `WANT` (the default, unless `net.ipv4.ip_no_pmtu_disc`
/// makes it `DONT`) fragments datagrams larger than the learnt MTU locally; `DONT` never
/// sets DF. `INTERFACE` and `OMIT` use the interface's MTU, ignore learnt ones (and ICMP
/// "fragmentation needed" for this socket) and do not set DF; a larger datagram is refused
/// with `INTERFACE`, fragmented with `OMIT`.
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// use ancillary::os::linux::sockopt::IpMtuDiscover;
/// use ancillary::{get_socket_option, set_socket_option};
///
/// let socket = std::net::UdpSocket::bind("127.0.0.1:0")?;
/// set_socket_option(&socket, &IpMtuDiscover::PROBE)?;
/// assert_eq!(get_socket_option::<IpMtuDiscover>(&socket)?, IpMtuDiscover::PROBE);
/// # Ok(())
/// # }
/// ```
///
/// # References
/// `ip(7)`, `IP_MTU_DISCOVER`.
#[derive(SocketOption, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[sockopt(crate = crate, level = libc::IPPROTO_IP, name = libc::IP_MTU_DISCOVER)]
#[repr(transparent)]
#[doc(alias = "IP_MTU_DISCOVER")]
pub struct IpMtuDiscover(pub c_int);

/// `IPV6_MTU_DISCOVER`: path-MTU discovery for IPv6, with the values of [`IpMtuDiscover`].
/// IPv6 routers never fragment, so only this host can: with `WANT` (the default) or
/// `DONT` it fragments a datagram larger than the MTU; with `DO` the send fails with
/// `EMSGSIZE`; with `PROBE` likewise, but against the interface's MTU rather than the
/// learnt path MTU.
///
/// # References
/// `ipv6(7)`, `IPV6_MTU_DISCOVER`.
#[derive(SocketOption, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[sockopt(crate = crate, level = libc::IPPROTO_IPV6, name = libc::IPV6_MTU_DISCOVER)]
#[repr(transparent)]
#[doc(alias = "IPV6_MTU_DISCOVER")]
pub struct Ipv6MtuDiscover(pub c_int);

/// The values of [`IpMtuDiscover`] and [`Ipv6MtuDiscover`]: each name, its two C
/// constants, and what it does in both families.
macro_rules! pmtudisc {
    ($($name:ident = $v4:ident, $v6:ident: $doc:literal;)*) => {
        impl IpMtuDiscover {
            $(
                #[doc = concat!("`", stringify!($v4), "`: ", $doc)]
                pub const $name: IpMtuDiscover = IpMtuDiscover(libc::$v4);
            )*
        }

        impl Ipv6MtuDiscover {
            $(
                #[doc = concat!("`", stringify!($v6), "`: ", $doc)]
                pub const $name: Ipv6MtuDiscover = Ipv6MtuDiscover(libc::$v6);
            )*
        }
    };
}

pmtudisc! {
    DONT = IP_PMTUDISC_DONT, IPV6_PMTUDISC_DONT: "no discovery; no DF, fragment as needed.";
    WANT = IP_PMTUDISC_WANT, IPV6_PMTUDISC_WANT: "discover; fragment above the learnt MTU.";
    DO = IP_PMTUDISC_DO, IPV6_PMTUDISC_DO: "DF; refuse sends above the learnt MTU.";
    PROBE = IP_PMTUDISC_PROBE, IPV6_PMTUDISC_PROBE: "DF; refuse only above the interface's MTU.";
    INTERFACE = IP_PMTUDISC_INTERFACE, IPV6_PMTUDISC_INTERFACE: "interface MTU, never fragment.";
    OMIT = IP_PMTUDISC_OMIT, IPV6_PMTUDISC_OMIT: "the interface's MTU, fragment above it.";
}

/// `IP_MTU`: the path MTU the kernel knows for a connected IPv4 socket (read only; on a
/// socket that is not connected, `ENOTCONN`). The kernel caps it at 65535
/// (`IP_MAX_MTU`), so it is 65535 on loopback, whose MTU is 65536.
///
/// # References
/// `ip(7)`, `IP_MTU`.
#[derive(SocketOption, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[sockopt(crate = crate, level = libc::IPPROTO_IP, name = libc::IP_MTU, read_only)]
#[repr(transparent)]
#[doc(alias = "IP_MTU")]
pub struct IpMtu(pub c_int);

/// `IPV6_MTU`: read, the path MTU the kernel knows for a connected IPv6 socket
/// (`ENOTCONN` otherwise; 65536 on loopback); set, the MTU this socket sends with, at
/// least 1280 (`EINVAL` below; 0 restores the default), which the kernel caps at the
/// device's (or, with discovery on, the path's) MTU.
///
/// # References
/// `ipv6(7)`, `IPV6_MTU`.
#[derive(SocketOption, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[sockopt(crate = crate, level = libc::IPPROTO_IPV6, name = libc::IPV6_MTU)]
#[repr(transparent)]
#[doc(alias = "IPV6_MTU")]
pub struct Ipv6Mtu(pub c_int);

/// `UDP_SEGMENT` (Linux 4.18+): UDP GSO for every send on the socket. A send of more than
/// this many bytes leaves as datagrams of this size (the last one may be shorter), up to
/// [`UDP_GSO_MAX_SEGMENTS`] of them; 0 turns it off. Per send, the
/// [`UdpSegment`](super::UdpSegment) message does the same.
///
/// Setting it is also how a QUIC stack asks whether GSO works: a kernel without it fails
/// with `ENOPROTOOPT`. (A send through a device that does not offload checksums fails
/// later, with `EIO`.) The kernel takes an `int` from 0 to 65535 (`EINVAL`
/// otherwise); per send the segment size must also fit the path MTU (`EINVAL`).
///
/// # References
/// `udp(7)`, `UDP_SEGMENT`; the kernel's `tools/testing/selftests/net/udpgso.c`.
#[derive(SocketOption, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[sockopt(crate = crate, level = libc::SOL_UDP, name = libc::UDP_SEGMENT)]
#[repr(transparent)]
#[doc(alias = "UDP_SEGMENT")]
pub struct UdpSegment(pub c_int);

/// The most segments one UDP GSO send ([`UdpSegment`]) may be cut into on every Linux
/// kernel with GSO: the kernel's `UDP_MAX_SEGMENTS`, 64 until Linux 6.9 raised it to 128
/// (in 2024, a fix also backported to the stable series then maintained). A send with more
/// than the running kernel's limit fails with `EINVAL`. Size batches by this, not by what
/// one kernel accepts.
pub const UDP_GSO_MAX_SEGMENTS: usize = 64;

/// The most datagrams the kernel coalesces into one UDP GRO receive ([`UdpGro`]): its
/// `UDP_GRO_CNT_MAX`, 64, in `net/ipv4/udp_offload.c`. A receive buffer for a coalesced
/// datagram needs room for that many segments (and at most 65,535 bytes of UDP payload in
/// all).
pub const UDP_GRO_MAX_SEGMENTS: usize = 64;

/// `SO_PEERCRED` (Unix sockets, read only): the credentials of the peer process (`struct
/// ucred`), taken when it connected, or when the pair was made with `socketpair`; for a
/// socket with no peer the kernel returns no process and the overflow ids.
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// use std::os::unix::net::UnixStream;
/// use ancillary::get_socket_option;
/// use ancillary::os::linux::sockopt::SoPeerCred;
///
/// let (left, _right) = UnixStream::pair()?;
/// let peer = get_socket_option::<SoPeerCred>(&left)?;
/// assert_eq!(u32::try_from(peer.pid()), Ok(std::process::id()));
/// # Ok(())
/// # }
/// ```
///
/// # References
/// `unix(7)` and `socket(7)`, `SO_PEERCRED`.
#[derive(SocketOption, Clone, Copy)]
#[sockopt(crate = crate, level = libc::SOL_SOCKET, name = libc::SO_PEERCRED, read_only)]
#[repr(transparent)]
#[doc(alias = "SO_PEERCRED")]
#[doc(alias = "ucred")]
pub struct SoPeerCred(pub libc::ucred);

impl SoPeerCred {
    /// The peer's process id.
    #[must_use]
    pub fn pid(&self) -> libc::pid_t {
        self.0.pid
    }

    /// The peer's effective user id.
    #[must_use]
    pub fn uid(&self) -> libc::uid_t {
        self.0.uid
    }

    /// The peer's effective group id.
    #[must_use]
    pub fn gid(&self) -> libc::gid_t {
        self.0.gid
    }
}

impl core::fmt::Debug for SoPeerCred {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SoPeerCred")
            .field("pid", &self.pid())
            .field("uid", &self.uid())
            .field("gid", &self.gid())
            .finish()
    }
}

/// `SO_TIMESTAMPING` (`struct so_timestamping`): which timestamps to generate and report,
/// as `SOF_TIMESTAMPING_*` flags, and the PHC a hardware timestamp is taken from (with
/// `SOF_TIMESTAMPING_BIND_PHC`). Received timestamps arrive as
/// [`Timestamping`](super::Timestamping) messages.
///
/// Every kernel takes it when set (before Linux 5.14 only its flags are read); it reads
/// back in this form since Linux 5.14 (before, the kernel returns only the flags, an
/// `int`, and the read is an `InvalidData` error).
///
/// # References
/// The kernel's `Documentation/networking/timestamping.rst`.
#[derive(SocketOption, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[sockopt(crate = crate, level = libc::SOL_SOCKET, name = libc::SO_TIMESTAMPING)]
#[repr(C)]
#[doc(alias = "SO_TIMESTAMPING")]
pub struct SoTimestamping {
    /// The `SOF_TIMESTAMPING_*` flags.
    pub flags: u32,
    /// The PHC index, with `SOF_TIMESTAMPING_BIND_PHC`.
    pub bind_phc: c_int,
}

impl SoTimestamping {
    /// These flags, no PHC.
    #[must_use]
    pub const fn new(flags: u32) -> SoTimestamping {
        SoTimestamping { flags, bind_phc: 0 }
    }
}

/// `SO_TXTIME` (Linux 4.19+; `struct sock_txtime`): datagrams sent with a
/// [`TxTime`](super::TxTime) message leave at that time of `clockid`, where the queueing
/// discipline honours it (`etf`, `fq`). Not on Android, whose `libc` has no `SO_TXTIME`.
///
/// # References
/// `tc-etf(8)`; the kernel's `include/uapi/linux/net_tstamp.h`.
#[cfg(target_os = "linux")]
#[derive(SocketOption, Clone, Copy)]
#[sockopt(crate = crate, level = libc::SOL_SOCKET, name = libc::SO_TXTIME)]
#[repr(transparent)]
#[doc(alias = "SO_TXTIME")]
pub struct SoTxtime(pub libc::sock_txtime);

#[cfg(target_os = "linux")]
impl core::fmt::Debug for SoTxtime {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SoTxtime")
            .field("clockid", &self.0.clockid)
            .field("flags", &self.0.flags)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flag_is_an_int_and_any_nonzero_int_reads_true() {
        assert_eq!(UdpGro(true).to_raw(), 1);
        assert_eq!(UdpGro(false).to_raw(), 0);
        for raw in [1, 2, -1, c_int::MAX, c_int::MIN] {
            assert!(UdpGro::from_raw(raw).0, "{raw}");
        }
        assert!(!UdpGro::from_raw(0).0);
    }

    #[test]
    fn a_value_option_is_its_own_bytes() {
        assert_eq!(IpMtu::from_raw(IpMtu(1500)), IpMtu(1500));
        assert_eq!(UdpSegment(1200).to_raw(), UdpSegment(1200));
        assert_eq!(
            (UdpSegment::LEVEL, UdpSegment::NAME),
            (libc::SOL_UDP, libc::UDP_SEGMENT)
        );
        assert_eq!(size_of::<SoTimestamping>(), 8);
        assert_eq!(size_of::<SoPeerCred>(), size_of::<libc::ucred>());
    }
}
