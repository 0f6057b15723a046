//! Descriptors: counting and probing this process's descriptors, making distinct ones, and
//! comparing the files behind them.

use std::io::{self, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::net::UnixStream;
use std::sync::{Mutex, MutexGuard};

use ancillary::ControlMessages;

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

/// `n` socket pairs: one end of each to send, and the other to probe it with. A write to a
/// probe fails with `EPIPE` once every descriptor of its peer is closed, which no reuse of
/// the descriptor number by another test can fake.
///
/// # Panics
/// If `socketpair` fails.
pub fn probed_fds(n: usize) -> (Vec<OwnedFd>, Vec<UnixStream>) {
    (0..n)
        .map(|_| {
            let (sent, probe) = UnixStream::pair().expect("socketpair");
            (OwnedFd::from(sent), probe)
        })
        .unzip()
}

/// Whether the peer of `probe` is still open somewhere (a write fails with `EPIPE` once it
/// is not; Rust programs ignore `SIGPIPE`).
///
/// # Panics
/// If the write fails otherwise, or the probe's buffer is full.
pub fn peer_open(probe: &UnixStream) -> bool {
    match (&*probe).write(b"x") {
        Ok(1) => true,
        Err(err) if err.raw_os_error() == Some(libc::EPIPE) => false,
        other => panic!("write to a probe: {other:?}"),
    }
}

/// `n` pipes: the read end of each, to send or to own, and the write end to probe it with.
/// Like [`probed_fds`], but with `write(2)` on a pipe, which Miri runs on every target
/// (its socket pairs neither take `send` nor, on FreeBSD, std's `socketpair` flags).
///
/// # Panics
/// If `pipe` fails.
pub fn piped_fds(n: usize) -> (Vec<OwnedFd>, Vec<std::fs::File>) {
    (0..n)
        .map(|_| {
            let mut ends = [0; 2];
            // SAFETY: `ends` has room for the two descriptors `pipe` writes; on success
            // both are new, open, and owned by nobody else.
            unsafe {
                assert_eq!(libc::pipe(ends.as_mut_ptr()), 0, "pipe");
                (
                    OwnedFd::from_raw_fd(ends[0]),
                    std::fs::File::from(OwnedFd::from_raw_fd(ends[1])),
                )
            }
        })
        .unzip()
}

/// Whether the read end of the pipe whose write end is `probe` is still open somewhere (a
/// write fails with `EPIPE` once it is not).
///
/// # Panics
/// If the write fails otherwise.
pub fn pipe_open(probe: &std::fs::File) -> bool {
    match (&*probe).write(b"x") {
        Ok(1) => true,
        Err(err) if err.raw_os_error() == Some(libc::EPIPE) => false,
        other => panic!("write to a pipe: {other:?}"),
    }
}
