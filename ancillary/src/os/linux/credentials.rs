//! [`ScmCredentials`]: `SCM_CREDENTIALS`, the sender's process and user ids.

use crate::ControlMessage;

/// The payload of an `SCM_CREDENTIALS` message: a process id, user id and group id
/// (`struct ucred`).
///
/// Receiving: enable `SO_PASSCRED` on the receiving Unix socket, and every message that
/// arrives carries the sender's credentials, checked by the kernel. Sending: a process may
/// send credentials explicitly ([`ScmCredentials::current`], or other ids it is privileged
/// to claim); the kernel rejects ones it may not send with `EPERM`.
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// use std::os::unix::net::UnixDatagram;
/// use ancillary::os::linux::{ScmCredentials, SocketOptionsExt};
/// use ancillary::{AncillaryData, ControlMessagePayload, MessageReceiver, MessageSender};
///
/// let (left, right) = UnixDatagram::pair()?;
/// right.set_passcred(true)?; // SO_PASSCRED
///
/// let mut ancillary = AncillaryData::new();
/// ancillary.add_control_message(&ScmCredentials::current());
/// MessageSender::new(&left, b"!").ancillary_data(&mut ancillary).send()?;
///
/// let mut received = AncillaryData::with_capacity(ScmCredentials::SPACE);
/// MessageReceiver::new(&right, &mut [0; 1]).ancillary_data(&mut received).recv()?;
/// let credentials = received.control_messages().find::<ScmCredentials>().unwrap()?;
/// assert_eq!(credentials, ScmCredentials::current());
/// assert_eq!(credentials.pid(), std::process::id() as libc::pid_t);
/// # Ok(())
/// # }
/// ```
///
/// The layout is `libc::ucred`'s (checked at compile time); the fields are private so that
/// the type can be defined with `#[derive(ControlMessage)]` like any downstream message.
///
/// # References
/// `unix(7)`, `SCM_CREDENTIALS` and `SO_PASSCRED`.
#[derive(ControlMessage, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cmsg(crate = crate, level = libc::SOL_SOCKET, type = libc::SCM_CREDENTIALS)]
#[repr(C)]
#[doc(alias = "SCM_CREDENTIALS")]
#[doc(alias = "ucred")]
pub struct ScmCredentials {
    pid: libc::pid_t,
    uid: libc::uid_t,
    gid: libc::gid_t,
}

const _: () = {
    use core::mem::{align_of, offset_of, size_of};
    assert!(size_of::<ScmCredentials>() == size_of::<libc::ucred>());
    assert!(align_of::<ScmCredentials>() == align_of::<libc::ucred>());
    assert!(offset_of!(ScmCredentials, pid) == offset_of!(libc::ucred, pid));
    assert!(offset_of!(ScmCredentials, uid) == offset_of!(libc::ucred, uid));
    assert!(offset_of!(ScmCredentials, gid) == offset_of!(libc::ucred, gid));
};

impl ScmCredentials {
    /// Credentials with these ids, to send. Claiming ids other than one's own needs
    /// privileges (`CAP_SYS_ADMIN` for the pid, `CAP_SETUID`/`CAP_SETGID` for the others).
    #[must_use]
    pub const fn new(pid: libc::pid_t, uid: libc::uid_t, gid: libc::gid_t) -> ScmCredentials {
        ScmCredentials { pid, uid, gid }
    }

    /// The calling process's credentials: `getpid()`, `getuid()`, `getgid()`.
    #[must_use]
    pub fn current() -> ScmCredentials {
        let (pid, uid, gid) = crate::sys::current_ids();
        ScmCredentials { pid, uid, gid }
    }

    /// The sender's process id.
    #[must_use]
    pub const fn pid(&self) -> libc::pid_t {
        self.pid
    }

    /// The sender's user id.
    #[must_use]
    pub const fn uid(&self) -> libc::uid_t {
        self.uid
    }

    /// The sender's group id.
    #[must_use]
    pub const fn gid(&self) -> libc::gid_t {
        self.gid
    }
}

impl From<libc::ucred> for ScmCredentials {
    fn from(ucred: libc::ucred) -> ScmCredentials {
        ScmCredentials::new(ucred.pid, ucred.uid, ucred.gid)
    }
}

impl From<ScmCredentials> for libc::ucred {
    fn from(credentials: ScmCredentials) -> libc::ucred {
        libc::ucred {
            pid: credentials.pid,
            uid: credentials.uid,
            gid: credentials.gid,
        }
    }
}
