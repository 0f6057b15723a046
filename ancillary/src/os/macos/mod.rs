//! macOS (and iOS) extensions: flags, control messages (the UDP messages: ECN, destination
//! and source addresses, TTL, the IPv6 messages of RFC 3542) and the socket options that
//! turn them on ([`SocketOptionsExt`]).

mod options;
pub use self::options::*;

mod creds;
pub use self::creds::{ScmCreds, CMGROUP_MAX};

#[path = "../bsd_inet.rs"]
mod inet;
pub use self::inet::{
    Ecn, In6Pktinfo, InPktinfo, IpRecvDstAddr, IpRecvTos, IpRecvTtl, Ipv6HopLimit, Ipv6Tclass,
    SocketOptionsExt,
};
