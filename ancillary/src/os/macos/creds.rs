//! [`ScmCreds`]: the `SCM_CREDS` message layout of Apple platforms.

use crate::ControlMessage;

/// `CMGROUP_MAX` of XNU's `sys/socket.h`: the size of [`ScmCreds`]' group list.
pub const CMGROUP_MAX: usize = 16;

/// The payload of an `SCM_CREDS` message (`struct cmsgcred`), as Apple's headers define it.
///
/// **XNU defines this message but does not implement it for Unix sockets**: its
/// `unp_internalize` accepts only `SCM_RIGHTS`, so sending an `SCM_CREDS` fails (`EINVAL`)
/// and none is ever received from the kernel. The type exists so that code parsing
/// messages from other sources, or written for several BSDs, can name it; to learn a Unix
/// socket peer's credentials on macOS use `getpeereid(3)` or the `LOCAL_PEERCRED` socket
/// option instead.
///
/// `libc` has no `cmsgcred` for Apple targets, so the layout is written out here from XNU's
/// `bsd/sys/socket.h`: `pid_t cmcred_pid; uid_t cmcred_uid; uid_t cmcred_euid;
/// gid_t cmcred_gid; short cmcred_ngroups; gid_t cmcred_groups[CMGROUP_MAX];`, the two
/// bytes C leaves after `cmcred_ngroups` being an explicit field, as
/// `#[derive(ControlMessage)]` requires.
///
/// ```
/// use ancillary::os::macos::ScmCreds;
/// use ancillary::ControlMessage;
///
/// let to_fill = ScmCreds::to_fill();
/// let message = ControlMessage::from(&to_fill);
/// assert_eq!(message.data().len(), 84);
/// let creds = ScmCreds::try_from(message).unwrap();
/// assert!(creds.groups().is_empty());
/// ```
///
/// # References
/// XNU `bsd/sys/socket.h` and `bsd/kern/uipc_usrreq.c`; `getpeereid(3)`.
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

#[path = "../freebsd/cmsgcred.rs"]
mod accessors;
