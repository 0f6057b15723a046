//! FreeBSD extensions: flags, control messages (credentials, and the UDP messages: ECN,
//! destination and source addresses, TTL, the IPv6 messages of RFC 3542) and the socket
//! options that turn them on ([`SocketOptionsExt`]).

mod options;
pub use self::options::*;

mod creds;
pub use self::creds::{ScmCreds, CMGROUP_MAX};

mod sockcred;
pub use self::sockcred::{SockCred, SockCred2};

#[cfg(test)]
mod tests;

pub use super::bsd_inet::{
    Ecn, IpRecvDstAddr, IpRecvTos, IpRecvTtl, IpSendSrcAddr, SocketOptionsExt,
};
pub use super::ipv6::{In6Pktinfo, Ipv6HopLimit, Ipv6Tclass};
