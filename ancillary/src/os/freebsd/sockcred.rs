//! [`SockCred`] and [`SockCred2`]: the credentials FreeBSD attaches on the receiver's request
//! (`LOCAL_CREDS`, `LOCAL_CREDS_PERSISTENT`).

use core::fmt;

use crate::ControlMessage;

/// The payload of the `SCM_CREDS` message that FreeBSD adds when the **receiving** socket
/// has the `LOCAL_CREDS` option set (`struct sockcred`): the sender's ids and groups, filled
/// in by the kernel.
///
/// # Which type to parse an `SCM_CREDS` message as
///
/// `struct sockcred` and [`ScmCreds`](super::ScmCreds)' `struct cmsgcred` share the level
/// and type (`SOL_SOCKET`, `SCM_CREDS`), and their lengths overlap: a `sockcred` is
/// `20 + 4 × ngroups` bytes with `ngroups` from 0 to `CMGROUP_MAX` (16, the kernel cuts
/// longer lists), and with 16 groups that is 84 bytes, the size of a `cmsgcred`. So neither
/// the length nor [`matches`](crate::ControlMessagePayload::matches) can tell them apart:
/// [`ScmCreds::matches`](super::ScmCreds) is true for a `sockcred` of 16 groups (and
/// parsing it as `ScmCreds` reads the uid as the pid), and `SockCred::matches` is true for
/// every `cmsgcred`. Only the receiving socket's own option decides, so parse by it:
///
/// * **`LOCAL_CREDS` not set** on the receiving socket: an `SCM_CREDS` message is a
///   sender's `cmsgcred`, parse it as [`ScmCreds`](super::ScmCreds).
/// * **`LOCAL_CREDS` set**: on a datagram socket every message carries a `sockcred`, and
///   the kernel removes any `SCM_CREDS` message the sender attached to it (FreeBSD's
///   `unp_addsockcred`), so the `SCM_CREDS` message is a `SockCred`. On a stream or
///   seqpacket socket the option is one-shot: only the first message the peer sends after
///   it was set carries a `sockcred`; the kernel then clears the option, and an `SCM_CREDS`
///   message in any later receive is again a sender's `cmsgcred`. (If the kernel cannot
///   allocate the `sockcred`, it passes the message on without one, the sender's
///   `cmsgcred` included.)
///
/// This bookkeeping is easy to get wrong. **Prefer `LOCAL_CREDS_PERSISTENT` and
/// [`SockCred2`]**: its type, `SCM_CREDS2`, is distinct, it comes with every message on
/// every socket type, and it carries the sender's process id too. (The two options are
/// mutually exclusive: setting one while the other is set fails with `EINVAL`.)
///
/// ```
/// use ancillary::os::freebsd::{ScmCreds, SockCred};
/// use ancillary::{ControlMessage, ControlMessagePayload};
///
/// // A `sockcred` of a process in 3 groups, as the kernel writes it (native byte order).
/// let ids: [u32; 8] = [1001, 0, 1001, 5, 3, 5, 0, 920];
/// let bytes: Vec<u8> = ids.iter().flat_map(|id| id.to_ne_bytes()).collect();
/// let message = ControlMessage::new(libc::SOL_SOCKET, libc::SCM_CREDS, &bytes);
///
/// // The receiving socket set LOCAL_CREDS, so this is a `SockCred`.
/// # let mut aligned = ancillary::ControlMessagesBuf::new();
/// # aligned.push(&message);
/// # let message = aligned.iter().next().unwrap();
/// let creds = <&SockCred>::try_from(message)?;
/// assert_eq!((creds.uid(), creds.euid(), creds.gid(), creds.egid()), (1001, 0, 1001, 5));
/// assert_eq!(creds.groups(), [5, 0, 920]);
/// assert!(!ScmCreds::matches(&message)); // 32 bytes: but see above for 16 groups
/// # Ok::<(), ancillary::PayloadError>(())
/// ```
///
/// A received `SockCred` is a view into the receive buffer (`&SockCred`, a slice-tailed
/// payload whose alignment is checked); the buffer for one needs
/// [`SockCred::space_for(CMGROUP_MAX)`](crate::ControlMessagePayload::space_for) bytes.
/// The layout is `libc::sockcred`'s (with its one-element `sc_groups` as a slice), checked
/// at compile time.
///
/// # References
/// FreeBSD `unix(4)`, `LOCAL_CREDS`; `sys/kern/uipc_usrreq.c`, `unp_addsockcred`.
#[derive(ControlMessage, PartialEq, Eq, Hash)]
#[cmsg(crate = crate, level = libc::SOL_SOCKET, type = libc::SCM_CREDS)]
#[repr(C)]
#[doc(alias = "sockcred")]
#[doc(alias = "LOCAL_CREDS")]
pub struct SockCred {
    uid: libc::uid_t,
    euid: libc::uid_t,
    gid: libc::gid_t,
    egid: libc::gid_t,
    ngroups: libc::c_int,
    groups: [libc::gid_t],
}

/// The payload of the `SCM_CREDS2` message that FreeBSD (13.0 and later) adds to every
/// message when the **receiving** socket has the `LOCAL_CREDS_PERSISTENT` option set
/// (`struct sockcred2`): the sender's process id, ids and groups, filled in by the kernel.
///
/// This is the credential message to use on FreeBSD: its type, `SCM_CREDS2`, is its own,
/// so unlike [`SockCred`] it can never be confused with a sender's
/// [`ScmCreds`](super::ScmCreds) (which the kernel leaves in place next to it if the sender
/// attached one), and it comes with every message on datagram, stream and seqpacket
/// sockets alike. The payload is `28 + 4 × ngroups` bytes, `ngroups` at most `CMGROUP_MAX`
/// (16).
///
/// ```
/// use ancillary::os::freebsd::{ScmCreds, SockCred2};
/// use ancillary::{ControlMessage, ControlMessagePayload};
///
/// // version, pid, uid, euid, gid, egid, ngroups, groups...
/// let fields: [u32; 9] = [0, 4242, 1001, 1001, 1001, 1001, 2, 1001, 0];
/// let bytes: Vec<u8> = fields.iter().flat_map(|x| x.to_ne_bytes()).collect();
/// let message = ControlMessage::new(libc::SOL_SOCKET, libc::SCM_CREDS2, &bytes);
/// # let mut aligned = ancillary::ControlMessagesBuf::new();
/// # aligned.push(&message);
/// # let message = aligned.iter().next().unwrap();
/// let creds = <&SockCred2>::try_from(message)?;
/// assert_eq!((creds.version(), creds.pid()), (0, 4242));
/// assert_eq!(creds.groups(), [1001, 0]);
/// assert!(!ScmCreds::matches(&message));
/// # Ok::<(), ancillary::PayloadError>(())
/// ```
///
/// The layout is `libc::sockcred2`'s (with its one-element `sc_groups` as a slice),
/// checked at compile time.
///
/// # References
/// FreeBSD `unix(4)`, `LOCAL_CREDS_PERSISTENT`; `sys/kern/uipc_usrreq.c`,
/// `unp_addsockcred`.
#[derive(ControlMessage, PartialEq, Eq, Hash)]
#[cmsg(crate = crate, level = libc::SOL_SOCKET, type = libc::SCM_CREDS2)]
#[repr(C)]
#[doc(alias = "sockcred2")]
#[doc(alias = "SCM_CREDS2")]
#[doc(alias = "LOCAL_CREDS_PERSISTENT")]
pub struct SockCred2 {
    version: libc::c_int,
    pid: libc::pid_t,
    uid: libc::uid_t,
    euid: libc::uid_t,
    gid: libc::gid_t,
    egid: libc::gid_t,
    ngroups: libc::c_int,
    groups: [libc::gid_t],
}

/// The first `ngroups` entries of `groups`: a count out of range (negative, or more than
/// the payload holds) is clamped to the payload, never trusted.
fn clamped(groups: &[libc::gid_t], ngroups: libc::c_int) -> &[libc::gid_t] {
    let count = usize::try_from(ngroups).unwrap_or(0);
    &groups[..count.min(groups.len())]
}

impl SockCred {
    /// The sender's real user id (`sc_uid`).
    #[must_use]
    pub fn uid(&self) -> libc::uid_t {
        self.uid
    }

    /// The sender's effective user id (`sc_euid`).
    #[must_use]
    pub fn euid(&self) -> libc::uid_t {
        self.euid
    }

    /// The sender's real group id (`sc_gid`).
    #[must_use]
    pub fn gid(&self) -> libc::gid_t {
        self.gid
    }

    /// The sender's effective group id (`sc_egid`).
    #[must_use]
    pub fn egid(&self) -> libc::gid_t {
        self.egid
    }

    /// The sender's groups as its credential lists them, at most `CMGROUP_MAX` (16): the
    /// first `sc_ngroups` of the payload's group list, clamped to what the payload holds.
    #[must_use]
    pub fn groups(&self) -> &[libc::gid_t] {
        clamped(&self.groups, self.ngroups)
    }
}

impl SockCred2 {
    /// The version of the structure (`sc_version`); 0 is the only one so far.
    #[must_use]
    pub fn version(&self) -> libc::c_int {
        self.version
    }

    /// The sender's process id (`sc_pid`).
    #[must_use]
    pub fn pid(&self) -> libc::pid_t {
        self.pid
    }

    /// The sender's real user id (`sc_uid`).
    #[must_use]
    pub fn uid(&self) -> libc::uid_t {
        self.uid
    }

    /// The sender's effective user id (`sc_euid`).
    #[must_use]
    pub fn euid(&self) -> libc::uid_t {
        self.euid
    }

    /// The sender's real group id (`sc_gid`).
    #[must_use]
    pub fn gid(&self) -> libc::gid_t {
        self.gid
    }

    /// The sender's effective group id (`sc_egid`).
    #[must_use]
    pub fn egid(&self) -> libc::gid_t {
        self.egid
    }

    /// The sender's groups as its credential lists them, at most `CMGROUP_MAX` (16): the
    /// first `sc_ngroups` of the payload's group list, clamped to what the payload holds.
    #[must_use]
    pub fn groups(&self) -> &[libc::gid_t] {
        clamped(&self.groups, self.ngroups)
    }
}

impl fmt::Debug for SockCred {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SockCred")
            .field("uid", &self.uid)
            .field("euid", &self.euid)
            .field("gid", &self.gid)
            .field("egid", &self.egid)
            .field("groups", &self.groups())
            .finish()
    }
}

impl fmt::Debug for SockCred2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SockCred2")
            .field("version", &self.version)
            .field("pid", &self.pid)
            .field("uid", &self.uid)
            .field("euid", &self.euid)
            .field("gid", &self.gid)
            .field("egid", &self.egid)
            .field("groups", &self.groups())
            .finish()
    }
}

/// The layouts are `libc`'s: each field where `libc::sockcred`/`sockcred2` has it, the group
/// list where `sc_groups` starts, and the same alignment. (libc declares `sc_groups` as a
/// one-element array, so its `size_of` is the payload of one group: `SOCKCREDSIZE(1)`.)
const _: () = {
    use crate::ControlMessagePayload;
    use core::mem::{align_of, offset_of, size_of};

    use libc::sockcred as C;
    let layout = <SockCred as ControlMessagePayload>::LAYOUT;
    assert!(offset_of!(SockCred, uid) == offset_of!(C, sc_uid));
    assert!(offset_of!(SockCred, euid) == offset_of!(C, sc_euid));
    assert!(offset_of!(SockCred, gid) == offset_of!(C, sc_gid));
    assert!(offset_of!(SockCred, egid) == offset_of!(C, sc_egid));
    assert!(offset_of!(SockCred, ngroups) == offset_of!(C, sc_ngroups));
    assert!(layout.prefix == offset_of!(C, sc_groups));
    assert!(layout.elem == size_of::<libc::gid_t>());
    assert!(layout.align == align_of::<C>());
    assert!(layout.len_for(1) == size_of::<C>());
    // SOCKCREDSIZE(16) is the size of a `cmsgcred`: why the length cannot tell them apart.
    assert!(layout.len_for(libc::CMGROUP_MAX) == size_of::<libc::cmsgcred>());

    use libc::sockcred2 as C2;
    let layout = <SockCred2 as ControlMessagePayload>::LAYOUT;
    assert!(offset_of!(SockCred2, version) == offset_of!(C2, sc_version));
    assert!(offset_of!(SockCred2, pid) == offset_of!(C2, sc_pid));
    assert!(offset_of!(SockCred2, uid) == offset_of!(C2, sc_uid));
    assert!(offset_of!(SockCred2, euid) == offset_of!(C2, sc_euid));
    assert!(offset_of!(SockCred2, gid) == offset_of!(C2, sc_gid));
    assert!(offset_of!(SockCred2, egid) == offset_of!(C2, sc_egid));
    assert!(offset_of!(SockCred2, ngroups) == offset_of!(C2, sc_ngroups));
    assert!(layout.prefix == offset_of!(C2, sc_groups));
    assert!(layout.elem == size_of::<libc::gid_t>());
    assert!(layout.align == align_of::<C2>());
    assert!(layout.len_for(1) == size_of::<C2>());
};
