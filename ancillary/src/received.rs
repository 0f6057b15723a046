//! [`ReceivedControlMessages`]: control messages read where the kernel wrote them, owning
//! the descriptors they carry, without copying them into an [`AncillaryData`].
//!
//! [`AncillaryData`]: crate::AncillaryData

use core::fmt;

use crate::control_messages::ControlMessages;
use crate::fds::{FdKind, OwnedFds, ReceivedFds};

/// The control messages of one receive, borrowed from the memory the kernel wrote them
/// to, owning every descriptor they carry.
///
/// For receives that do not go through an [`AncillaryData`](crate::AncillaryData): a
/// completion-based runtime's buffer, such as the provided buffer of an io_uring multishot
/// receive (`io_uring::RecvMsgMulti::take_in_place`, feature `io-uring`, makes one). The bytes are read where they are, at any alignment; nothing is copied.
///
/// The descriptors are handed out by [`drain_fds`](Self::drain_fds); those not taken are
/// closed when the value is dropped (if it is leaked with `mem::forget`, so are they,
/// which is safe). The messages themselves stay readable through
/// [`control_messages`](Self::control_messages), for as long as the value lives: the
/// descriptor numbers in them are only numbers.
pub struct ReceivedControlMessages<'b> {
    bytes: &'b [u8],
    fds: ReceivedFds,
}

impl<'b> ReceivedControlMessages<'b> {
    /// Takes ownership of the descriptors that the control messages in `bytes` carry.
    ///
    /// Where the receive could not ask for close-on-exec descriptors (macOS), they are
    /// made close-on-exec here, as after every receive of this crate.
    ///
    /// # Safety
    /// `bytes` must be control data that the kernel wrote for one receive in this
    /// process (all of it, or cut short at the end), unchanged since, and not adopted
    /// anywhere else: every descriptor it names is then open and owned by nobody else.
    #[must_use = "dropping the value closes every descriptor it owns"]
    pub unsafe fn new(bytes: &'b [u8]) -> ReceivedControlMessages<'b> {
        ReceivedControlMessages {
            bytes,
            // SAFETY: this function's contract is `adopt`'s.
            fds: unsafe { ReceivedFds::adopt(bytes) },
        }
    }

    /// The control messages, for typed or raw iteration.
    #[must_use]
    pub fn control_messages(&self) -> &ControlMessages {
        ControlMessages::from_bytes(self.bytes)
    }

    /// Takes ownership of the received `SCM_RIGHTS` descriptors, one by one, without
    /// allocating. Empty once they were taken. Descriptors the iterator does not yield
    /// are closed when it is dropped.
    #[must_use = "dropping the iterator closes every descriptor it did not yield"]
    pub fn drain_fds(&mut self) -> OwnedFds<'_> {
        // SAFETY: `fds` was adopted for `bytes` (in `new`).
        unsafe { self.fds.drain(self.bytes, FdKind::Rights) }
    }
}

impl Drop for ReceivedControlMessages<'_> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: as in `drain_fds`.
        unsafe { self.fds.close(self.bytes) };
    }
}

impl fmt::Debug for ReceivedControlMessages<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReceivedControlMessages")
            .field("messages", &self.control_messages())
            .field("owns_fds", &!self.fds.is_none())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fds::tests::{new_fd, still_open as open};
    use crate::{ControlMessage, ControlMessagesBuf, PayloadError, ScmRights};
    use std::os::fd::{AsRawFd, OwnedFd, RawFd};
    use std::os::unix::net::UnixStream;

    /// Memory aligned to 8, so that offset 1 of it is misaligned for every header and
    /// payload wherever it lies (a `Vec<u8>`'s address promises no alignment).
    #[repr(C, align(8))]
    struct Backing([u8; 128]);

    /// Control data as a kernel lays it out (a TTL, then two descriptors), copied to
    /// offset 1 of `backing`; returns that slice.
    fn misaligned<'b>(backing: &'b mut Backing, fds: &[RawFd]) -> &'b [u8] {
        let mut buf = ControlMessagesBuf::new();
        buf.push(&ControlMessage::new(
            libc::IPPROTO_IP,
            libc::IP_TTL,
            &64i32.to_ne_bytes(),
        ));
        let rights: Vec<u8> = fds.iter().flat_map(|fd| fd.to_ne_bytes()).collect();
        buf.push(&ControlMessage::new(
            libc::SOL_SOCKET,
            libc::SCM_RIGHTS,
            &rights,
        ));
        let bytes = &mut backing.0[1..=buf.len()];
        bytes.copy_from_slice(buf.as_bytes());
        bytes
    }

    /// Read in place at any alignment: the messages walk, a typed view refuses the
    /// misaligned payload with an error, and the descriptors are handed out in order,
    /// once; then the ones taken stay open and nothing else is closed twice.
    #[test]
    #[cfg_attr(
        all(miri, any(target_os = "macos", target_os = "ios")),
        ignore = "Miri has no fcntl(F_SETFD), which the close-on-exec fix-up calls there"
    )]
    fn drains_descriptors_from_misaligned_bytes() {
        let (raw, probes): (Vec<RawFd>, Vec<UnixStream>) = (0..2).map(|_| new_fd()).unzip();
        let mut backing = Backing([0; 128]);
        let bytes = misaligned(&mut backing, &raw);
        // SAFETY: the two read ends are open and owned by nobody else.
        let mut control = unsafe { ReceivedControlMessages::new(bytes) };
        assert_eq!(control.control_messages().iter().count(), 2);
        let typed: Vec<_> = control.control_messages().of_type::<ScmRights>().collect();
        assert!(
            matches!(typed[..], [Err(PayloadError::Alignment { .. })]),
            "{typed:?}"
        );
        let taken: Vec<OwnedFd> = control.drain_fds().collect();
        let numbers: Vec<RawFd> = taken.iter().map(AsRawFd::as_raw_fd).collect();
        assert_eq!(numbers, raw);
        assert_eq!(control.drain_fds().len(), 0, "taken once");
        drop(control);
        assert!(probes.iter().all(open), "taken ones are the caller's");
        drop(taken);
        assert!(!probes.iter().any(open));
    }

    /// Dropped untaken: every descriptor closed.
    #[test]
    #[cfg_attr(
        all(miri, any(target_os = "macos", target_os = "ios")),
        ignore = "Miri has no fcntl(F_SETFD), which the close-on-exec fix-up calls there"
    )]
    fn closes_what_was_not_taken() {
        let (raw, probes): (Vec<RawFd>, Vec<UnixStream>) = (0..2).map(|_| new_fd()).unzip();
        let mut backing = Backing([0; 128]);
        let bytes = misaligned(&mut backing, &raw);
        // SAFETY: the two read ends are open and owned by nobody else.
        let control = unsafe { ReceivedControlMessages::new(bytes) };
        assert!(format!("{control:?}").contains("owns_fds: true"));
        assert!(probes.iter().all(open));
        drop(control);
        assert!(!probes.iter().any(open));
    }
}
