//! [`ScmSecurity`]: `SCM_SECURITY`, the sender's security (LSM) label.

use core::ffi::{c_int, CStr};
use core::fmt;

use crate::{ControlMessage, PayloadError};

/// `SCM_SECURITY` (`include/linux/socket.h`); `libc` does not export it for Linux.
pub const SCM_SECURITY: c_int = 0x03;

/// The payload of an `SCM_SECURITY` message: the security context of the sending socket,
/// as the active LSM (SELinux, Smack, AppArmor) spells it.
///
/// It arrives when the receiving socket has `SO_PASSSEC` enabled and an LSM provides a
/// label; without one there is no message. The RFC calls this type `ScmSecurity<'a>`; here
/// a received one is a `&'a ScmSecurity`, a view into the receive buffer, which is the same
/// idea: it borrows the bytes instead of copying them.
///
/// The kernel normally includes the terminating NUL, but not every LSM does. So there are
/// two accessors: [`label`](Self::label), the bytes without any trailing NUL, which always
/// works, and [`selinux_security_label`](Self::selinux_security_label), which returns a
/// `&CStr` and reports a label without NUL as an error instead of panicking or copying.
///
/// ```
/// use ancillary::os::linux::{ScmSecurity, SCM_SECURITY};
/// use ancillary::{ControlMessage, PayloadError};
///
/// let bytes = b"unconfined_u:unconfined_r:unconfined_t:s0\0";
/// let label = <&ScmSecurity>::try_from(ControlMessage::new(libc::SOL_SOCKET, SCM_SECURITY, bytes))?;
/// assert_eq!(label.selinux_security_label()?.to_bytes(), &bytes[..bytes.len() - 1]);
///
/// let unterminated = <&ScmSecurity>::try_from(ControlMessage::new(libc::SOL_SOCKET, SCM_SECURITY, b"s0"))?;
/// assert_eq!(unterminated.label(), b"s0");
/// assert!(matches!(unterminated.selinux_security_label(), Err(PayloadError::Content(_))));
/// # Ok::<(), PayloadError>(())
/// ```
///
/// # References
/// `unix(7)`, `SO_PASSSEC`; `socket(7)`, `SO_PEERSEC`.
#[derive(ControlMessage, PartialEq, Eq, Hash)]
#[cmsg(crate = crate, level = libc::SOL_SOCKET, type = SCM_SECURITY)]
#[repr(C)]
#[doc(alias = "SCM_SECURITY")]
pub struct ScmSecurity {
    label: [u8],
}

impl ScmSecurity {
    /// The label's bytes, without the trailing NUL if there is one.
    #[must_use]
    pub fn label(&self) -> &[u8] {
        self.label.strip_suffix(&[0]).unwrap_or(&self.label)
    }

    /// The payload exactly as received, NUL included if the LSM sent one.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.label
    }

    /// The label as a C string, up to its first NUL.
    ///
    /// # Errors
    /// [`PayloadError::Content`] if the payload has no NUL at all; [`label`](Self::label)
    /// still gives its bytes.
    pub fn selinux_security_label(&self) -> Result<&CStr, PayloadError> {
        CStr::from_bytes_until_nul(&self.label)
            .map_err(|_| PayloadError::Content("security label without a terminating NUL"))
    }
}

impl fmt::Debug for ScmSecurity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ScmSecurity")
            .field(&String::from_utf8_lossy(self.label()))
            .finish()
    }
}
