//! [`ReceivedControlMessages`]: control data read in place at any alignment, owning the
//! descriptors it carries. Pure (no system call but `pipe` for the descriptors), so
//! it also runs under Miri.

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
