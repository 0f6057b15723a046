//! macOS (and iOS) extensions: flags, control messages (the UDP messages: ECN, destination
//! and source addresses, TTL, the IPv6 messages of RFC 3542) and the socket options that
//! turn them on ([`SocketOptionsExt`]).
//!
//! Two things XNU does differently change what a receiver can rely on (the guide's
//! [Platforms](crate::guide#platforms) has the details):
//!
//! * **Descriptors that do not fit stay open.** XNU installs every passed descriptor before
//!   it copies the control data out, and then copies only what fits the buffer (setting
//!   `MSG_CTRUNC`): the descriptors whose numbers were cut off are open in the process,
//!   not close-on-exec, and nothing names them, so nothing can close them safely. A receive
//!   without a control buffer installs them all. Size the buffer for the most descriptors
//!   a peer may send.
//! * **Close-on-exec is set after the fact.** There is no `MSG_CMSG_CLOEXEC`; the crate
//!   sets `FD_CLOEXEC` with `fcntl` right after `recvmsg` returns, and a `fork` and `exec`
//!   on another thread in between passes the descriptor on to the child.

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

#[cfg(test)]
mod tests;

pub use super::bsd_creds::{ScmCreds, CMGROUP_MAX};
pub use super::bsd_inet::{Ecn, InPktinfo, IpRecvDstAddr, IpRecvTos, IpRecvTtl, SocketOptionsExt};
pub use super::ipv6::{In6Pktinfo, Ipv6HopLimit, Ipv6Tclass};
