//! [`AncillaryStorage`]: caller storage for control messages that is already aligned, so a
//! stack buffer needs no slack bytes.

use core::fmt;
use core::mem::MaybeUninit;

/// `N` bytes of storage for control messages, aligned for `cmsghdr` on every target: give
/// it to [`AncillaryData::with_storage`](crate::AncillaryData::with_storage) (or
/// [`ControlMessagesBuf::with_storage`](crate::ControlMessagesBuf::with_storage)) and all
/// `N` bytes are usable, where a plain byte array at an arbitrary address may lose up to 7
/// of them to alignment (3 on 32-bit targets and Apple platforms).
///
/// ```
/// use ancillary::{AncillaryData, AncillaryStorage};
///
/// let mut storage = AncillaryStorage::<{ AncillaryData::space_for_fds(4) }>::new();
/// let ancillary = AncillaryData::with_storage(&mut storage);
/// assert_eq!(ancillary.capacity(), AncillaryData::space_for_fds(4));
/// ```
#[repr(C, align(8))]
pub struct AncillaryStorage<const N: usize> {
    bytes: [MaybeUninit<u8>; N],
}

const _: () = assert!(
    align_of::<AncillaryStorage<0>>() >= crate::cmsg::BUFFER_ALIGN,
    "AncillaryStorage must be aligned for cmsghdr"
);

impl<const N: usize> AncillaryStorage<N> {
    /// Uninitialised storage: nothing is written until `with_storage` zeroes it.
    #[must_use]
    pub const fn new() -> Self {
        AncillaryStorage {
            bytes: [MaybeUninit::uninit(); N],
        }
    }
}

impl<const N: usize> Default for AncillaryStorage<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> AsMut<[MaybeUninit<u8>]> for AncillaryStorage<N> {
    fn as_mut(&mut self) -> &mut [MaybeUninit<u8>] {
        &mut self.bytes
    }
}

impl<const N: usize> fmt::Debug for AncillaryStorage<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AncillaryStorage").field("len", &N).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AncillaryData, ControlMessage};

    #[test]
    fn all_of_it_is_usable() {
        const ROOM: usize = crate::cmsg_space(24);
        let mut storage = AncillaryStorage::<ROOM>::new();
        let mut ancillary = AncillaryData::with_storage(&mut storage);
        assert_eq!(ancillary.capacity(), ROOM);
        ancillary
            .try_add_control_message(ControlMessage::new(1, 2, &[7; 24]))
            .unwrap();
        assert_eq!(
            ancillary.control_messages().len(),
            crate::cmsg_space(24),
            "the whole message fits, at offset 0"
        );
    }
}
