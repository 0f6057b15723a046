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
/// With `LOCAL_CREDS` set on the receiving socket the kernel sends a `struct sockcred`
/// instead, a different layout that this type does not parse (its length differs, so
/// [`matches`](Self::matches) is false for it).
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
