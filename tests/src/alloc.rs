//! The counting global allocator of the no-allocation tests and benchmarks.

/// A global allocator that counts allocations, for the tests that prove "no allocation per
/// message". Install it in a test binary with
/// `#[global_allocator] static GLOBAL: tests::CountingAlloc = tests::CountingAlloc;`, then
/// measure with [`allocations_in`]. Only the measuring thread's allocations are counted as
/// its own; allocations of other threads meanwhile (libtest's main thread does some
/// bookkeeping) are counted apart, in [`other_thread_allocations`].
#[derive(Debug)]
pub struct CountingAlloc;

static COUNTING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
static ALLOCATIONS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static OTHER_THREADS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

thread_local! {
    /// Whether this thread is the one being measured. `const`-initialised and without a
    /// destructor, so reading it never allocates.
    static MEASURED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn count_allocation() {
    use std::sync::atomic::Ordering;
    if COUNTING.load(Ordering::Relaxed) {
        if MEASURED.try_with(std::cell::Cell::get).unwrap_or(false) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        } else {
            OTHER_THREADS.fetch_add(1, Ordering::Relaxed);
        }
    }
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so
// `System`'s guarantees are ours; counting touches only atomics and a thread-local `Cell`.
unsafe impl std::alloc::GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        count_allocation();
        // SAFETY: forwarded with the caller's guarantees about `layout`.
        unsafe { std::alloc::System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        count_allocation();
        // SAFETY: as above.
        unsafe { std::alloc::System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        count_allocation();
        // SAFETY: `ptr` was allocated by `System` through this allocator with `layout`.
        unsafe { std::alloc::System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
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

/// Allocations of other threads during all [`allocations_in`] calls so far.
pub fn other_thread_allocations() -> usize {
    OTHER_THREADS.load(std::sync::atomic::Ordering::SeqCst)
}
