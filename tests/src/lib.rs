//! Shared helpers for the integration tests.
//!
//! Everything here is written against the public API of `ancillary` and plain `libc`, as
//! a downstream crate would use them.

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use ancillary::{
    AncillaryData, ControlMessages, MessageReceiver, MessageSender, RecvMessage, RecvOptions,
    RecvResult, SendMessage,
};

static FD_LOCK: Mutex<()> = Mutex::new(());

/// Serialises the tests of one binary that count open descriptors or probe descriptor
/// numbers: the test harness runs tests on parallel threads of one process, and any test
/// that opens or closes a descriptor changes `/proc/self/fd` and reuses numbers. In a
/// binary that counts descriptors, every test takes this lock first.
pub fn fd_lock() -> MutexGuard<'static, ()> {
    // A test that failed while holding the lock poisons it; the next one may still run.
    FD_LOCK
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The number of descriptors open in this process (entries of `/proc/self/fd`).
///
/// The directory stream itself holds a descriptor while it is read, so the number is one
/// more than the descriptors open before the call; that is the same on every call, so
/// differences between two calls are exact.
pub fn open_fd_count() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .expect("read /proc/self/fd")
        .count()
}

/// Whether `fd` is an open descriptor of this process (`fcntl(F_GETFD)` succeeds), and
/// `false` when it fails with `EBADF`.
///
/// # Panics
/// If `fcntl` fails with any other error.
pub fn is_open(fd: RawFd) -> bool {
    // SAFETY: F_GETFD only reads the descriptor flags of a descriptor number; on a number
    // that is not open it fails with EBADF and touches nothing.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
    if flags >= 0 {
        return true;
    }
    let err = io::Error::last_os_error();
    assert_eq!(err.raw_os_error(), Some(libc::EBADF), "fcntl({fd}): {err}");
    false
}

/// Whether the descriptor has `FD_CLOEXEC` set.
pub fn is_cloexec(fd: BorrowedFd<'_>) -> bool {
    // SAFETY: F_GETFD only reads the descriptor flags of a descriptor we borrow.
    let flags = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFD) };
    assert!(flags >= 0, "fcntl(F_GETFD): {}", io::Error::last_os_error());
    flags & libc::FD_CLOEXEC != 0
}

/// The identity of the open file behind a descriptor: `(st_dev, st_ino)` from `fstat`.
/// Two descriptors with the same identity refer to the same file.
pub fn file_id(fd: BorrowedFd<'_>) -> (u64, u64) {
    // SAFETY: `stat` is plain integers; all zeroes is a valid value.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: `fd` is borrowed, so open; `st` is a valid, exclusively borrowed `stat`.
    let rc = unsafe { libc::fstat(fd.as_raw_fd(), &mut st) };
    assert_eq!(rc, 0, "fstat: {}", io::Error::last_os_error());
    #[allow(clippy::unnecessary_cast, reason = "the field types differ per target")]
    (st.st_dev as u64, st.st_ino as u64)
}

/// `n` descriptors, each of a different open file (sockets of `socketpair`s, each with
/// its own inode), so that a mix-up between them shows in [`file_id`].
pub fn distinct_fds(n: usize) -> Vec<OwnedFd> {
    let mut fds = Vec::with_capacity(n + 1);
    while fds.len() < n {
        let (a, b) = UnixStream::pair().expect("socketpair");
        fds.push(OwnedFd::from(a));
        fds.push(OwnedFd::from(b));
    }
    fds.truncate(n);
    fds
}

/// Borrows every descriptor of a slice, for `add_file_descriptors`.
pub fn borrow_all(fds: &[OwnedFd]) -> Vec<BorrowedFd<'_>> {
    fds.iter().map(AsFd::as_fd).collect()
}

/// The file identities of a slice of descriptors.
pub fn file_ids<F: AsFd>(fds: &[F]) -> Vec<(u64, u64)> {
    fds.iter().map(|fd| file_id(fd.as_fd())).collect()
}

/// Sends `data` with the descriptors `fds` in one `SCM_RIGHTS` message.
///
/// # Errors
/// The send's error.
pub fn send_fds<S: SendMessage>(
    socket: &S,
    data: &[u8],
    fds: &[BorrowedFd<'_>],
) -> io::Result<usize> {
    let mut ancillary = AncillaryData::new();
    ancillary.add_file_descriptors(fds);
    MessageSender::new(socket, data)
        .ancillary_data(&mut ancillary)
        .send()
}

/// Receives one message into `buf` and `ancillary` with `options`.
///
/// # Errors
/// The receive's error.
pub fn recv_into<S: RecvMessage>(
    socket: &S,
    buf: &mut [u8],
    ancillary: &mut AncillaryData<'_>,
    options: RecvOptions,
) -> io::Result<(usize, RecvResult)> {
    MessageReceiver::new(socket, buf)
        .ancillary_data(ancillary)
        .options(options)
        .recv()
}

/// The raw descriptor numbers in the `SCM_RIGHTS` messages of a buffer, parsed by hand
/// from the payload bytes (native-endian `c_int`s).
pub fn raw_rights(messages: &ControlMessages) -> Vec<RawFd> {
    messages
        .iter()
        .filter(|m| m.cmsg_level() == libc::SOL_SOCKET && m.cmsg_type() == libc::SCM_RIGHTS)
        .flat_map(|m| {
            m.data()
                .chunks_exact(size_of::<libc::c_int>())
                .map(|chunk| libc::c_int::from_ne_bytes(chunk.try_into().expect("4 bytes")))
        })
        .collect()
}

/// A fresh, empty directory under the system's temporary directory, removed on drop.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// Creates a directory whose name includes `tag`, the process id and a counter.
    ///
    /// # Panics
    /// If the directory cannot be created.
    pub fn new(tag: &str) -> TempDir {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("ancillary-tests-{tag}-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    /// The directory's path.
    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A file in `dir` holding `contents`, opened for reading.
///
/// # Panics
/// If it cannot be written or opened.
pub fn file_with(dir: &TempDir, name: &str, contents: &[u8]) -> std::fs::File {
    let path = dir.path().join(name);
    std::fs::write(&path, contents).expect("write temp file");
    std::fs::File::open(&path).expect("open temp file")
}

/// Sends `fds` over a fresh `UnixStream` pair and receives them into heap storage with
/// room for `room` descriptors: the common setup of tests about received descriptors.
///
/// # Panics
/// If the send or receive fails.
pub fn deliver(fds: &[BorrowedFd<'_>], room: usize) -> (AncillaryData<'static>, RecvResult) {
    let (a, b) = UnixStream::pair().expect("socketpair");
    send_fds(&a, b"x", fds).expect("send");
    let mut ancillary = AncillaryData::with_capacity(AncillaryData::space_for_fds(room));
    let (_, result) =
        recv_into(&b, &mut [0; 1], &mut ancillary, RecvOptions::new()).expect("receive");
    (ancillary, result)
}

/// Sets `SO_PASSCRED` on a Unix socket: every message it receives then carries the
/// sender's `SCM_CREDENTIALS`. Linux only.
///
/// # Panics
/// If `setsockopt` fails.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub fn set_passcred(socket: impl AsFd) {
    set_int_option(socket, libc::SOL_SOCKET, libc::SO_PASSCRED, 1);
}

/// Sets a socket option whose value is one `c_int` (`SO_PASSCRED`, `IP_RECVTTL`, ...).
///
/// # Panics
/// If `setsockopt` fails.
pub fn set_int_option(
    socket: impl AsFd,
    level: libc::c_int,
    name: libc::c_int,
    value: libc::c_int,
) {
    // SAFETY: the option reads one `c_int` from `value`, which lives across the call.
    let rc = unsafe {
        libc::setsockopt(
            socket.as_fd().as_raw_fd(),
            level,
            name,
            std::ptr::from_ref(&value).cast(),
            size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    assert_eq!(
        rc,
        0,
        "setsockopt({level}, {name}): {}",
        io::Error::last_os_error()
    );
}

// ----- qemu-user -----------------------------------------------------------------------

/// Whether the tests run under qemu-user emulation: CI sets `ANCILLARY_UNDER_QEMU` (to the
/// runner command) for the i686 and s390x test runs.
///
/// qemu-user translates each system call for the host kernel, and gets some of what these
/// tests check wrong (the `QEMU_*` reasons below). A test skips exactly the checks that
/// depend on such a gap, only under qemu, and says so with [`skipped`]; natively every
/// check runs.
pub fn under_qemu() -> bool {
    std::env::var_os("ANCILLARY_UNDER_QEMU").is_some_and(|runner| !runner.is_empty())
}

/// Whether the tests run under qemu-user for a big-endian target on a little-endian host
/// (s390x on x86_64): see [`QEMU_CROSS_ENDIAN_CMSG`].
pub fn under_qemu_cross_endian() -> bool {
    under_qemu() && cfg!(target_endian = "big")
}

/// Prints why a test (or part of one) did not run: `skipped: <test>: <what>: <reason>`,
/// the test named after the harness's thread. CI counts these lines.
pub fn skipped(what: &str, reason: &str) {
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("?");
    println!("skipped: {test}: {what}: {reason}");
}

/// qemu-user loses `MSG_CTRUNC`: it gives the host kernel a larger control buffer than the
/// guest's and then overwrites `msg_flags`, so a receive that the guest's buffer cut short
/// is not flagged, and more descriptors may be installed than fit (qemu closes none).
pub const QEMU_LOSES_CTRUNC: &str = "qemu-user does not report MSG_CTRUNC (it gives the host \
     kernel a larger control buffer and overwrites msg_flags)";

/// qemu-user copies the send-side control messages it has no conversion for byte for byte,
/// so on a big-endian guest their integers reach the little-endian host kernel
/// byte-swapped (`IP_TTL`/`IP_TOS` are refused with `EINVAL`, `UDP_SEGMENT` gets a wrong
/// size).
pub const QEMU_CROSS_ENDIAN_CMSG: &str = "qemu-user passes send-side control messages it \
     does not convert (IP_TTL, IP_TOS, UDP_SEGMENT) to the little-endian host kernel \
     unswapped from this big-endian guest";

/// Whether the tests run under qemu-user for i686, which leaves the offender address of
/// `IP_RECVERR`/`IPV6_RECVERR` messages zeroed: see [`QEMU_I386_RECVERR_OFFENDER`].
pub fn under_qemu_i386() -> bool {
    under_qemu() && cfg!(target_arch = "x86")
}

/// qemu-user for i686 converts the `sock_extended_err` of an `IP_RECVERR`/`IPV6_RECVERR`
/// message field by field but leaves the offender address after it zeroed (family 0),
/// although the host kernel filled it in (the same binary's bytes show it; qemu-s390x and
/// native runs get it).
pub const QEMU_I386_RECVERR_OFFENDER: &str = "qemu-i386 leaves the offender address of \
     IP_RECVERR/IPV6_RECVERR messages zeroed";

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
