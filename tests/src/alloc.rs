//! The counting global allocator of the no-allocation tests and benchmarks, which can
//! also refuse large allocations on one thread.

/// A global allocator that counts allocations, for the tests that prove "no allocation per
/// message". Install it in a test binary with
/// `#[global_allocator] static GLOBAL: tests::CountingAlloc = tests::CountingAlloc;`, then
/// measure with [`allocations_in`] (or [`heap_bytes_kept_by`]). Only the measuring thread's
/// allocations are counted as its own; allocations of other threads meanwhile (libtest's
/// main thread does some bookkeeping) are counted apart, in [`other_thread_allocations`].
/// It can also fail large allocations on one thread: [`with_allocations_refused_from`].
#[derive(Debug)]
pub struct CountingAlloc;

static COUNTING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
static ALLOCATIONS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static OTHER_THREADS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
/// Bytes the measured thread allocated minus the bytes it freed, while counting.
static KEPT_BYTES: std::sync::atomic::AtomicIsize = std::sync::atomic::AtomicIsize::new(0);

thread_local! {
    /// Whether this thread is the one being measured. `const`-initialised and without a
    /// destructor, so reading it never allocates.
    static MEASURED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Allocations of this many bytes or more fail on this thread (see
    /// [`with_allocations_refused_from`]).
    static REFUSE_FROM: std::cell::Cell<usize> = const { std::cell::Cell::new(usize::MAX) };
}

/// Whether an allocation of `size` bytes on this thread is to fail.
fn refused(size: usize) -> bool {
    REFUSE_FROM
        .try_with(std::cell::Cell::get)
        .is_ok_and(|limit| size >= limit)
}

/// Runs `f` with every allocation of `bytes` or more on this thread failing (the allocator
/// returns null, as it does when memory is exhausted), in a binary that installed
/// [`CountingAlloc`]. Other threads allocate as usual.
pub fn with_allocations_refused_from<R>(bytes: usize, f: impl FnOnce() -> R) -> R {
    REFUSE_FROM.with(|limit| limit.set(bytes));
    let result = f();
    REFUSE_FROM.with(|limit| limit.set(usize::MAX));
    result
}

fn count_allocation(bytes: isize) {
    use std::sync::atomic::Ordering;
    if COUNTING.load(Ordering::Relaxed) {
        if MEASURED.try_with(std::cell::Cell::get).unwrap_or(false) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            KEPT_BYTES.fetch_add(bytes, Ordering::Relaxed);
        } else {
            OTHER_THREADS.fetch_add(1, Ordering::Relaxed);
        }
    }
}

fn count_free(bytes: usize) {
    use std::sync::atomic::Ordering;
    if COUNTING.load(Ordering::Relaxed) && MEASURED.try_with(std::cell::Cell::get).unwrap_or(false)
    {
        KEPT_BYTES.fetch_sub(bytes as isize, Ordering::Relaxed);
    }
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so
// `System`'s guarantees are ours, or (a refused size) returns null, which `GlobalAlloc`
// allows to mean failure, leaving a `realloc`'s old block untouched; counting touches only
// atomics and thread-local `Cell`s.
unsafe impl std::alloc::GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        if refused(layout.size()) {
            return std::ptr::null_mut();
        }
        count_allocation(layout.size() as isize);
        // SAFETY: forwarded with the caller's guarantees about `layout`.
        unsafe { std::alloc::System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        if refused(layout.size()) {
            return std::ptr::null_mut();
        }
        count_allocation(layout.size() as isize);
        // SAFETY: as above.
        unsafe { std::alloc::System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        // A failed `realloc` leaves the old block as it was, as `GlobalAlloc` allows.
        if refused(new_size) {
            return std::ptr::null_mut();
        }
        count_allocation(new_size as isize - layout.size() as isize);
        // SAFETY: `ptr` was allocated by `System` through this allocator with `layout`.
        unsafe { std::alloc::System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        count_free(layout.size());
        // SAFETY: `ptr` was allocated by `System` through this allocator with `layout`.
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }
}

/// Runs `f` and returns how many allocations this thread made meanwhile (0 unless the
/// binary installed [`CountingAlloc`]).
pub fn allocations_in(f: impl FnOnce()) -> usize {
    use std::sync::atomic::Ordering;
    MEASURED.with(|m| m.set(true));
    ALLOCATIONS.store(0, Ordering::SeqCst);
    COUNTING.store(true, Ordering::SeqCst);
    f();
    COUNTING.store(false, Ordering::SeqCst);
    MEASURED.with(|m| m.set(false));
    ALLOCATIONS.load(Ordering::SeqCst)
}

/// Runs `f` and returns the bytes this thread allocated meanwhile minus those it freed: 0
/// when everything `f` allocated was given back (0 too unless the binary installed
/// [`CountingAlloc`]).
pub fn heap_bytes_kept_by(f: impl FnOnce()) -> isize {
    use std::sync::atomic::Ordering;
    KEPT_BYTES.store(0, Ordering::SeqCst);
    allocations_in(f);
    KEPT_BYTES.load(Ordering::SeqCst)
}

/// Allocations of other threads during all [`allocations_in`] calls so far.
pub fn other_thread_allocations() -> usize {
    OTHER_THREADS.load(std::sync::atomic::Ordering::SeqCst)
}
