//! [`ReceivedControlMessages`]: control data read in place at any alignment, owning the
//! descriptors it carries: which ones a drain hands out, in which order, and which ones
//! closing it closes, over messages of several kinds. Pure (no system call but `pipe`
//! for the descriptors, and `fcntl` for close-on-exec), so it also runs under Miri.

use std::os::fd::{AsRawFd, IntoRawFd, OwnedFd, RawFd};

use ancillary::{
    ControlMessage, ControlMessagesBuf, PayloadError, ReceivedControlMessages, ScmRights,
};
use tests::{pipe_open, piped_fds};

/// Memory aligned to 8, so that offset 1 of it is misaligned for every header and
/// payload wherever it lies (a `Vec<u8>`'s address promises no alignment).
#[repr(C, align(8))]
struct Backing([u8; 128]);

/// Control data as a kernel lays it out (a TTL, then two descriptors), copied to
/// offset 1 of `backing`; returns that slice.
fn misaligned<'b>(backing: &'b mut Backing, fds: &[RawFd]) -> &'b [u8] {
    let mut buf = ControlMessagesBuf::new();
    buf.push(&ControlMessage::new(
        libc::IPPROTO_IP,
        libc::IP_TTL,
        &64i32.to_ne_bytes(),
    ));
    let rights: Vec<u8> = fds.iter().flat_map(|fd| fd.to_ne_bytes()).collect();
    buf.push(&ControlMessage::new(
        libc::SOL_SOCKET,
        libc::SCM_RIGHTS,
        &rights,
    ));
    let bytes = &mut backing.0[1..=buf.len()];
    bytes.copy_from_slice(buf.as_bytes());
    bytes
}

/// Read in place at any alignment: the messages walk, a typed view refuses the
/// misaligned payload with an error, and the descriptors are handed out in order,
/// once; then the ones taken stay open and nothing else is closed twice.
#[test]
#[cfg_attr(
    all(miri, any(target_os = "macos", target_os = "ios")),
    ignore = "Miri has no fcntl(F_SETFD), which the close-on-exec fix-up calls there"
)]
fn drains_descriptors_from_misaligned_bytes() {
    let (fds, probes) = piped_fds(2);
    let raw: Vec<RawFd> = fds.into_iter().map(IntoRawFd::into_raw_fd).collect();
    let mut backing = Backing([0; 128]);
    let bytes = misaligned(&mut backing, &raw);
    // SAFETY: the two read ends are open and owned by nobody else.
    let mut control = unsafe { ReceivedControlMessages::new(bytes) };
    assert_eq!(control.control_messages().iter().count(), 2);
    let typed: Vec<_> = control.control_messages().of_type::<ScmRights>().collect();
    assert!(
        matches!(typed[..], [Err(PayloadError::Alignment { .. })]),
        "{typed:?}"
    );
    let taken: Vec<OwnedFd> = control.drain_fds().collect();
    let numbers: Vec<RawFd> = taken.iter().map(AsRawFd::as_raw_fd).collect();
    assert_eq!(numbers, raw);
    assert_eq!(control.drain_fds().len(), 0, "taken once");
    drop(control);
    assert!(probes.iter().all(pipe_open), "taken ones are the caller's");
    drop(taken);
    assert!(!probes.iter().any(pipe_open));
}

/// Dropped untaken: every descriptor closed.
#[test]
#[cfg_attr(
    all(miri, any(target_os = "macos", target_os = "ios")),
    ignore = "Miri has no fcntl(F_SETFD), which the close-on-exec fix-up calls there"
)]
fn closes_what_was_not_taken() {
    let (fds, probes) = piped_fds(2);
    let raw: Vec<RawFd> = fds.into_iter().map(IntoRawFd::into_raw_fd).collect();
    let mut backing = Backing([0; 128]);
    let bytes = misaligned(&mut backing, &raw);
    // SAFETY: the two read ends are open and owned by nobody else.
    let control = unsafe { ReceivedControlMessages::new(bytes) };
    assert!(format!("{control:?}").contains("owns_fds: true"));
    assert!(probes.iter().all(pipe_open));
    drop(control);
    assert!(!probes.iter().any(pipe_open));
}

/// The bytes of `messages` as a kernel would write them.
fn received(messages: &[(libc::c_int, libc::c_int, Vec<u8>)]) -> ControlMessagesBuf<'static> {
    let mut buf = ControlMessagesBuf::new();
    for (level, ty, data) in messages {
        buf.push(&ControlMessage::new(*level, *ty, data));
    }
    buf
}

/// The payload of an `SCM_RIGHTS` message naming `fds`.
fn rights(fds: &[RawFd]) -> (libc::c_int, libc::c_int, Vec<u8>) {
    let data = fds.iter().flat_map(|fd| fd.to_ne_bytes()).collect();
    (libc::SOL_SOCKET, libc::SCM_RIGHTS, data)
}

fn ttl() -> (libc::c_int, libc::c_int, Vec<u8>) {
    (libc::IPPROTO_IP, libc::IP_TTL, 64i32.to_ne_bytes().to_vec())
}

/// `n` pipes: their read ends as raw numbers that nobody owns (for the code under test to
/// own), and their write ends, which tell whether those are still open.
fn raw_fds(n: usize) -> (Vec<RawFd>, Vec<std::fs::File>) {
    let (fds, probes) = piped_fds(n);
    (
        fds.into_iter().map(IntoRawFd::into_raw_fd).collect(),
        probes,
    )
}

/// Several messages: the descriptors of two `SCM_RIGHTS` messages, in order, around a
/// message of another level and a negative number (skipped); each taken one is the
/// caller's, and the drain owns nothing more once done.
#[test]
#[cfg_attr(
    all(miri, any(target_os = "macos", target_os = "ios")),
    ignore = "Miri has no fcntl(F_SETFD), which the close-on-exec fix-up calls there"
)]
fn a_drain_walks_every_rights_message_in_order() {
    let (raw, probes) = raw_fds(3);
    let buf = received(&[rights(&[raw[0], -1]), ttl(), rights(&raw[1..])]);
    // SAFETY: the three read ends are open, and owned by nobody else.
    let mut control = unsafe { ReceivedControlMessages::new(buf.as_bytes()) };
    let fds = control.drain_fds();
    assert_eq!(fds.len(), 3);
    let taken: Vec<OwnedFd> = fds.collect();
    let numbers: Vec<RawFd> = taken.iter().map(AsRawFd::as_raw_fd).collect();
    assert_eq!(numbers, raw, "in order, the negative one skipped");
    assert!(format!("{control:?}").contains("owns_fds: false"));
    drop(control);
    assert!(probes.iter().all(pipe_open), "taken ones are the caller's");
    drop(taken);
    assert!(!probes.iter().any(pipe_open));
}

/// A drain of `SCM_RIGHTS` that walks past an `SCM_PIDFD` message leaves the pidfd
/// owned: closing the messages closes it.
#[cfg(any(target_os = "linux", target_os = "android"))]
#[test]
fn a_drain_keeps_the_other_kinds_it_walks_past() {
    let (raw, probes) = raw_fds(2);
    let pidfd = (
        libc::SOL_SOCKET,
        ancillary::os::linux::SCM_PIDFD,
        raw[1].to_ne_bytes().to_vec(),
    );
    let buf = received(&[pidfd, rights(&raw[..1])]);
    // SAFETY: both read ends are open, and owned by nobody else.
    let mut control = unsafe { ReceivedControlMessages::new(buf.as_bytes()) };
    let taken: Vec<OwnedFd> = control.drain_fds().collect();
    assert_eq!(taken.len(), 1);
    drop(taken);
    assert!(
        !pipe_open(&probes[0]),
        "the rights descriptor was taken and closed"
    );
    assert!(pipe_open(&probes[1]), "the pidfd is still owned");
    assert!(format!("{control:?}").contains("owns_fds: true"));
    drop(control);
    assert!(!pipe_open(&probes[1]), "closed with the messages");
}

/// The kinds a drain learns from its walk are a union: two `SCM_PIDFD` messages walked
/// past (a kernel sends one, but nothing in the bytes says so) both stay owned, and
/// closing the messages closes both.
#[cfg(any(target_os = "linux", target_os = "android"))]
#[test]
fn a_drain_keeps_every_message_of_another_kind_it_walks_past() {
    let (raw, probes) = raw_fds(3);
    let pidfd = |fd: RawFd| {
        (
            libc::SOL_SOCKET,
            ancillary::os::linux::SCM_PIDFD,
            fd.to_ne_bytes().to_vec(),
        )
    };
    let buf = received(&[pidfd(raw[1]), pidfd(raw[2]), rights(&raw[..1])]);
    // SAFETY: the three read ends are open, and owned by nobody else.
    let mut control = unsafe { ReceivedControlMessages::new(buf.as_bytes()) };
    drop(control.drain_fds().collect::<Vec<OwnedFd>>());
    assert!(
        !pipe_open(&probes[0]),
        "the rights descriptor was taken and closed"
    );
    assert!(
        probes[1..].iter().all(pipe_open),
        "both pidfds are still owned"
    );
    drop(control);
    assert!(
        !probes.iter().any(pipe_open),
        "both closed with the messages"
    );
}

/// Dropped untaken, a sole rights message has its descriptors closed; a message of
/// another kind, a cut header and no bytes at all are dropped without harm.
#[test]
#[cfg_attr(
    all(miri, any(target_os = "macos", target_os = "ios")),
    ignore = "Miri has no fcntl(F_SETFD), which the close-on-exec fix-up calls there"
)]
fn dropping_closes_a_sole_rights_message_and_nothing_else() {
    let (raw, probes) = raw_fds(1);
    let buf = received(&[rights(&raw)]);
    // SAFETY: the read end is open, and owned by nobody else.
    drop(unsafe { ReceivedControlMessages::new(buf.as_bytes()) });
    assert!(!pipe_open(&probes[0]));

    let buf = received(&[ttl()]);
    for bytes in [buf.as_bytes(), &buf.as_bytes()[..4], &[][..]] {
        // SAFETY: no descriptor is named in these bytes.
        let control = unsafe { ReceivedControlMessages::new(bytes) };
        assert!(control.control_messages().iter().count() <= 1);
        drop(control);
    }
}

/// A drain dropped after one descriptor closes the rest.
#[test]
#[cfg_attr(
    all(miri, any(target_os = "macos", target_os = "ios")),
    ignore = "Miri has no fcntl(F_SETFD), which the close-on-exec fix-up calls there"
)]
fn a_dropped_drain_closes_the_rest() {
    let (raw, probes) = raw_fds(2);
    let buf = received(&[rights(&raw)]);
    // SAFETY: the two read ends are open, and owned by nobody else.
    let mut control = unsafe { ReceivedControlMessages::new(buf.as_bytes()) };
    let mut fds = control.drain_fds();
    let first = fds.next().unwrap();
    assert_eq!(first.as_raw_fd(), raw[0]);
    drop(fds);
    assert!(!pipe_open(&probes[1]), "the one not taken was closed");
    assert!(pipe_open(&probes[0]), "the one taken is open");
    drop(first);
    assert!(!pipe_open(&probes[0]));
    assert_eq!(control.drain_fds().len(), 0, "taken once");
}

/// Adopting received descriptors changes their flags only where `recvmsg` cannot set
/// close-on-exec itself (Apple platforms): elsewhere the kernel already did. A received
/// message is faked with a descriptor that lacks the flag, which only a test can make;
/// real ones always have it.
#[test]
#[cfg_attr(miri, ignore = "Miri's F_GETFD reports every descriptor close-on-exec")]
fn adopting_sets_close_on_exec_only_without_msg_cmsg_cloexec() {
    let (raw, _probes) = raw_fds(1);
    let fd = raw[0];
    // SAFETY: F_GETFD/F_SETFD on an open descriptor this test made.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFD);
        assert_eq!(libc::fcntl(fd, libc::F_SETFD, flags & !libc::FD_CLOEXEC), 0);
    }
    let buf = received(&[rights(&[fd])]);
    // SAFETY: the read end is open, and owned by nobody else.
    let mut control = unsafe { ReceivedControlMessages::new(buf.as_bytes()) };
    let apple = cfg!(any(target_os = "macos", target_os = "ios"));
    let fd = control.drain_fds().next().unwrap();
    assert_eq!(tests::is_cloexec(std::os::fd::AsFd::as_fd(&fd)), apple);
}
