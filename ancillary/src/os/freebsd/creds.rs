//! [`ScmCreds`]: `SCM_CREDS`, the sender's credentials as the kernel fills them in.

use crate::ControlMessage;

/// The payload of an `SCM_CREDS` message: the sending process's ids (`struct cmsgcred`).
///
/// On FreeBSD the sender sends an `SCM_CREDS` message with a zeroed payload
/// ([`ScmCreds::to_fill`]) and the kernel fills it in with the sender's credentials, so the
/// receiver can trust them:
///
/// ```no_run
/// # fn main() -> std::io::Result<()> {
/// use std::os::unix::net::UnixDatagram;
/// use ancillary::os::freebsd::ScmCreds;
/// use ancillary::{AncillaryData, ControlMessagePayload, MessageReceiver, MessageSender};
///
/// let (left, right) = UnixDatagram::pair()?;
/// let mut ancillary = AncillaryData::new();
/// ancillary.add_control_message(&ScmCreds::to_fill());
/// MessageSender::new(&left, b"!").ancillary_data(&mut ancillary).send()?;
///
/// let mut received = AncillaryData::with_capacity(ScmCreds::SPACE);
/// MessageReceiver::new(&right, &mut [0; 1]).ancillary_data(&mut received).recv()?;
/// let creds = received.control_messages().find::<ScmCreds>().unwrap()?;
/// assert_eq!(creds.pid(), std::process::id() as libc::pid_t);
/// # Ok(())
/// # }
/// ```
///
/// # Only on a socket without `LOCAL_CREDS`
///
/// With the `LOCAL_CREDS` option set on the *receiving* socket, the kernel delivers a
/// `struct sockcred` ([`SockCred`](super::SockCred)) under the same level and type, and
/// removes the sender's `cmsgcred` from that message. Length does not tell the two apart:
/// a `sockcred` of a process in 16 or more groups is 84 bytes (`SOCKCREDSIZE(16)`), exactly
/// a `cmsgcred`, so [`matches`](Self::matches) is **true** for it and parsing succeeds
/// with every field shifted (the uid read as the pid, the effective uid as the uid, and so
/// on). So parse an `SCM_CREDS` message as `ScmCreds` only where the receiving socket does
/// not have `LOCAL_CREDS` set, or in the messages after the first on a stream or seqpacket
/// socket, where the option is one-shot; [`SockCred`](super::SockCred) says exactly which
/// message carries which. Better, set `LOCAL_CREDS_PERSISTENT` on the receiver and read
/// [`SockCred2`](super::SockCred2), whose type (`SCM_CREDS2`) is distinct: the kernel then
/// leaves a sender's `ScmCreds` in place next to it, and `ScmCreds` never matches a
/// `SockCred2`.
///
/// The layout is `libc::cmsgcred`'s, checked at compile time; the two bytes of padding C
/// leaves after `cmcred_ngroups` are an explicit field here, as `#[derive(ControlMessage)]`
/// requires.
///
/// # References
/// FreeBSD `unix(4)`, "Control messages".
#[derive(ControlMessage, Clone, Copy)]
#[cmsg(crate = crate, level = libc::SOL_SOCKET, type = libc::SCM_CREDS)]
#[repr(C)]
#[doc(alias = "SCM_CREDS")]
#[doc(alias = "cmsgcred")]
pub struct ScmCreds {
    pid: libc::pid_t,
    uid: libc::uid_t,
    euid: libc::uid_t,
    gid: libc::gid_t,
    ngroups: libc::c_short,
    _pad: [u8; 2],
    groups: [libc::gid_t; CMGROUP_MAX],
}

/// `CMGROUP_MAX`: the size of [`ScmCreds`]' group list.
pub const CMGROUP_MAX: usize = libc::CMGROUP_MAX;

#[path = "cmsgcred.rs"]
mod accessors;

const _: () = {
    use core::mem::{align_of, offset_of, size_of};
    use libc::cmsgcred as C;
    assert!(size_of::<ScmCreds>() == size_of::<C>() && align_of::<ScmCreds>() == align_of::<C>());
    assert!(offset_of!(ScmCreds, pid) == offset_of!(C, cmcred_pid));
    assert!(offset_of!(ScmCreds, uid) == offset_of!(C, cmcred_uid));
    assert!(offset_of!(ScmCreds, euid) == offset_of!(C, cmcred_euid));
    assert!(offset_of!(ScmCreds, gid) == offset_of!(C, cmcred_gid));
    assert!(offset_of!(ScmCreds, ngroups) == offset_of!(C, cmcred_ngroups));
    assert!(offset_of!(ScmCreds, groups) == offset_of!(C, cmcred_groups));
};
