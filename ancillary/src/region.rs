//! Where control-message bytes live: a growable heap allocation, or a fixed buffer the
//! caller lends (for example a `[MaybeUninit<u8>; N]` on the stack).
//!
//! Both kinds are reduced to one region, described by an aligned pointer and a capacity,
//! that starts at [`BUFFER_ALIGN`] whatever the address of the memory behind it, so that
//! the kernel's `cmsghdr`s and payloads land aligned. The whole region is initialised
//! from the start (heap chunks are allocated zeroed, a lent buffer is zeroed once when it
//! is adopted), so the bytes exposed as `&[u8]` are always initialised, even the padding
//! the kernel skips when it writes, and no write has to record how far it reached. This
//! module is storage only: what the bytes mean, and how a message is written into them, is
//! `cmsg`'s. All raw-pointer access to the region is here.

use core::fmt;
use core::marker::PhantomData;
use core::mem::{ManuallyDrop, MaybeUninit};
use core::ptr::NonNull;
use std::collections::TryReserveError;

use crate::cmsg::BUFFER_ALIGN;

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

/// An aligned region of `cap` initialised bytes at `ptr`.
///
/// Invariants:
/// * `ptr` is aligned to [`BUFFER_ALIGN`] and valid for reads and writes of `cap` bytes for
///   as long as `self` lives and is not grown.
/// * With [`Kind::Fixed`], the region is the caller's buffer, which `'s` keeps borrowed
///   exclusively.
/// * With [`Kind::Heap`], `cap > 0`, and `ptr` and `cap / CHUNK` are the pointer and the
///   capacity (equal to the length: every chunk is initialised) of a `Vec<Chunk>` that
///   this value owns, taken apart so that the value stays small.
/// * With [`Kind::Empty`], `cap == 0`, `ptr` is dangling and nothing is owned.
/// * All `cap` bytes are initialised: heap chunks are made zeroed, a lent buffer is zeroed
///   by [`Storage::fixed`], and writes only store initialised bytes.
/// * Nothing else accesses that memory.
pub(crate) struct Storage<'s> {
    ptr: NonNull<u8>,
    cap: usize,
    kind: Kind,
    _borrow: PhantomData<&'s mut [MaybeUninit<u8>]>,
}

/// What a [`Storage`]'s region is: one field, so that dropping a storage that owns no
/// allocation is one test.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// No region yet: heap storage that has not allocated.
    Empty,
    /// A heap allocation this storage owns.
    Heap,
    /// A buffer the caller lends; it never grows.
    Fixed,
}

// SAFETY: `Storage` owns its heap region (like a `Vec<u8>`) or borrows the caller's buffer
// exclusively (like a `&mut [MaybeUninit<u8>]`); both are `Send` and `Sync`, and the raw
// pointer is only a cached address into that same memory, never shared with anyone else.
unsafe impl Send for Storage<'_> {}
// SAFETY: as above: `&Storage` only allows reads of the region, like `&Vec<u8>`.
unsafe impl Sync for Storage<'_> {}

impl<'s> Storage<'s> {
    #[inline]
    pub(crate) const fn new() -> Storage<'static> {
        Storage {
            ptr: NonNull::<Chunk>::dangling().cast(),
            cap: 0,
            kind: Kind::Empty,
            _borrow: PhantomData,
        }
    }

    pub(crate) fn with_capacity(bytes: usize) -> Storage<'static> {
        let mut heap = vec![Chunk([0; CHUNK]); bytes.div_ceil(CHUNK)];
        heap.resize(heap.capacity(), Chunk([0; CHUNK]));
        let mut storage = Storage::new();
        storage.adopt_heap(heap);
        storage
    }

    /// Takes `heap` apart into the region. Every chunk up to its capacity must be
    /// initialised (its length must equal its capacity); the previous region must own
    /// nothing (see [`take_heap`](Self::take_heap)).
    fn adopt_heap(&mut self, heap: Vec<Chunk>) {
        debug_assert!(self.kind == Kind::Empty && self.cap == 0);
        assert_eq!(
            heap.len(),
            heap.capacity(),
            "every heap chunk is initialised"
        );
        let mut heap = ManuallyDrop::new(heap);
        // Ownership of the allocation moves into `ptr`/`cap`; `take_heap` (called on grow
        // and drop) rebuilds the `Vec` from them.
        self.ptr = NonNull::new(heap.as_mut_ptr())
            .unwrap_or(NonNull::dangling())
            .cast();
        self.cap = heap.len() * CHUNK;
        if self.cap != 0 {
            self.kind = Kind::Heap;
        }
    }

    /// Takes the heap allocation back as a `Vec` (empty if there is none), leaving an empty
    /// region that owns nothing.
    fn take_heap(&mut self) -> Vec<Chunk> {
        if self.kind != Kind::Heap {
            debug_assert!(self.kind == Kind::Empty);
            return Vec::new();
        }
        let chunks = self.cap / CHUNK;
        let ptr = self.ptr.as_ptr().cast::<Chunk>();
        self.ptr = NonNull::<Chunk>::dangling().cast();
        self.cap = 0;
        self.kind = Kind::Empty;
        // SAFETY: the type invariant: with `Kind::Heap`, `ptr` and `chunks`
        // are the raw parts of a `Vec<Chunk>` whose length equals its capacity, owned by
        // this value; the region is now empty, so ownership moves out exactly once.
        unsafe { Vec::from_raw_parts(ptr, chunks, chunks) }
    }

    /// Uses `buf` as storage, skipping the few bytes before its first aligned address, and
    /// zeroes it.
    ///
    /// Zeroing once here is what lets every later write and read skip tracking how much of
    /// the buffer was written. It costs a `memset` of the buffer, which a receive would
    /// need anyway (the kernel skips padding), and for the small, constant-size buffers
    /// that lending is for it is a few stores.
    #[inline]
    pub(crate) fn fixed(buf: &'s mut [MaybeUninit<u8>]) -> Storage<'s> {
        let skip = buf.as_ptr().align_offset(BUFFER_ALIGN).min(buf.len());
        let region = &mut buf[skip..];
        region.fill(MaybeUninit::new(0));
        let cap = region.len();
        Storage {
            ptr: NonNull::from(region).cast(),
            cap,
            kind: Kind::Fixed,
            _borrow: PhantomData,
        }
    }

    pub(crate) fn is_fixed(&self) -> bool {
        self.kind == Kind::Fixed
    }

    /// The usable size of the region, in bytes.
    #[inline]
    pub(crate) fn capacity(&self) -> usize {
        self.cap
    }

    /// The whole region.
    #[inline(always)]
    fn whole(&self) -> &[u8] {
        // SAFETY: `ptr` is valid for `cap` initialised bytes (type invariant); the slice
        // borrows `self`, so the region can neither be written nor reallocated while it
        // lives.
        unsafe { core::slice::from_raw_parts(self.ptr.as_ptr(), self.cap) }
    }

    /// The whole region, for the kernel or the caller to write into.
    #[inline(always)]
    pub(crate) fn whole_mut(&mut self) -> &mut [u8] {
        // SAFETY: as in `whole`, with the region borrowed exclusively through `self`.
        unsafe { core::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.cap) }
    }

    /// The first `len` bytes of the region.
    ///
    /// # Panics
    /// If `len` exceeds the capacity.
    #[cfg(test)]
    pub(crate) fn bytes(&self, len: usize) -> &[u8] {
        &self.whole()[..len]
    }

    /// The first `len` bytes of the region, without a check of `len`.
    ///
    /// # Safety
    /// `len` is at most the capacity.
    #[inline(always)]
    pub(crate) unsafe fn bytes_unchecked(&self, len: usize) -> &[u8] {
        // SAFETY: `len` is within the region (the caller's promise).
        unsafe { self.whole().get_unchecked(..len) }
    }

    /// The first `len` bytes of the region, mutably.
    ///
    /// # Panics
    /// If `len` exceeds the capacity.
    #[inline]
    pub(crate) fn bytes_mut(&mut self, len: usize) -> &mut [u8] {
        &mut self.whole_mut()[..len]
    }

    /// The `len` bytes from `at`, mutably, if the region holds them: the one capacity test
    /// of the common write, a whole message at the end of the buffer.
    #[inline(always)]
    pub(crate) fn get_mut(&mut self, at: usize, len: usize) -> Option<&mut [u8]> {
        let end = at.checked_add(len)?;
        self.whole_mut().get_mut(at..end)
    }

    /// The bytes `at..end` of the region, mutably: where a message is written.
    ///
    /// # Panics
    /// If `end` exceeds the capacity or `at` exceeds `end`.
    #[inline]
    pub(crate) fn range_mut(&mut self, at: usize, end: usize) -> &mut [u8] {
        &mut self.bytes_mut(end)[at..]
    }

    /// Makes room for at least `needed` bytes in all. `exact` asks for no more than that;
    /// otherwise heap storage grows geometrically, like `Vec::reserve`.
    #[inline]
    pub(crate) fn grow_to(&mut self, needed: usize, exact: bool) -> Result<(), GrowError> {
        if needed <= self.cap {
            return Ok(());
        }
        self.grow_slow(needed, exact)
    }

    #[cold]
    fn grow_slow(&mut self, needed: usize, exact: bool) -> Result<(), GrowError> {
        if self.kind == Kind::Fixed {
            return Err(GrowError::Fixed);
        }
        let mut heap = self.take_heap();
        let additional = needed.div_ceil(CHUNK) - heap.len();
        let result = if exact {
            heap.try_reserve_exact(additional)
        } else {
            heap.try_reserve(additional)
        };
        if let Err(err) = result {
            self.adopt_heap(heap);
            return Err(GrowError::Alloc(err));
        }
        // Use all of what the allocator gave: the capacity is already paid for.
        heap.resize(heap.capacity(), Chunk([0; CHUNK]));
        self.adopt_heap(heap);
        Ok(())
    }
}

impl Drop for Storage<'_> {
    #[inline]
    fn drop(&mut self) {
        if self.kind == Kind::Heap {
            // SAFETY: the type invariant: with `Kind::Heap`, this value owns
            // the heap allocation `ptr`/`cap`, and gives it up here, being dropped.
            unsafe { free_heap(self.ptr, self.cap) };
        }
    }
}

/// Frees a heap region. Out of line, and given the parts by value, so that dropping a
/// storage that owns no allocation (lent, or never grown) stays a test of two fields whose
/// owner need not be kept in memory.
///
/// # Safety
/// `ptr` and `cap` (a non-zero multiple of the chunk size) are the region of a
/// `Vec<Chunk>` whose length equals its capacity, owned by the caller, who gives it up.
#[inline(never)]
unsafe fn free_heap(ptr: NonNull<u8>, cap: usize) {
    let chunks = cap / CHUNK;
    // SAFETY: the raw parts of that `Vec` (this function's contract), rebuilt once.
    drop(unsafe { Vec::from_raw_parts(ptr.as_ptr().cast::<Chunk>(), chunks, chunks) });
}

impl fmt::Debug for Storage<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.is_fixed() { "fixed" } else { "heap" };
        f.debug_struct("Storage")
            .field("kind", &kind)
            .field("capacity", &self.cap)
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
        assert_eq!(storage.bytes(0), &[] as &[u8]);
        storage.grow_to(100, false).unwrap();
        assert!(storage.capacity() >= 100);
        storage.range_mut(0, 3).copy_from_slice(&[1, 2, 3]);
        assert_eq!(storage.bytes(3), &[1, 2, 3]);
        storage.grow_to(1000, true).unwrap();
        assert_eq!(storage.bytes(3), &[1, 2, 3], "growing keeps the bytes");
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

    #[test]
    fn lent_storage_reads_as_zeroes_and_writes_stay_inside() {
        let mut backing = [MaybeUninit::<u8>::uninit(); 40];
        let mut storage = Storage::fixed(&mut backing);
        let cap = storage.capacity();
        assert!(
            storage.bytes(cap).iter().all(|&b| b == 0),
            "zeroed on adoption"
        );
        storage.range_mut(0, 2).copy_from_slice(&[9, 9]);
        storage.range_mut(5, 6).copy_from_slice(&[1]);
        assert_eq!(storage.bytes(6), &[9, 9, 0, 0, 0, 1], "a gap reads as zero");
        let outside = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            storage.range_mut(cap, cap + 1).fill(1);
        }));
        assert!(outside.is_err(), "a write past the capacity is refused");
        let reversed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            storage.range_mut(4, 2).fill(1);
        }));
        assert!(reversed.is_err(), "a range must not end before it starts");
    }

    #[test]
    fn exact_growth_does_not_over_allocate() {
        let mut storage = Storage::with_capacity(16);
        assert_eq!(storage.capacity(), 16);
        storage.grow_to(116, true).unwrap();
        // Whole chunks of 8 bytes: 116 rounds up to 120, and no further.
        assert_eq!(storage.capacity(), 120);
    }
}
