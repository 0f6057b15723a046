//! [`IpRecvErr`] and [`Ipv6RecvErr`]: errors read from a socket's error queue
//! (`IP_RECVERR`/`IPV6_RECVERR` with `MSG_ERRQUEUE`).

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddrV4, SocketAddrV6};

use crate::{cmsg_space, ControlMessage, ControlMessagePayload};

/// Control-data room for one error from the error queue with the receive options a QUIC
/// endpoint usually has on: the extended error ([`IpRecvErr`] or [`Ipv6RecvErr`]) and the
/// messages the kernel adds to it then, packet info (`IP_PKTINFO`/`IPV6_RECVPKTINFO`), the
/// TOS byte or traffic class (`IP_RECVTOS`/`IPV6_RECVTCLASS`) and a timestamp
/// (`SO_TIMESTAMPNS`). 136 bytes for an IPv4 error and 160 for an IPv6 one on 64-bit
/// targets; this is the larger. With only [`IpRecvErr::SPACE`] such an error is cut
/// (`MSG_CTRUNC`), losing messages after the first.
pub const ERR_QUEUE_SPACE: usize = {
    let time = cmsg_space(core::mem::size_of::<libc::timespec>());
    let v4 = IpRecvErr::SPACE
        + cmsg_space(core::mem::size_of::<libc::in_pktinfo>())
        + cmsg_space(1)
        + time;
    let v6 = Ipv6RecvErr::SPACE
        + cmsg_space(core::mem::size_of::<libc::in6_pktinfo>())
        + cmsg_space(core::mem::size_of::<core::ffi::c_int>())
        + time;
    if v4 > v6 {
        v4
    } else {
        v6
    }
};

/// `SO_EE_ORIGIN_LOCAL`, `SO_EE_ORIGIN_ICMP` and `SO_EE_ORIGIN_ICMP6`.
const ORIGIN_LOCAL: u8 = 1;
const ORIGIN_ICMP: u8 = 2;
const ORIGIN_ICMP6: u8 = 3;

/// What a queued extended error is, from its origin, ICMP type and code
/// ([`IpRecvErr::kind`], [`Ipv6RecvErr::kind`]).
///
/// A UDP send to a closed port on loopback gives [`Unreachable`](Self::Unreachable) (code
/// 3, port unreachable, for ICMP; code 4 for ICMPv6); see [`IpRecvErr`] for an example.
/// Loopback's MTU (65536) is larger than any datagram, so neither
/// [`PacketTooBig`](Self::PacketTooBig) nor a local `EMSGSIZE` can be provoked there.
///
/// # References
/// `ip(7)` and `ipv6(7)`, `IP_RECVERR`; RFC 792 and RFC 4443 for the codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExtendedErrorKind {
    /// ICMP destination unreachable (type 3, but code 4) or ICMPv6 destination
    /// unreachable (type 1), with its code (such as 3 and 4, port unreachable).
    Unreachable {
        /// The ICMP or ICMPv6 code.
        code: u8,
    },
    /// The path needs smaller datagrams: ICMP fragmentation needed (type 3, code 4) or
    /// ICMPv6 packet too big (type 2), with the MTU the router reported.
    PacketTooBig {
        /// The next hop's MTU.
        mtu: u32,
    },
    /// An error found on this host (`SO_EE_ORIGIN_LOCAL`), such as `EMSGSIZE` for a send
    /// larger than the path MTU with fragmentation off, where `info` is that MTU.
    Local {
        /// The error number.
        errno: i32,
        /// `ee_info`.
        info: u32,
    },
    /// Any other origin, type or code (such as ICMP time exceeded, or a timestamp).
    Other,
}

impl ExtendedErrorKind {
    const fn of(origin: u8, icmp_type: u8, code: u8, errno: u32, info: u32) -> Self {
        match (origin, icmp_type, code) {
            (ORIGIN_ICMP, 3, 4) | (ORIGIN_ICMP6, 2, _) => {
                ExtendedErrorKind::PacketTooBig { mtu: info }
            }
            (ORIGIN_ICMP, 3, code) | (ORIGIN_ICMP6, 1, code) => {
                ExtendedErrorKind::Unreachable { code }
            }
            (ORIGIN_LOCAL, _, _) => ExtendedErrorKind::Local {
                errno: errno as i32,
                info,
            },
            _ => ExtendedErrorKind::Other,
        }
    }
}

/// The fields of `struct sock_extended_err` that both typed messages share.
macro_rules! extended_err_accessors {
    () => {
        /// `ee_errno`: the error, such as `ECONNREFUSED` for an ICMP port unreachable.
        #[must_use]
        pub const fn errno(&self) -> i32 {
            self.ee_errno as i32
        }

        /// `ee_origin`: where the error came from (`SO_EE_ORIGIN_ICMP`,
        /// `SO_EE_ORIGIN_ICMP6`, `SO_EE_ORIGIN_LOCAL`, ...).
        #[must_use]
        pub const fn origin(&self) -> u8 {
            self.ee_origin
        }

        /// `ee_type`: the ICMP type, for ICMP origins.
        #[must_use]
        pub const fn icmp_type(&self) -> u8 {
            self.ee_type
        }

        /// `ee_code`: the ICMP code, for ICMP origins.
        #[must_use]
        pub const fn icmp_code(&self) -> u8 {
            self.ee_code
        }

        /// `ee_info`: extra information (for example the MTU for `EMSGSIZE`).
        #[must_use]
        pub const fn info(&self) -> u32 {
            self.ee_info
        }

        /// `ee_data`: extra data (for example a timestamping key).
        #[must_use]
        pub const fn data(&self) -> u32 {
            self.ee_data
        }

        /// What the error is: an ICMP or ICMPv6 destination unreachable with its code, a
        /// packet too big with its MTU, a local error, or another one.
        #[must_use]
        pub const fn kind(&self) -> ExtendedErrorKind {
            ExtendedErrorKind::of(
                self.ee_origin,
                self.ee_type,
                self.ee_code,
                self.ee_errno,
                self.ee_info,
            )
        }

        /// The `std::io::Error` that `errno` stands for.
        #[must_use]
        pub fn error(&self) -> std::io::Error {
            std::io::Error::from_raw_os_error(self.errno())
        }
    };
}

/// An `IP_RECVERR` message: a queued error of an IPv4 socket, as `struct sock_extended_err`
/// followed by the address of the node that reported it (`SO_EE_OFFENDER`).
///
/// Set the `IP_RECVERR` socket option
/// ([`set_recv_err_v4`](crate::os::linux::SocketOptionsExt::set_recv_err_v4)), then receive with
/// [`RecvOptionsExt::err_queue`](crate::os::linux::RecvOptionsExt::err_queue); the result's
/// [`RecvResultExt::err_queue`](crate::os::linux::RecvResultExt::err_queue) is then set and
/// the error is in the control messages:
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// use std::net::UdpSocket;
/// use ancillary::os::linux::{
///     ExtendedErrorKind, IpRecvErr, RecvOptionsExt, RecvResultExt, SocketOptionsExt,
///     ERR_QUEUE_SPACE,
/// };
/// use ancillary::{AncillaryData, ControlMessagePayload, MessageReceiver, RecvOptions};
///
/// let socket = UdpSocket::bind("127.0.0.1:0")?;
/// socket.set_recv_err_v4(true)?; // IP_RECVERR
/// // A port nobody listens on: the kernel answers with ICMP port unreachable.
/// let closed = UdpSocket::bind("127.0.0.1:0")?.local_addr()?;
/// socket.send_to(b"anyone?", closed)?;
///
/// // Room for the error and what the usual receive options add to it.
/// let mut ancillary = AncillaryData::with_capacity(ERR_QUEUE_SPACE);
/// let mut buf = [0u8; 16];
/// // Reading the error queue never blocks: retry until the ICMP error has been queued.
/// let result = loop {
///     match MessageReceiver::new(&socket, &mut buf)
///         .ancillary_data(&mut ancillary)
///         .options(*RecvOptions::new().err_queue(true))
///         .recv()
///     {
///         Ok((_, result)) => break result,
///         Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
///             std::thread::sleep(std::time::Duration::from_millis(10))
///         }
///         Err(e) => return Err(e),
///     }
/// };
/// assert!(result.err_queue());
/// let err = ancillary.control_messages().find::<IpRecvErr>().unwrap()?;
/// assert_eq!(err.errno(), libc::ECONNREFUSED);
/// assert_eq!(err.kind(), ExtendedErrorKind::Unreachable { code: 3 }); // port unreachable
/// assert_eq!(err.offender().map(|a| *a.ip()), Some(std::net::Ipv4Addr::LOCALHOST));
/// # Ok(())
/// # }
/// ```
///
/// # References
/// `ip(7)`, `IP_RECVERR`.
#[derive(ControlMessage, Clone, Copy, Debug, PartialEq, Eq)]
#[cmsg(crate = crate, level = libc::IPPROTO_IP, type = libc::IP_RECVERR)]
#[repr(C)]
#[doc(alias = "IP_RECVERR")]
#[doc(alias = "sock_extended_err")]
pub struct IpRecvErr {
    ee_errno: u32,
    ee_origin: u8,
    ee_type: u8,
    ee_code: u8,
    ee_pad: u8,
    ee_info: u32,
    ee_data: u32,
    /// A `struct sockaddr_in`, kept as bytes (no `libc` type implements the layout traits).
    offender: [u8; 16],
}

impl IpRecvErr {
    extended_err_accessors!();

    /// The node that reported the error (`SO_EE_OFFENDER`), if the kernel filled it in
    /// (its family is `AF_INET`); `None` for local errors.
    #[must_use]
    pub fn offender(&self) -> Option<SocketAddrV4> {
        let o = &self.offender;
        if i32::from(u16::from_ne_bytes([o[0], o[1]])) != libc::AF_INET {
            return None;
        }
        let port = u16::from_be_bytes([o[2], o[3]]);
        Some(SocketAddrV4::new(
            Ipv4Addr::new(o[4], o[5], o[6], o[7]),
            port,
        ))
    }
}

/// An `IPV6_RECVERR` message: a queued error of an IPv6 socket, as `struct
/// sock_extended_err` followed by the offender's `struct sockaddr_in6`. Used like
/// [`IpRecvErr`], with the `IPV6_RECVERR` socket option.
///
/// # References
/// `ipv6(7)`, `IPV6_RECVERR`.
#[derive(ControlMessage, Clone, Copy, Debug, PartialEq, Eq)]
#[cmsg(crate = crate, level = libc::IPPROTO_IPV6, type = libc::IPV6_RECVERR)]
#[repr(C)]
#[doc(alias = "IPV6_RECVERR")]
pub struct Ipv6RecvErr {
    ee_errno: u32,
    ee_origin: u8,
    ee_type: u8,
    ee_code: u8,
    ee_pad: u8,
    ee_info: u32,
    ee_data: u32,
    /// A `struct sockaddr_in6`, kept as bytes.
    offender: [u8; 28],
}

impl Ipv6RecvErr {
    extended_err_accessors!();

    /// The node that reported the error, if the kernel filled it in (family `AF_INET6`).
    #[must_use]
    pub fn offender(&self) -> Option<SocketAddrV6> {
        let o = &self.offender;
        if i32::from(u16::from_ne_bytes([o[0], o[1]])) != libc::AF_INET6 {
            return None;
        }
        let port = u16::from_be_bytes([o[2], o[3]]);
        let flowinfo = u32::from_be_bytes([o[4], o[5], o[6], o[7]]);
        let mut ip = [0u8; 16];
        ip.copy_from_slice(&o[8..24]);
        let scope_id = u32::from_ne_bytes([o[24], o[25], o[26], o[27]]);
        Some(SocketAddrV6::new(
            Ipv6Addr::from(ip),
            port,
            flowinfo,
            scope_id,
        ))
    }
}

const _: () = {
    use core::mem::{offset_of, size_of};
    assert!(size_of::<libc::sock_extended_err>() == offset_of!(IpRecvErr, offender));
    assert!(size_of::<libc::sockaddr_in>() == 16);
    assert!(size_of::<libc::sockaddr_in6>() == 28);
    assert!(offset_of!(libc::sock_extended_err, ee_info) == offset_of!(IpRecvErr, ee_info));
    assert!(offset_of!(libc::sock_extended_err, ee_data) == offset_of!(IpRecvErr, ee_data));
};

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(origin: u8, icmp_type: u8, code: u8, errno: i32, info: u32) -> IpRecvErr {
        IpRecvErr {
            ee_errno: errno as u32,
            ee_origin: origin,
            ee_type: icmp_type,
            ee_code: code,
            ee_pad: 0,
            ee_info: info,
            ee_data: 0,
            offender: [0; 16],
        }
    }

    #[test]
    fn kinds_the_loopback_cannot_provoke() {
        // ICMP fragmentation needed, as a router on a 1400-byte path sends it.
        let err = v4(ORIGIN_ICMP, 3, 4, libc::EMSGSIZE, 1400);
        assert_eq!(err.kind(), ExtendedErrorKind::PacketTooBig { mtu: 1400 });
        // ICMP host unreachable.
        let err = v4(ORIGIN_ICMP, 3, 1, libc::EHOSTUNREACH, 0);
        assert_eq!(err.kind(), ExtendedErrorKind::Unreachable { code: 1 });
        // A send over the local path MTU with IP_PMTUDISC_DO.
        let err = v4(ORIGIN_LOCAL, 0, 0, libc::EMSGSIZE, 1280);
        let local = ExtendedErrorKind::Local {
            errno: libc::EMSGSIZE,
            info: 1280,
        };
        assert_eq!(err.kind(), local);
        // ICMP time exceeded.
        assert_eq!(
            v4(ORIGIN_ICMP, 11, 0, libc::EHOSTUNREACH, 0).kind(),
            ExtendedErrorKind::Other
        );
    }

    #[test]
    fn icmpv6_kinds() {
        let v6 = |icmp_type, code, info| Ipv6RecvErr {
            ee_errno: 0,
            ee_origin: ORIGIN_ICMP6,
            ee_type: icmp_type,
            ee_code: code,
            ee_pad: 0,
            ee_info: info,
            ee_data: 0,
            offender: [0; 28],
        };
        assert_eq!(
            v6(2, 0, 1280).kind(),
            ExtendedErrorKind::PacketTooBig { mtu: 1280 }
        );
        assert_eq!(
            v6(1, 4, 0).kind(),
            ExtendedErrorKind::Unreachable { code: 4 }
        );
        assert_eq!(v6(3, 0, 0).kind(), ExtendedErrorKind::Other);
    }
}
