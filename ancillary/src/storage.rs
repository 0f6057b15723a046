//! Where control-message bytes live: a growable heap allocation, or a fixed buffer the
//! caller lends (for example a `[MaybeUninit<u8>; N]` on the stack).
//!
//! Both kinds hand out one region that starts at [`BUFFER_ALIGN`], whatever the address of
//! the memory behind it, so that the kernel's `cmsghdr`s and payloads land aligned. The
//! module keeps track of how much of the region is initialised, so that the bytes exposed
//! as `&[u8]` are always initialised, even the padding the kernel skips when it writes.

use core::fmt;
use core::mem::MaybeUninit;
use std::collections::TryReserveError;

use crate::size::BUFFER_ALIGN;

/// The unit of heap storage: 8 bytes aligned to 8, enough for every target's
/// [`BUFFER_ALIGN`] (checked below).
#[derive(Clone, Copy)]
#[repr(C, align(8))]
pub(crate) struct Chunk([u8; 8]);

const CHUNK: usize = size_of::<Chunk>();
const _: () = assert!(
    align_of::<Chunk>() >= BUFFER_ALIGN,
    "heap chunks must be aligned for cmsghdr"
);

/// Why bytes could not be added to a storage.
#[derive(Debug)]
pub(crate) enum GrowError {
    /// The storage is a fixed buffer with less room than needed.
    Fixed,
    /// The allocator refused, or the size overflowed.
    Alloc(TryReserveError),
}

pub(crate) enum Storage<'s> {
    /// Heap storage. Every chunk up to the vector's length is initialised (zeroed when it
    /// was added), and the length is the capacity the buffer reports.
    Heap(Vec<Chunk>),
    /// Caller storage, already trimmed so that it starts at an aligned address.
    Fixed {
        region: &'s mut [MaybeUninit<u8>],
        /// `region[..init]` is initialised.
        init: usize,
    },
}

impl<'s> Storage<'s> {
    pub(crate) const fn new() -> Storage<'static> {
        Storage::Heap(Vec::new())
    }

    pub(crate) fn with_capacity(bytes: usize) -> Storage<'static> {
        let chunks = bytes.div_ceil(CHUNK);
        Storage::Heap(vec![Chunk([0; CHUNK]); chunks])
    }

    /// Uses `buf` as storage, skipping the few bytes before its first aligned address.
    pub(crate) fn fixed(buf: &'s mut [MaybeUninit<u8>]) -> Storage<'s> {
        let skip = buf.as_ptr().align_offset(BUFFER_ALIGN).min(buf.len());
        Storage::Fixed {
            region: &mut buf[skip..],
            init: 0,
        }
    }

    pub(crate) fn is_fixed(&self) -> bool {
        matches!(self, Storage::Fixed { .. })
    }

    /// The usable size of the region, in bytes.
    #[inline]
    pub(crate) fn capacity(&self) -> usize {
        match self {
            Storage::Heap(chunks) => chunks.len() * CHUNK,
            Storage::Fixed { region, .. } => region.len(),
        }
    }

    /// How many leading bytes of the region are initialised.
    #[inline]
    fn initialised(&self) -> usize {
        match self {
            Storage::Heap(chunks) => chunks.len() * CHUNK,
            Storage::Fixed { init, .. } => *init,
        }
    }

    /// The first `len` bytes of the region.
    ///
    /// # Panics
    /// If `len` exceeds the initialised part; callers only pass lengths they wrote.
    #[inline]
    pub(crate) fn bytes(&self, len: usize) -> &[u8] {
        assert!(len <= self.initialised(), "read past initialised storage");
        match self {
            Storage::Heap(chunks) => {
                // SAFETY: `chunks` is a live allocation of `chunks.len() * CHUNK` initialised
                // bytes (`Chunk` is plain bytes with no padding), `len` is within it, and
                // the returned slice borrows `self`, so the vector cannot move meanwhile.
                unsafe { core::slice::from_raw_parts(chunks.as_ptr().cast::<u8>(), len) }
            }
            Storage::Fixed { region, .. } => {
                // SAFETY: `region[..len]` lies within `region[..init]`, which is initialised
                // (asserted above); `MaybeUninit<u8>` and `u8` have the same layout.
                unsafe { core::slice::from_raw_parts(region.as_ptr().cast::<u8>(), len) }
            }
        }
    }

    /// The first `len` bytes of the region, mutably.
    ///
    /// # Panics
    /// If `len` exceeds the initialised part.
    pub(crate) fn bytes_mut(&mut self, len: usize) -> &mut [u8] {
        assert!(len <= self.initialised(), "read past initialised storage");
        match self {
            Storage::Heap(chunks) => {
                // SAFETY: as in `bytes`, with the allocation borrowed exclusively.
                unsafe { core::slice::from_raw_parts_mut(chunks.as_mut_ptr().cast::<u8>(), len) }
            }
            Storage::Fixed { region, .. } => {
                // SAFETY: as in `bytes`, with `region` reborrowed exclusively.
                unsafe { core::slice::from_raw_parts_mut(region.as_mut_ptr().cast::<u8>(), len) }
            }
        }
    }

    /// The whole region, initialised (zeroing whatever never was), for the kernel or the
    /// caller to write into.
    #[inline]
    pub(crate) fn whole_mut(&mut self) -> &mut [u8] {
        match self {
            Storage::Heap(chunks) => {
                let len = chunks.len() * CHUNK;
                // SAFETY: as in `bytes`: the allocation holds `len` initialised bytes and is
                // exclusively borrowed through `self` for the returned lifetime.
                unsafe { core::slice::from_raw_parts_mut(chunks.as_mut_ptr().cast::<u8>(), len) }
            }
            Storage::Fixed { region, init } => {
                for byte in &mut region[*init..] {
                    byte.write(0);
                }
                *init = region.len();
                let len = region.len();
                // SAFETY: every byte of `region` was initialised just above (or before, up to
                // `init`); the slice reborrows `region` exclusively.
                unsafe { core::slice::from_raw_parts_mut(region.as_mut_ptr().cast::<u8>(), len) }
            }
        }
    }

    /// Writes `bytes` at `at` (which must not leave a gap after the initialised part).
    ///
    /// # Panics
    /// If the write does not fit in the capacity or would leave uninitialised bytes before
    /// it; callers reserve first and write in order.
    #[inline]
    pub(crate) fn write(&mut self, at: usize, bytes: &[u8]) {
        let end = at + bytes.len();
        assert!(end <= self.capacity(), "write past storage capacity");
        match self {
            Storage::Heap(_) => self.whole_mut()[at..end].copy_from_slice(bytes),
            Storage::Fixed { region, init } => {
                assert!(
                    at <= *init,
                    "write would leave a gap of uninitialised bytes"
                );
                for (slot, byte) in region[at..end].iter_mut().zip(bytes) {
                    slot.write(*byte);
                }
                *init = (*init).max(end);
            }
        }
    }

    /// Makes room for at least `needed` bytes in all. `exact` asks for no more than that;
    /// otherwise heap storage grows geometrically, like `Vec::reserve`.
    #[inline]
    pub(crate) fn grow_to(&mut self, needed: usize, exact: bool) -> Result<(), GrowError> {
        if needed <= self.capacity() {
            return Ok(());
        }
        self.grow(needed, exact)
    }

    /// The slow path of [`grow_to`](Self::grow_to): `needed` exceeds the capacity.
    fn grow(&mut self, needed: usize, exact: bool) -> Result<(), GrowError> {
        match self {
            Storage::Fixed { .. } => Err(GrowError::Fixed),
            Storage::Heap(chunks) => {
                let want = needed.div_ceil(CHUNK);
                let additional = want - chunks.len();
                let result = if exact {
                    chunks.try_reserve_exact(additional)
                } else {
                    chunks.try_reserve(additional)
                };
                result.map_err(GrowError::Alloc)?;
                // Use all of what the allocator gave: the capacity is already paid for.
                let cap = chunks.capacity();
                chunks.resize(cap, Chunk([0; CHUNK]));
                Ok(())
            }
        }
    }
}

impl fmt::Debug for Storage<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.is_fixed() { "fixed" } else { "heap" };
        f.debug_struct("Storage")
            .field("kind", &kind)
            .field("capacity", &self.capacity())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_storage_is_aligned_at_every_offset() {
        let mut backing = [MaybeUninit::<u8>::uninit(); 64 + 8];
        for offset in 0..8 {
            let mut storage = Storage::fixed(&mut backing[offset..]);
            let region = storage.whole_mut();
            assert_eq!(region.as_ptr().align_offset(BUFFER_ALIGN), 0);
            assert!(region.len() + BUFFER_ALIGN > 64 + 8 - offset);
            assert!(region.iter().all(|&b| b == 0));
        }
    }

    #[test]
    fn fixed_storage_smaller_than_its_alignment_gap_is_empty() {
        let mut backing = [MaybeUninit::<u8>::uninit(); 16];
        let start = backing.as_ptr().align_offset(BUFFER_ALIGN);
        let odd = (start + 1) % BUFFER_ALIGN.max(2);
        let end = (odd + 1).min(16);
        let storage = Storage::fixed(&mut backing[odd..end]);
        assert!(storage.capacity() <= 1);
    }

    #[test]
    fn heap_storage_grows_and_stays_aligned() {
        let mut storage = Storage::new();
        assert_eq!(storage.capacity(), 0);
        storage.grow_to(100, false).unwrap();
        assert!(storage.capacity() >= 100);
        storage.write(0, &[1, 2, 3]);
        assert_eq!(storage.bytes(3), &[1, 2, 3]);
        assert_eq!(storage.whole_mut().as_ptr().align_offset(BUFFER_ALIGN), 0);
    }

    #[test]
    fn fixed_storage_refuses_to_grow() {
        let mut backing = [MaybeUninit::<u8>::uninit(); 32];
        let mut storage = Storage::fixed(&mut backing);
        let cap = storage.capacity();
        assert!(storage.grow_to(cap, true).is_ok());
        assert!(matches!(
            storage.grow_to(cap + 1, true),
            Err(GrowError::Fixed)
        ));
    }
}
