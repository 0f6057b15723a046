//! [`ScmRights`]: the file descriptors of an `SCM_RIGHTS` message, as a typed view.

use core::ffi::c_int;
use core::fmt;
use std::os::fd::RawFd;

use crate::ControlMessage;

/// The payload of an `SCM_RIGHTS` message: file descriptors passed between processes.
///
/// A `&ScmRights` is a view of received (or about to be sent) bytes. It never owns the
/// descriptors: received ones are owned by the [`AncillaryData`](crate::AncillaryData) or
/// [`ControlMessagesBuf`](crate::ControlMessagesBuf) they arrived in, which closes the
/// ones nobody takes ([`AncillaryData::take_owned_fds`](crate::AncillaryData::take_owned_fds),
/// [`drain_fds`](crate::AncillaryData::drain_fds)). So looking at the numbers here can
/// never create a second owner; to send descriptors, use
/// [`AncillaryData::add_file_descriptors`](crate::AncillaryData::add_file_descriptors),
/// which borrows them for as long as the send needs.
///
/// `ScmRights` is defined with `#[derive(ControlMessage)]` like any downstream message,
/// as a slice-tailed payload (`[c_int]`), so a `&ScmRights` is parsed in place:
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// use std::os::fd::{AsFd, AsRawFd};
/// use std::os::unix::net::UnixDatagram;
/// use ancillary::{AncillaryData, ControlMessagePayload, MessageReceiver, MessageSender, ScmRights};
///
/// let (left, right) = UnixDatagram::pair()?;
/// let mut ancillary = AncillaryData::new();
/// ancillary.add_file_descriptors(&[left.as_fd(), right.as_fd()]);
/// MessageSender::new(&left, b"!").ancillary_data(&mut ancillary).send()?;
///
/// // Room for one message with two descriptors: the same as `space_for_fds(2)`.
/// assert_eq!(ScmRights::space_for(2), AncillaryData::space_for_fds(2));
/// let mut received = AncillaryData::with_capacity(ScmRights::space_for(2));
/// MessageReceiver::new(&right, &mut [0; 1]).ancillary_data(&mut received).recv()?;
///
/// let rights: &ScmRights = received.control_messages().find::<ScmRights>().unwrap()?;
/// assert_eq!(rights.len(), 2);
/// // The numbers are new descriptors in this process, still owned by `received`; the view
/// // borrows `received`, so they cannot be taken while it is alive.
/// let numbers = rights.fds().to_vec();
/// let [a, b] = received.take_exact_fds()?;
/// assert_eq!(numbers, [a.as_raw_fd(), b.as_raw_fd()]);
/// # Ok(())
/// # }
/// ```
///
/// # Sizing
///
/// A buffer for one message of `n` descriptors needs
/// [`ScmRights::space_for(n)`](crate::ControlMessagePayload::space_for) bytes, which equals
/// [`AncillaryData::space_for_fds(n)`](crate::AncillaryData::space_for_fds) (the `const`
/// one). [`SPACE`](crate::ControlMessagePayload::SPACE) is the room for an empty one.
///
/// # References
/// `unix(7)` on Linux, `unix(4)` on FreeBSD and macOS.
#[derive(ControlMessage, PartialEq, Eq, Hash)]
#[cmsg(crate = crate, level = libc::SOL_SOCKET, type = libc::SCM_RIGHTS)]
#[repr(C)]
#[doc(alias = "SCM_RIGHTS")]
pub struct ScmRights {
    fds: [c_int],
}

impl ScmRights {
    /// The descriptor numbers in the message, in order. They are only numbers: the
    /// buffer the message came from owns the descriptors.
    #[must_use]
    pub fn fds(&self) -> &[RawFd] {
        &self.fds
    }

    /// The number of descriptors.
    #[must_use]
    pub fn len(&self) -> usize {
        self.fds.len()
    }

    /// Whether the message carries no descriptor.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.fds.is_empty()
    }
}

impl fmt::Debug for ScmRights {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ScmRights").field(&&self.fds).finish()
    }
}

impl<'a> IntoIterator for &'a ScmRights {
    type Item = &'a RawFd;
    type IntoIter = core::slice::Iter<'a, RawFd>;

    fn into_iter(self) -> Self::IntoIter {
        self.fds.iter()
    }
}
