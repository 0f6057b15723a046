//! io_uring: a ring, or the reason there is none, and submitting entries and collecting
//! their completions.

use std::time::Duration;

use io_uring::{cqueue, squeue, types, IoUring};

/// A ring of `entries` entries, or `None` after printing `skipped:` when this kernel or
/// sandbox refuses io_uring (`EPERM`, `ENOSYS`: seccomp, `io_uring_disabled`, qemu-user).
///
/// # Panics
/// On any other setup error.
pub fn ring_or_skip(entries: u32) -> Option<IoUring> {
    match IoUring::new(entries) {
        Ok(ring) => Some(ring),
        Err(err) if matches!(err.raw_os_error(), Some(libc::EPERM | libc::ENOSYS)) => {
            crate::skipped("the whole test", &format!("io_uring_setup: {err}"));
            None
        }
        Err(err) => panic!("io_uring_setup: {err}"),
    }
}

/// One completion: its `user_data`, result and flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Completion {
    /// The `user_data` of the entry.
    pub user_data: u64,
    /// The byte count or the negated `errno`.
    pub result: i32,
    /// The `IORING_CQE_F_*` flags (and a provided buffer's id in the top 16 bits).
    pub flags: u32,
}

/// Pushes `entries` onto the submission queue and submits them.
///
/// # Safety
/// As for `io_uring::SubmissionQueue::push`: every pointer in the entries stays valid for
/// its operation.
///
/// # Panics
/// If the queue is full or the submission fails.
pub unsafe fn submit(ring: &mut IoUring, entries: &[squeue::Entry]) {
    // SAFETY: the caller's promise, passed on.
    unsafe { ring.submission().push_multiple(entries) }.expect("submission queue full");
    ring.submit().expect("io_uring_enter");
}

/// Waits for `n` completions (at most 10 s in all) and returns them in arrival order.
///
/// # Panics
/// If they do not all arrive in time.
pub fn wait_for(ring: &mut IoUring, n: usize) -> Vec<Completion> {
    let mut got = Vec::new();
    let timeout = types::Timespec::from(Duration::from_secs(10));
    while got.len() < n {
        let args = types::SubmitArgs::new().timespec(&timeout);
        match ring.submitter().submit_with_args(1, &args) {
            Ok(_) => {}
            Err(err) if err.raw_os_error() == Some(libc::ETIME) => {
                panic!("waited 10 s for {n} completions, got {got:?}")
            }
            Err(err) if err.raw_os_error() == Some(libc::EINTR) => {}
            Err(err) => panic!("io_uring_enter: {err}"),
        }
        got.extend(ring.completion().map(|cqe: cqueue::Entry| Completion {
            user_data: cqe.user_data(),
            result: cqe.result(),
            flags: cqe.flags(),
        }));
    }
    got
}
