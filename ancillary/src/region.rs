//! Where control-message bytes live: up to [`INLINE_CAPACITY`] bytes inside the value
//! itself, a growable heap allocation once those are outgrown, or a fixed buffer the caller
//! lends (for example a `[MaybeUninit<u8>; N]` on the stack).
//!
//! All kinds are reduced to one region, described by an address and a capacity, that
//! starts at [`BUFFER_ALIGN`] whatever the address of the memory behind it, so that the
//! kernel's `cmsghdr`s and payloads land aligned. The whole region is initialised from the
//! start (inline bytes and heap chunks are made zeroed, a lent buffer is zeroed once when
//! it is adopted), so the bytes exposed as `&[u8]` are always
//! initialised, even the padding the kernel skips when it writes, and no write has to
//! record how far it reached. This module is storage only: what the bytes mean, and how a
//! message is written into them, is `cmsg`'s. All raw-pointer access to the region is here.

use core::fmt;
use core::marker::PhantomData;
use core::mem::{ManuallyDrop, MaybeUninit};
use core::ptr::NonNull;
use std::collections::TryReserveError;

use crate::cmsg::BUFFER_ALIGN;

/// The unit of storage: 8 bytes aligned to 8, enough for every target's [`BUFFER_ALIGN`]
/// (checked below).
#[derive(Clone, Copy)]
#[repr(C, align(8))]
pub(crate) struct Chunk([u8; 8]);

const CHUNK: usize = size_of::<Chunk>();
const _: () = assert!(
    align_of::<Chunk>() >= BUFFER_ALIGN,
    "chunks must be aligned for cmsghdr"
);

/// How many bytes of messages a storage of its own holds without allocating: one message
/// of up to 12 descriptors, or the QUIC set of a datagram (a destination address, ECN, a
/// segment size) on IPv6.
pub(crate) const INLINE_CAPACITY: usize = 64;
const INLINE_CHUNKS: usize = INLINE_CAPACITY / CHUNK;
const _: () = assert!(INLINE_CHUNKS * CHUNK == INLINE_CAPACITY);

/// Why bytes could not be added to a storage.
#[derive(Debug)]
pub(crate) enum GrowError {
    /// The storage is a fixed buffer with less room than needed.
    Fixed,
    /// The allocator refused, or the size overflowed.
    Alloc(TryReserveError),
}

/// An aligned region of `cap` initialised bytes, in `inline` or at `ptr`.
///
/// Invariants:
/// * With [`Kind::Inline`], the region is the first `cap <= INLINE_CAPACITY` bytes of
///   `inline`; all of `inline` is initialised, and zero from `cap` on, so that growing
///   within it is raising `cap`. `ptr` is unused: the address is taken afresh on every
///   access, since the value may have moved since the last one.
/// * With [`Kind::Heap`], `cap > 0`, and `ptr` and `cap / CHUNK` are the pointer and the
///   capacity (equal to the length: every chunk is initialised) of a `Vec<Chunk>` that
///   this value owns, taken apart so that the value stays small.
/// * With [`Kind::Fixed`], `ptr` is aligned to [`BUFFER_ALIGN`] and valid for reads and
///   writes of `cap` initialised bytes (zeroed by [`Storage::fixed`]): the caller's buffer,
///   which `'s` keeps borrowed exclusively (or no bytes at all, [`Storage::none`]).
/// * Writes only store initialised bytes, and nothing else accesses that memory.
pub(crate) struct Storage<'s> {
    ptr: NonNull<u8>,
    cap: usize,
    kind: Kind,
    inline: [MaybeUninit<Chunk>; INLINE_CHUNKS],
    _borrow: PhantomData<&'s mut [MaybeUninit<u8>]>,
}

/// What a [`Storage`]'s region is: one field, so that dropping a storage that owns no
/// allocation is one test.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// The bytes inside the value: a storage of its own that has not outgrown them.
    Inline,
    /// A heap allocation this storage owns.
    Heap,
    /// A buffer the caller lends; it never grows.
    Fixed,
}

// SAFETY: `Storage` holds its bytes inline, owns its heap region (like a `Vec<u8>`) or
// borrows the caller's buffer exclusively (like a `&mut [MaybeUninit<u8>]`); all are `Send`
// and `Sync`, and the raw pointer is only a cached address into that same memory, never
// shared with anyone else.
unsafe impl Send for Storage<'_> {}
// SAFETY: as above: `&Storage` only allows reads of the region, like `&Vec<u8>`.
unsafe impl Sync for Storage<'_> {}

impl<'s> Storage<'s> {
    /// A storage of its own with no room yet: it grows into its [`INLINE_CAPACITY`] bytes
    /// inline, then onto the heap.
    #[inline]
    pub(crate) const fn new() -> Storage<'static> {
        Storage {
            ptr: NonNull::<Chunk>::dangling().cast(),
            cap: 0,
            kind: Kind::Inline,
            inline: [MaybeUninit::new(Chunk([0; CHUNK])); INLINE_CHUNKS],
            _borrow: PhantomData,
        }
    }

    /// Room for `bytes` rounded up to whole chunks: inline if that fits there, on the heap
    /// otherwise.
    #[inline]
    pub(crate) fn with_capacity(bytes: usize) -> Storage<'static> {
        let mut storage = Storage::new();
        if bytes <= INLINE_CAPACITY {
            storage.cap = bytes.div_ceil(CHUNK) * CHUNK;
        } else {
            storage.adopt_heap(zeroed_heap(bytes));
        }
        storage
    }

    /// No room, and none to grow into: for calls that carry no control data, which then
    /// set nothing up.
    #[inline]
    pub(crate) const fn none() -> Storage<'static> {
        Storage {
            ptr: NonNull::<Chunk>::dangling().cast(),
            cap: 0,
            kind: Kind::Fixed,
            inline: [MaybeUninit::uninit(); INLINE_CHUNKS],
            _borrow: PhantomData,
        }
    }

    /// Takes `heap` apart into the region. Every chunk up to its capacity must be
    /// initialised (its length must equal its capacity); the previous region must be empty
    /// and own nothing (see [`take_heap`](Self::take_heap)).
    fn adopt_heap(&mut self, heap: Vec<Chunk>) {
        debug_assert!(self.kind == Kind::Inline && self.cap == 0);
        assert_eq!(
            heap.len(),
            heap.capacity(),
            "every heap chunk is initialised"
        );
        if heap.is_empty() {
            return;
        }
        let mut heap = ManuallyDrop::new(heap);
        // Ownership of the allocation moves into `ptr`/`cap`; `take_heap` (called on grow)
        // and `drop` give it back.
        self.ptr = NonNull::from(&mut heap[..]).cast();
        self.cap = heap.len() * CHUNK;
        self.kind = Kind::Heap;
    }

    /// Takes the heap allocation back as a `Vec`, leaving an empty inline region that owns
    /// nothing.
    fn take_heap(&mut self) -> Vec<Chunk> {
        debug_assert!(self.kind == Kind::Heap);
        let chunks = self.cap / CHUNK;
        let ptr = self.ptr.as_ptr().cast::<Chunk>();
        self.ptr = NonNull::<Chunk>::dangling().cast();
        self.cap = 0;
        self.kind = Kind::Inline;
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
            inline: [MaybeUninit::uninit(); INLINE_CHUNKS],
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
        let ptr = if self.kind == Kind::Inline {
            self.inline.as_ptr().cast::<u8>()
        } else {
            self.ptr.as_ptr().cast_const()
        };
        // SAFETY: `ptr` is valid for `cap` initialised bytes (type invariant: inline, the
        // address just taken); the slice borrows `self`, so the region can neither be
        // written, moved nor reallocated while it lives.
        unsafe { core::slice::from_raw_parts(ptr, self.cap) }
    }

    /// The whole region, for the kernel or the caller to write into.
    #[inline(always)]
    pub(crate) fn whole_mut(&mut self) -> &mut [u8] {
        let ptr = if self.kind == Kind::Inline {
            self.inline.as_mut_ptr().cast::<u8>()
        } else {
            self.ptr.as_ptr()
        };
        // SAFETY: as in `whole`, with the region borrowed exclusively through `self`.
        unsafe { core::slice::from_raw_parts_mut(ptr, self.cap) }
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

    /// The `len` bytes from `at`, mutably, if the region holds them or inline storage can
    /// grow to hold them: the one capacity test of the common write, a whole message at the
    /// end of the buffer.
    #[inline(always)]
    pub(crate) fn get_mut(&mut self, at: usize, len: usize) -> Option<&mut [u8]> {
        let end = at.checked_add(len)?;
        if end > self.cap {
            if self.kind != Kind::Inline || end > INLINE_CAPACITY {
                return None;
            }
            // The first write into a new buffer: it takes all of its inline room, zero
            // already (type invariant).
            self.cap = INLINE_CAPACITY;
        }
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

    /// Makes room for at least `needed` bytes in all. `exact` asks for no more than that
    /// (rounded up to whole chunks); otherwise the storage grows geometrically, like
    /// `Vec::reserve`, and inline storage takes all of its inline room at once.
    #[inline]
    pub(crate) fn grow_to(&mut self, needed: usize, exact: bool) -> Result<(), GrowError> {
        if needed <= self.cap {
            return Ok(());
        }
        self.grow_slow(needed, exact)
    }

    #[cold]
    fn grow_slow(&mut self, needed: usize, exact: bool) -> Result<(), GrowError> {
        match self.kind {
            Kind::Fixed => Err(GrowError::Fixed),
            Kind::Inline if needed <= INLINE_CAPACITY => {
                // The bytes up to there are zero already (type invariant).
                self.cap = if exact {
                    needed.div_ceil(CHUNK) * CHUNK
                } else {
                    INLINE_CAPACITY
                };
                Ok(())
            }
            Kind::Inline => self.spill(needed, exact),
            Kind::Heap => {
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
    }

    /// Moves the inline bytes to a heap allocation of at least `needed` bytes. On failure
    /// the storage stays as it was, bytes and all.
    fn spill(&mut self, needed: usize, exact: bool) -> Result<(), GrowError> {
        let chunks = needed.div_ceil(CHUNK);
        let mut heap: Vec<Chunk> = Vec::new();
        let result = if exact {
            heap.try_reserve_exact(chunks)
        } else {
            heap.try_reserve(chunks.max(2 * INLINE_CHUNKS))
        };
        result.map_err(GrowError::Alloc)?;
        heap.extend(self.whole().chunks_exact(CHUNK).map(|bytes| {
            let mut chunk = Chunk([0; CHUNK]);
            chunk.0.copy_from_slice(bytes);
            chunk
        }));
        heap.resize(heap.capacity(), Chunk([0; CHUNK]));
        self.cap = 0;
        self.adopt_heap(heap);
        Ok(())
    }
}

/// `bytes` rounded up to whole chunks, zeroed, on the heap; the length equals the
/// capacity.
fn zeroed_heap(bytes: usize) -> Vec<Chunk> {
    let mut heap = vec![Chunk([0; CHUNK]); bytes.div_ceil(CHUNK)];
    heap.resize(heap.capacity(), Chunk([0; CHUNK]));
    heap
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
        let kind = match self.kind {
            Kind::Inline => "inline",
            Kind::Fixed => "fixed",
            Kind::Heap => "heap",
        };
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
    fn new_storage_grows_inline_then_spills_to_the_heap_with_its_bytes() {
        let mut storage = Storage::new();
        assert_eq!(storage.capacity(), 0, "no room until some is asked for");
        storage.grow_to(3, true).unwrap();
        assert_eq!(storage.capacity(), CHUNK, "exact: one chunk");
        assert_eq!(storage.kind, Kind::Inline);
        storage.range_mut(0, 3).copy_from_slice(&[1, 2, 3]);
        storage.grow_to(CHUNK + 1, false).unwrap();
        assert_eq!(
            storage.capacity(),
            INLINE_CAPACITY,
            "all the inline room at once"
        );
        assert_eq!(storage.bytes(CHUNK), &[1, 2, 3, 0, 0, 0, 0, 0]);
        assert!(storage.bytes(INLINE_CAPACITY)[CHUNK..]
            .iter()
            .all(|&b| b == 0));
        storage
            .range_mut(INLINE_CAPACITY - 1, INLINE_CAPACITY)
            .fill(9);
        // A move keeps the bytes: the inline address is taken on each access.
        let moved = Box::new(storage);
        let mut storage = *moved;
        assert_eq!(storage.bytes(3), &[1, 2, 3]);
        assert_eq!(storage.whole_mut().as_ptr().align_offset(BUFFER_ALIGN), 0);
        storage.grow_to(100, false).unwrap();
        assert_eq!(storage.kind, Kind::Heap);
        assert!(storage.capacity() >= 100);
        assert_eq!(storage.bytes(3), &[1, 2, 3], "spilling keeps the bytes");
        assert_eq!(storage.bytes(INLINE_CAPACITY)[INLINE_CAPACITY - 1], 9);
        assert!(storage.whole()[INLINE_CAPACITY..].iter().all(|&b| b == 0));
        storage.grow_to(1000, true).unwrap();
        assert_eq!(storage.bytes(3), &[1, 2, 3], "growing keeps the bytes");
        assert_eq!(storage.whole_mut().as_ptr().align_offset(BUFFER_ALIGN), 0);
    }

    #[test]
    fn with_capacity_is_inline_and_exact_up_to_the_inline_capacity() {
        for (asked, cap) in [(0, 0), (1, 8), (16, 16), (17, 24), (INLINE_CAPACITY, 64)] {
            let storage = Storage::with_capacity(asked);
            assert_eq!(storage.kind, Kind::Inline);
            assert_eq!(storage.capacity(), cap);
            assert!(storage.whole().iter().all(|&b| b == 0));
        }
        let heap = Storage::with_capacity(INLINE_CAPACITY + 1);
        assert_eq!(heap.kind, Kind::Heap);
        assert_eq!(heap.capacity(), INLINE_CAPACITY + CHUNK);
    }

    /// A write that fits the room a storage was given keeps that room: only a write past it
    /// takes the rest of the inline bytes.
    #[test]
    fn a_write_within_the_room_keeps_the_capacity() {
        for (cap, end) in [(24, 24), (32, 24)] {
            let mut storage = Storage::with_capacity(cap);
            storage.get_mut(0, end).unwrap().fill(1);
            assert_eq!(storage.capacity(), cap);
            assert_eq!(storage.bytes(end), vec![1; end]);
        }
        let mut storage = Storage::with_capacity(24);
        storage.get_mut(16, 16).unwrap().fill(2);
        assert_eq!(
            storage.capacity(),
            INLINE_CAPACITY,
            "past the room: all of it"
        );
        assert!(
            storage.get_mut(INLINE_CAPACITY - 8, 16).is_none(),
            "past the inline bytes"
        );
    }

    /// Growing out of the inline bytes at least doubles the room, as `Vec` grows, so that
    /// pushing message after message moves the bytes a few times only.
    #[test]
    fn a_spill_at_least_doubles_the_room() {
        let mut storage = Storage::new();
        storage.grow_to(INLINE_CAPACITY + 1, false).unwrap();
        assert!(storage.capacity() >= 2 * INLINE_CAPACITY);
    }

    #[test]
    fn an_exact_spill_does_not_over_allocate() {
        let mut storage = Storage::with_capacity(24);
        storage.range_mut(20, 24).fill(7);
        storage.grow_to(116, true).unwrap();
        assert_eq!(storage.capacity(), 120, "whole chunks of 8 bytes");
        assert_eq!(storage.bytes(24)[20..], [7; 4]);
        assert!(storage.whole()[24..].iter().all(|&b| b == 0));
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
        let mut storage = Storage::with_capacity(INLINE_CAPACITY + 8);
        assert_eq!(storage.capacity(), INLINE_CAPACITY + 8);
        storage.grow_to(116, true).unwrap();
        // Whole chunks of 8 bytes: 116 rounds up to 120, and no further.
        assert_eq!(storage.capacity(), 120);
    }
}
