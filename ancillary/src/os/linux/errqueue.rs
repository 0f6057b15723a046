//! [`IpRecvErr`] and [`Ipv6RecvErr`]: errors read from a socket's error queue
//! (`IP_RECVERR`/`IPV6_RECVERR` with `MSG_ERRQUEUE`).

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddrV4, SocketAddrV6};

use crate::ControlMessage;

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
/// use ancillary::os::linux::{IpRecvErr, RecvOptionsExt, RecvResultExt, SocketOptionsExt};
/// use ancillary::{AncillaryData, ControlMessagePayload, MessageReceiver, RecvOptions};
///
/// let socket = UdpSocket::bind("127.0.0.1:0")?;
/// socket.set_recv_err_v4(true)?; // IP_RECVERR
/// // A port nobody listens on: the kernel answers with ICMP port unreachable.
/// let closed = UdpSocket::bind("127.0.0.1:0")?.local_addr()?;
/// socket.send_to(b"anyone?", closed)?;
///
/// let mut ancillary = AncillaryData::with_capacity(IpRecvErr::SPACE);
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
