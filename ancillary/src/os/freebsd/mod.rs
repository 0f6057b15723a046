//! FreeBSD extensions: flags, control messages (credentials, and the UDP messages: ECN,
//! destination and source addresses, TTL, the IPv6 messages of RFC 3542) and the socket
//! options that turn them on ([`SocketOptionsExt`]).

mod options;
pub use self::options::*;

/// The socket options of this platform as [`SocketOption`](crate::SocketOption) types,
/// for [`set_socket_option`](crate::set_socket_option) and
/// [`get_socket_option`](crate::get_socket_option): the ones that turn on its control
/// messages (also methods of [`SocketOptionsExt`]), buffer sizes, `IPV6_DONTFRAG` and the
/// peer's credentials. Each type is named after its C constant; flags hold a `bool`.
pub mod sockopt {
    pub use crate::os::bsd_sockopt::*;
    pub use crate::os::sockopt::*;
}

mod sockcred;
pub use self::sockcred::{SockCred, SockCred2};

#[cfg(test)]
mod tests;

pub use super::bsd_creds::{ScmCreds, CMGROUP_MAX};
pub use super::bsd_inet::{
    Ecn, IpRecvDstAddr, IpRecvTos, IpRecvTtl, IpSendSrcAddr, SocketOptionsExt,
};
pub use super::ipv6::{In6Pktinfo, Ipv6HopLimit, Ipv6Tclass};
