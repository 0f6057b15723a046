//! [`CapacityError`]: control data that did not fit its fixed storage.

use core::fmt;
use std::io;

/// Control data did not fit the room available for it.
///
/// Returned by the `try_` methods of [`AncillaryData`](crate::AncillaryData) and
/// [`ControlMessagesBuf`](crate::ControlMessagesBuf) when caller-provided storage is too
/// small (heap storage grows instead), or when one message's payload is larger than a
/// `cmsg_len` can describe. The infallible methods (`add_control_message`, `push`, ...)
/// remember the first such failure instead, and the next send reports it as an
/// [`io::Error`] before making any system call, so that nothing is dropped silently.
///
/// ```
/// use std::mem::MaybeUninit;
/// use ancillary::{AncillaryData, ControlMessage};
///
/// let mut storage = [MaybeUninit::uninit(); 8];
/// let mut ancillary = AncillaryData::with_storage(&mut storage);
/// let err = ancillary
///     .try_add_control_message(ControlMessage::new(libc::SOL_SOCKET, libc::SCM_RIGHTS, &[0; 4]))
///     .unwrap_err();
/// assert!(err.needed() > err.capacity());
/// let io_err = std::io::Error::from(err);
/// assert_eq!(io_err.kind(), std::io::ErrorKind::InvalidInput);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CapacityError {
    needed: usize,
    capacity: usize,
}

impl CapacityError {
    pub(crate) const fn new(needed: usize, capacity: usize) -> Self {
        CapacityError { needed, capacity }
    }

    /// The number of bytes the buffer would have needed in all.
    #[must_use]
    pub const fn needed(&self) -> usize {
        self.needed
    }

    /// The number of bytes the buffer can hold.
    #[must_use]
    pub const fn capacity(&self) -> usize {
        self.capacity
    }
}

impl fmt::Display for CapacityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "control messages need {} bytes but their fixed storage holds {}; \
             give AncillaryData more storage (see AncillaryData::space_for_fds and cmsg_space)",
            self.needed, self.capacity
        )
    }
}

impl std::error::Error for CapacityError {}

impl From<CapacityError> for io::Error {
    fn from(err: CapacityError) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidInput, err)
    }
}
