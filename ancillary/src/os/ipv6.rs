//! The IPv6 messages of RFC 3542 that Linux, FreeBSD and Apple platforms share
//! ([`Ipv6Tclass`], [`Ipv6HopLimit`], [`In6Pktinfo`]) and the socket options that turn
//! them on (`rfc3542_options!`, expanded in each platform's `SocketOptionsExt`). Each
//! platform module re-exports them.

use core::ffi::c_int;
use core::fmt;
use std::net::Ipv6Addr;

use super::ecn::Ecn;
use super::inet::int_byte;
use crate::ControlMessage;

/// A doc line that defines the link `[$method]` as that method of this platform's
/// `SocketOptionsExt`, named by path so that no import runs back up (after a blank doc
/// line: a link definition cannot interrupt a paragraph).
#[cfg(linux_like)]
macro_rules! options_ext_link {
    ($method:ident) => {
        concat!(
            "[",
            stringify!($method),
            "]: crate::os::linux::SocketOptionsExt::",
            stringify!($method)
        )
    };
}
/// As above, for the BSD socket layer's `SocketOptionsExt` (FreeBSD and Apple).
#[cfg(not(linux_like))]
macro_rules! options_ext_link {
    ($method:ident) => {
        concat!(
            "[",
            stringify!($method),
            "]: crate::os::bsd_inet::SocketOptionsExt::",
            stringify!($method)
        )
    };
}

/// `IPV6_TCLASS`: the traffic class of a received IPv6 datagram (with
/// [`set_recv_tclass_v6`][set_recv_tclass_v6]), or the one to send a
/// datagram with; its low two bits are the ECN codepoint. An `int` both ways.
///
/// # References
/// RFC 3542, section 6.5; Linux `ipv6(7)`, FreeBSD `ip6(4)`.
///
#[doc = options_ext_link!(set_recv_tclass_v6)]
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
/// [`set_recv_hoplimit_v6`][set_recv_hoplimit_v6]), or the one to send
/// a datagram with. An `int` both ways.
///
/// # References
/// RFC 3542, section 6.3; Linux `ipv6(7)`, FreeBSD `ip6(4)`.
///
#[doc = options_ext_link!(set_recv_hoplimit_v6)]
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
/// [`set_recv_pktinfo_v6`][set_recv_pktinfo_v6]), the destination
/// address of an IPv6 datagram and the interface it arrived on; on send, the source
/// address (and interface) of one datagram.
///
/// # References
/// RFC 3542, section 6.1; Linux `ipv6(7)`, FreeBSD `ip6(4)`.
///
#[doc = options_ext_link!(set_recv_pktinfo_v6)]
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
            // `unsigned int` in the kernels' headers, `int` in Android's `libc`.
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

/// The socket options that turn on the messages of this module, as default methods of a
/// platform's `SocketOptionsExt` (where the expansion has `io` in scope), each over its
/// option type in `os::sockopt`.
macro_rules! rfc3542_options {
    () => {
        /// `IPV6_RECVTCLASS`: every IPv6 datagram carries its traffic class,
        /// [`Ipv6Tclass`](crate::os::ipv6::Ipv6Tclass) (ECN in its low two bits).
        #[doc(alias = "IPV6_RECVTCLASS")]
        fn set_recv_tclass_v6(&self, on: bool) -> io::Result<()> {
            crate::set_socket_option(self, &crate::os::sockopt::Ipv6RecvTclass(on))
        }

        /// `IPV6_RECVPKTINFO`: every IPv6 datagram carries its destination address and
        /// arrival interface, [`In6Pktinfo`](crate::os::ipv6::In6Pktinfo).
        #[doc(alias = "IPV6_RECVPKTINFO")]
        fn set_recv_pktinfo_v6(&self, on: bool) -> io::Result<()> {
            crate::set_socket_option(self, &crate::os::sockopt::Ipv6RecvPktinfo(on))
        }

        /// `IPV6_RECVHOPLIMIT`: every IPv6 datagram carries its hop limit,
        /// [`Ipv6HopLimit`](crate::os::ipv6::Ipv6HopLimit).
        #[doc(alias = "IPV6_RECVHOPLIMIT")]
        fn set_recv_hoplimit_v6(&self, on: bool) -> io::Result<()> {
            crate::set_socket_option(self, &crate::os::sockopt::Ipv6RecvHopLimit(on))
        }
    };
}
pub(crate) use rfc3542_options;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ControlMessagesBuf, PayloadError};

    #[test]
    fn ipv6_messages_round_trip() {
        let addr = Ipv6Addr::new(0xfe80, 0, 0, 0, 1, 2, 3, 4);
        let mut buf = ControlMessagesBuf::new();
        buf.push(&(&In6Pktinfo::new(addr, 7)).into());
        buf.push(&(&Ipv6Tclass::from_ecn(Ecn::Ect1)).into());
        buf.push(&(&Ipv6HopLimit::new(255)).into());
        let info = buf.find::<In6Pktinfo>().unwrap().unwrap();
        assert_eq!((info.addr(), info.ifindex()), (addr, 7));
        assert_eq!(info, In6Pktinfo::from(*info.as_libc()));
        assert_eq!(In6Pktinfo::from_source(addr).ifindex(), 0);
        assert_eq!(buf.find::<Ipv6Tclass>().unwrap().unwrap().ecn(), Ecn::Ect1);
        assert_eq!(
            buf.find::<Ipv6HopLimit>().unwrap().unwrap().hop_limit(),
            255
        );
    }

    #[test]
    fn wrong_length_is_an_error_not_a_value() {
        let mut buf = ControlMessagesBuf::new();
        buf.push(&ControlMessage::new(
            libc::IPPROTO_IPV6,
            libc::IPV6_TCLASS,
            &[1],
        ));
        assert!(matches!(
            buf.find::<Ipv6Tclass>(),
            Some(Err(PayloadError::Length { found: 1, .. }))
        ));
    }
}
