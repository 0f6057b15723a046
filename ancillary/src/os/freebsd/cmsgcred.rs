//! The accessors of `ScmCreds`, shared by FreeBSD and Apple platforms, whose
//! `struct cmsgcred` is the same: each `creds.rs` defines the type (with its own docs and
//! layout proof) and includes this file as a child module, which may use the private fields.

use core::fmt;

use super::{ScmCreds, CMGROUP_MAX};

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
