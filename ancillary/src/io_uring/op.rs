//! The operation life cycle that the single-shot send and receive share: leak the state,
//! fill its `msghdr` through `sys`, build the entry from it, and give it back on completion.

use core::ptr::NonNull;
use std::io;

use crate::sys;

/// What an operation keeps for the kernel, in one heap allocation: the `msghdr` its entry
/// points at, the entry's flags, and the parts the `msghdr` points into (buffers, control
/// data, an address), none of which is moved, grown or touched until the completion.
pub(super) struct State<P> {
    pub(super) msg: libc::msghdr,
    /// The `iovec`s of the buffers in `parts`.
    pub(super) iovecs: Vec<libc::iovec>,
    pub(super) flags: i32,
    pub(super) parts: P,
}

/// A prepared operation: its [`State`], leaked so that the kernel may use it until the
/// completion, and given back only by [`finish`](Self::finish). Dropped before then, it
/// leaks the state: nothing frees memory the kernel may still read or write.
pub(super) struct Op<P> {
    /// From `Box::leak`; owned by this value, freed only by `finish`.
    state: NonNull<State<P>>,
}

// SAFETY: the state is `Send` parts and the plain C structs (`msghdr`, `iovec`s) whose
// pointers point into them; an `Op` gives no shared access to it, so moving it to another
// thread is like moving a `Box` of the parts.
unsafe impl<P: Send> Send for Op<P> {}

impl<P> Op<P> {
    /// Moves `parts` into one heap allocation, then lets `fill` point the `msghdr` at them.
    ///
    /// # Errors
    /// `fill`'s (the state is freed then: no entry exists for it).
    pub(super) fn new(
        parts: P,
        buffers: usize,
        flags: i32,
        fill: impl FnOnce(&mut libc::msghdr, &mut Vec<libc::iovec>, &mut P) -> io::Result<()>,
    ) -> io::Result<Op<P>> {
        let state = Box::new(State {
            msg: sys::uring_msghdr(),
            iovecs: Vec::with_capacity(buffers),
            flags,
            parts,
        });
        // Leaked first, so that the pointers `fill` takes derive from the allocation's
        // final, unmoved place.
        let op = Op {
            state: NonNull::from(Box::leak(state)),
        };
        // SAFETY: the allocation is live and owned by `op`, which is not used while this
        // borrow lasts; no entry for it exists yet.
        let State {
            msg, iovecs, parts, ..
        } = unsafe { &mut *op.state.as_ptr() };
        match fill(msg, iovecs, parts) {
            Ok(()) => Ok(op),
            Err(err) => {
                // SAFETY: never submitted: the kernel never saw the state.
                drop(unsafe { op.finish() });
                Err(err)
            }
        }
    }

    /// The `user_data` of the entry: the state's address, unique among the operations
    /// alive in this process.
    pub(super) fn user_data(&self) -> u64 {
        self.state.as_ptr() as usize as u64
    }

    /// The `msghdr` for the entry, and its flags.
    pub(super) fn msg_and_flags(&self) -> (*mut libc::msghdr, u32) {
        // SAFETY: `state` is the live allocation this value owns; only a shared read of two
        // fields, while nothing else accesses them.
        let (msg, flags) = unsafe {
            let state = self.state.as_ptr();
            (&raw mut (*state).msg, (*state).flags)
        };
        (msg, flags as u32)
    }

    /// Frees the state, giving it back.
    ///
    /// # Safety
    /// The kernel is done with it: its entry was submitted and has completed, or was never
    /// submitted.
    pub(super) unsafe fn finish(self) -> Box<State<P>> {
        // SAFETY: the allocation came from `Box::leak` and is owned by `self` alone, which
        // this consumes; the kernel is done with it (the caller's promise).
        unsafe { Box::from_raw(self.state.as_ptr()) }
    }
}

impl<P> Drop for Op<P> {
    fn drop(&mut self) {
        // Not finished: the kernel may still use the state, so it is leaked.
    }
}

/// The result of a completion: the count, or the error of a negated `errno`.
pub(super) fn outcome(result: i32) -> io::Result<usize> {
    if result < 0 {
        Err(io::Error::from_raw_os_error(-result))
    } else {
        Ok(result as usize)
    }
}
