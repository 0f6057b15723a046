//! The socket options of FreeBSD and Apple platforms as [`SocketOption`] types: the BSD
//! socket layer's IPv4 receive options and `LOCAL_PEERCRED`. Each platform's `sockopt`
//! module re-exports them, with the options all platforms share.

use core::mem::{offset_of, size_of};

use crate::SocketOption;

/// `IP_RECVDSTADDR`: every IPv4 datagram received carries its destination address,
/// [`IpRecvDstAddr`](super::bsd_inet::IpRecvDstAddr) (the message).
#[derive(SocketOption, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[sockopt(crate = crate, level = libc::IPPROTO_IP, name = libc::IP_RECVDSTADDR, flag)]
#[doc(alias = "IP_RECVDSTADDR")]
pub struct IpRecvDstAddr(pub bool);

/// `IP_RECVTOS`: every IPv4 datagram received carries its TOS byte,
/// [`IpRecvTos`](super::bsd_inet::IpRecvTos) (the message).
#[derive(SocketOption, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[sockopt(crate = crate, level = libc::IPPROTO_IP, name = libc::IP_RECVTOS, flag)]
#[doc(alias = "IP_RECVTOS")]
pub struct IpRecvTos(pub bool);

/// `IP_RECVTTL`: every IPv4 datagram received carries its TTL,
/// [`IpRecvTtl`](super::bsd_inet::IpRecvTtl) (the message).
#[derive(SocketOption, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[sockopt(crate = crate, level = libc::IPPROTO_IP, name = libc::IP_RECVTTL, flag)]
#[doc(alias = "IP_RECVTTL")]
pub struct IpRecvTtl(pub bool);

/// `IP_PKTINFO` (Apple platforms): every IPv4 datagram received carries its destination
/// and interface, [`InPktinfo`](super::bsd_inet::InPktinfo).
#[cfg(not(target_os = "freebsd"))]
#[derive(SocketOption, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[sockopt(crate = crate, level = libc::IPPROTO_IP, name = libc::IP_PKTINFO, flag)]
#[doc(alias = "IP_PKTINFO")]
pub struct IpPktinfo(pub bool);

/// `LOCAL_PEERCRED` (Unix stream sockets, read only; `struct xucred`): the credentials of
/// the peer, taken when it connected (or when the pair was made with `socketpair`): its
/// effective user id and groups, and on FreeBSD 13 and later its process id. A socket that
/// is not connected fails with `ENOTCONN`.
///
/// The fields are `libc::xucred`'s, with its padding written out (checked at compile time
/// against `libc`'s definition).
///
/// # References
/// FreeBSD `unix(4)`; macOS `unix(4)` and `<sys/ucred.h>`.
#[derive(SocketOption, Clone, Copy, Debug)]
#[sockopt(crate = crate, level = libc::SOL_LOCAL, name = libc::LOCAL_PEERCRED, read_only)]
#[repr(C)]
#[doc(alias = "LOCAL_PEERCRED")]
#[doc(alias = "xucred")]
pub struct LocalPeerCred {
    version: libc::c_uint,
    uid: libc::uid_t,
    ngroups: libc::c_short,
    _pad: [u8; 2],
    groups: [libc::gid_t; 16],
    /// FreeBSD: a union of `cr_pid` and a pointer-sized field, after the padding that
    /// aligns it.
    #[cfg(target_os = "freebsd")]
    tail: [u8; size_of::<libc::xucred>() - offset_of!(libc::xucred, cr_groups) - 64],
}

const _: () = {
    assert!(size_of::<LocalPeerCred>() == size_of::<libc::xucred>());
    assert!(offset_of!(LocalPeerCred, version) == offset_of!(libc::xucred, cr_version));
    assert!(offset_of!(LocalPeerCred, uid) == offset_of!(libc::xucred, cr_uid));
    assert!(offset_of!(LocalPeerCred, ngroups) == offset_of!(libc::xucred, cr_ngroups));
    assert!(offset_of!(LocalPeerCred, groups) == offset_of!(libc::xucred, cr_groups));
};

impl LocalPeerCred {
    /// The peer's effective user id.
    #[must_use]
    pub fn uid(&self) -> libc::uid_t {
        self.uid
    }

    /// The peer's groups, the effective group first (at most 16; the kernel cuts a longer
    /// list).
    #[must_use]
    pub fn groups(&self) -> &[libc::gid_t] {
        let len = usize::try_from(self.ngroups).unwrap_or(0);
        &self.groups[..len.min(self.groups.len())]
    }

    /// The `cr_version` of the structure (`XUCRED_VERSION`, 0).
    #[must_use]
    pub fn version(&self) -> u32 {
        self.version
    }

    /// FreeBSD 13 and later: the peer's process id (0 from older kernels).
    #[cfg(target_os = "freebsd")]
    #[must_use]
    pub fn pid(&self) -> libc::pid_t {
        // `cr_pid` is the union's first member, so its first bytes on every target.
        let offset = offset_of!(libc::xucred, cr_pid__c_anonymous_union)
            - offset_of!(libc::xucred, cr_groups)
            - 64;
        let mut bytes = [0; size_of::<libc::pid_t>()];
        bytes.copy_from_slice(&self.tail[offset..offset + size_of::<libc::pid_t>()]);
        libc::pid_t::from_ne_bytes(bytes)
    }
}

/// `struct xucred` as the kernel writes it, built by hand from its headers
/// (`sys/sys/ucred.h`): `u_int cr_version; uid_t cr_uid; short cr_ngroups;` 2 bytes of
/// padding, `gid_t cr_groups[16];` and on FreeBSD a union of a pointer and `pid_t cr_pid`,
/// aligned to the pointer's size. No system call: CI runs these under Miri per target.
#[cfg(test)]
mod tests {
    use super::LocalPeerCred;
    use core::mem::size_of;

    fn peer(ngroups: i16) -> LocalPeerCred {
        let mut groups = [0; 16];
        groups[..4].copy_from_slice(&[20, 0, 5, 7]);
        LocalPeerCred {
            version: 0,
            uid: 1001,
            ngroups,
            _pad: [0; 2],
            groups,
            #[cfg(target_os = "freebsd")]
            tail: {
                // The union starts at 80 on 64-bit targets (after 4 bytes of padding), at 76
                // on 32-bit ones; the groups end at 76.
                let mut tail = [0; if cfg!(target_pointer_width = "64") {
                    12
                } else {
                    4
                }];
                let at = if cfg!(target_pointer_width = "64") {
                    4
                } else {
                    0
                };
                tail[at..at + 4].copy_from_slice(&4242i32.to_ne_bytes());
                tail
            },
        }
    }

    #[test]
    fn the_size_is_the_kernels() {
        let size = if cfg!(target_os = "freebsd") && cfg!(target_pointer_width = "64") {
            88
        } else if cfg!(target_os = "freebsd") {
            80
        } else {
            76
        };
        assert_eq!(size_of::<LocalPeerCred>(), size);
    }

    #[test]
    fn groups_are_the_first_ngroups() {
        let three = peer(3);
        assert_eq!((three.uid(), three.version()), (1001, 0));
        assert_eq!(three.groups(), [20, 0, 5]);
        assert!(peer(-1).groups().is_empty());
        assert_eq!(peer(40).groups().len(), 16);
    }

    #[cfg(target_os = "freebsd")]
    #[test]
    fn the_pid_is_read_from_the_union() {
        assert_eq!(peer(3).pid(), 4242);
    }
}
