//! [`ScmCreds`]: `SCM_CREDS`, the sender's credentials (`struct cmsgcred`), one type for
//! FreeBSD and Apple platforms, whose `struct cmsgcred` is the same; each re-exports it.

use core::fmt;

use crate::ControlMessage;

/// `CMGROUP_MAX` of `sys/socket.h` (FreeBSD's and XNU's): the size of [`ScmCreds`]' group
/// list.
pub const CMGROUP_MAX: usize = 16;

/// The payload of an `SCM_CREDS` message: the sending process's ids (`struct cmsgcred`).
#[cfg_attr(
    target_os = "freebsd",
    doc = r#"
On FreeBSD the sender sends an `SCM_CREDS` message with a zeroed payload
([`ScmCreds::to_fill`]) and the kernel fills it in with the sender's credentials, so the
receiver can trust them:

```no_run
# fn main() -> std::io::Result<()> {
use std::os::unix::net::UnixDatagram;
use ancillary::os::freebsd::ScmCreds;
use ancillary::{AncillaryData, ControlMessagePayload, MessageReceiver, MessageSender};

let (left, right) = UnixDatagram::pair()?;
let mut ancillary = AncillaryData::new();
ancillary.add_control_message(&ScmCreds::to_fill());
MessageSender::new(&left, b"!").ancillary_data(&mut ancillary).send()?;

let mut received = AncillaryData::with_capacity(ScmCreds::SPACE);
MessageReceiver::new(&right, &mut [0; 1]).ancillary_data(&mut received).recv()?;
let creds = received.control_messages().find::<ScmCreds>().unwrap()?;
assert_eq!(creds.pid(), std::process::id() as libc::pid_t);
# Ok(())
# }
```

# Only on a socket without `LOCAL_CREDS`

With the `LOCAL_CREDS` option set on the *receiving* socket, the kernel delivers a
`struct sockcred` ([`SockCred`](crate::os::freebsd::SockCred)) under the same level and
type, and removes the sender's `cmsgcred` from that message. Length does not tell the two
apart: a `sockcred` of a process in 16 or more groups is 84 bytes (`SOCKCREDSIZE(16)`),
exactly a `cmsgcred`, so [`matches`](Self::matches) is **true** for it and parsing
succeeds with every field shifted (the uid read as the pid, the effective uid as the uid,
and so on). So parse an `SCM_CREDS` message as `ScmCreds` only where the receiving socket
does not have `LOCAL_CREDS` set, or in the messages after the first on a stream or
seqpacket socket, where the option is one-shot; [`SockCred`](crate::os::freebsd::SockCred)
says exactly which message carries which. Better, set `LOCAL_CREDS_PERSISTENT` on the
receiver and read [`SockCred2`](crate::os::freebsd::SockCred2), whose type
(`SCM_CREDS2`) is distinct: the kernel then leaves a sender's `ScmCreds` in place next to
it, and `ScmCreds` never matches a `SockCred2`.

The layout is `libc::cmsgcred`'s, checked at compile time; the two bytes of padding C
leaves after `cmcred_ngroups` are an explicit field here, as `#[derive(ControlMessage)]`
requires.

# References
FreeBSD `unix(4)`, "Control messages"."#
)]
#[cfg_attr(
    apple,
    doc = r#"
**XNU defines this message but does not implement it for Unix sockets**: its
`unp_internalize` accepts only `SCM_RIGHTS`, so sending an `SCM_CREDS` fails (`EINVAL`)
and none is ever received from the kernel. The type exists so that code parsing
messages from other sources, or written for several BSDs, can name it; to learn a Unix
socket peer's credentials on macOS use `getpeereid(3)` or the `LOCAL_PEERCRED` socket
option instead.

`libc` has no `cmsgcred` for Apple targets, so the layout is written out here from XNU's
`bsd/sys/socket.h`: `pid_t cmcred_pid; uid_t cmcred_uid; uid_t cmcred_euid;
gid_t cmcred_gid; short cmcred_ngroups; gid_t cmcred_groups[CMGROUP_MAX];`, the two
bytes C leaves after `cmcred_ngroups` being an explicit field, as
`#[derive(ControlMessage)]` requires.

```
use ancillary::os::macos::ScmCreds;
use ancillary::ControlMessage;

let to_fill = ScmCreds::to_fill();
let message = ControlMessage::from(&to_fill);
assert_eq!(message.data().len(), 84);
let creds = ScmCreds::try_from(message).unwrap();
assert!(creds.groups().is_empty());
```

# References
XNU `bsd/sys/socket.h` and `bsd/kern/uipc_usrreq.c`; `getpeereid(3)`."#
)]
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

#[cfg(target_os = "freebsd")]
const _: () = {
    use core::mem::{align_of, offset_of, size_of};
    use libc::cmsgcred as C;
    assert!(CMGROUP_MAX == libc::CMGROUP_MAX);
    assert!(size_of::<ScmCreds>() == size_of::<C>() && align_of::<ScmCreds>() == align_of::<C>());
    assert!(offset_of!(ScmCreds, pid) == offset_of!(C, cmcred_pid));
    assert!(offset_of!(ScmCreds, uid) == offset_of!(C, cmcred_uid));
    assert!(offset_of!(ScmCreds, euid) == offset_of!(C, cmcred_euid));
    assert!(offset_of!(ScmCreds, gid) == offset_of!(C, cmcred_gid));
    assert!(offset_of!(ScmCreds, ngroups) == offset_of!(C, cmcred_ngroups));
    assert!(offset_of!(ScmCreds, groups) == offset_of!(C, cmcred_groups));
};

impl ScmCreds {
    /// A zeroed payload, to send: on FreeBSD the kernel replaces it with the sender's
    /// credentials (Apple platforms define the message but do not implement it).
    #[must_use]
    pub const fn to_fill() -> ScmCreds {
        ScmCreds {
            pid: 0,
            uid: 0,
            euid: 0,
            gid: 0,
            ngroups: 0,
            _pad: [0; 2],
            groups: [0; CMGROUP_MAX],
        }
    }

    /// The sender's process id.
    #[must_use]
    pub const fn pid(&self) -> libc::pid_t {
        self.pid
    }

    /// The sender's real user id.
    #[must_use]
    pub const fn uid(&self) -> libc::uid_t {
        self.uid
    }

    /// The sender's effective user id.
    #[must_use]
    pub const fn euid(&self) -> libc::uid_t {
        self.euid
    }

    /// The sender's real group id.
    #[must_use]
    pub const fn gid(&self) -> libc::gid_t {
        self.gid
    }

    /// The sender's groups (on FreeBSD the first is the effective group id), at most
    /// `CMGROUP_MAX`; a count out of range is clamped, never trusted.
    #[must_use]
    pub fn groups(&self) -> &[libc::gid_t] {
        let count = usize::try_from(self.ngroups).unwrap_or(0);
        &self.groups[..count.min(self.groups.len())]
    }
}

impl fmt::Debug for ScmCreds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScmCreds")
            .field("pid", &self.pid)
            .field("uid", &self.uid)
            .field("euid", &self.euid)
            .field("gid", &self.gid)
            .field("groups", &self.groups())
            .finish()
    }
}
