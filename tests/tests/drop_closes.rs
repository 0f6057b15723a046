//! Received descriptors that nobody takes are closed: on drop, on `clear()`, by the next
//! receive into the same `AncillaryData`, and by a `drain_fds` iterator dropped half-way.
//!
//! Closure is checked on the raw numbers with `fcntl(F_GETFD)` right after. Every test
//! takes `fd_lock()`, so no other test of this binary can reuse a number in between.

use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::os::unix::net::UnixStream;

use ancillary::{AncillaryData, RecvOptions};
use tests::{
    borrow_all, deliver, distinct_fds, fd_lock, file_ids, is_open, open_fd_count, peer_open,
    probed_fds, raw_rights, recv_into, send_fds,
};

/// Receives `n` fresh descriptors; returns them still owned by the `AncillaryData`, their
/// raw numbers (all open), and the descriptor count from before the receive.
fn received(n: usize) -> (AncillaryData<'static>, Vec<RawFd>, usize) {
    let sent = distinct_fds(n);
    let before = open_fd_count();
    let (ancillary, _) = deliver(&borrow_all(&sent), n);
    drop(sent);
    let before = before - n;
    let raw = raw_rights(ancillary.control_messages());
    assert_eq!(raw.len(), n);
    assert!(raw.iter().all(|&fd| is_open(fd)));
    assert_eq!(open_fd_count(), before + n);
    (ancillary, raw, before)
}

fn assert_closed(raw: &[RawFd], what: &str) {
    for &fd in raw {
        assert!(!is_open(fd), "{what}: fd {fd} is still open");
    }
}

#[test]
fn drop_closes_unread_fds() {
    let _lock = fd_lock();
    let (ancillary, raw, before) = received(4);
    drop(ancillary);
    assert_closed(&raw, "drop");
    assert_eq!(open_fd_count(), before);
}

#[test]
fn a_buffer_moved_after_its_receive_still_owns_its_fds() {
    let _lock = fd_lock();
    // Room for 3 is within the 64 bytes a buffer keeps inside itself: the received
    // messages move with every move of the value.
    let (ancillary, raw, before) = received(3);
    let boxed = Box::new(ancillary);
    let mut moved = vec![*boxed];
    let mut ancillary = moved.pop().unwrap();
    assert_eq!(raw_rights(ancillary.control_messages()), raw);
    let first = ancillary.drain_fds().next().unwrap();
    assert_eq!(first.as_raw_fd(), raw[0]);
    drop(ancillary);
    assert!(is_open(raw[0]), "the taken descriptor stays open");
    assert_closed(&raw[1..], "drop after moves");
    assert_eq!(open_fd_count(), before + 1);
    drop(first);
    assert_eq!(open_fd_count(), before);
}

#[test]
fn drop_of_caller_storage_closes_unread_fds() {
    let _lock = fd_lock();
    let sent = distinct_fds(3);
    let (a, b) = UnixStream::pair().unwrap();
    send_fds(&a, b"x", &borrow_all(&sent)).unwrap();
    let mut storage = [std::mem::MaybeUninit::uninit(); AncillaryData::space_for_fds(3) + 7];
    let raw = {
        let mut ancillary = AncillaryData::with_storage(&mut storage[5..]);
        recv_into(&b, &mut [0; 1], &mut ancillary, RecvOptions::new()).unwrap();
        let raw = raw_rights(ancillary.control_messages());
        assert_eq!(raw.len(), 3);
        assert!(raw.iter().all(|&fd| is_open(fd)));
        raw
    };
    assert_closed(&raw, "drop (caller storage)");
}

#[test]
fn clear_closes_unread_fds() {
    let _lock = fd_lock();
    let (mut ancillary, raw, before) = received(3);
    ancillary.clear();
    assert_closed(&raw, "clear");
    assert!(ancillary.control_messages().is_empty());
    assert!(ancillary.take_owned_fds().is_none());
    assert_eq!(open_fd_count(), before);
}

#[test]
fn the_next_receive_closes_the_previous_untaken_fds() {
    let _lock = fd_lock();
    let sent = distinct_fds(2);
    let (a, b) = UnixStream::pair().unwrap();
    let mut ancillary = AncillaryData::with_capacity(AncillaryData::space_for_fds(2));
    send_fds(&a, b"1", &borrow_all(&sent)).unwrap();
    recv_into(&b, &mut [0; 1], &mut ancillary, RecvOptions::new()).unwrap();
    let first = raw_rights(ancillary.control_messages());
    assert_eq!(first.len(), 2);

    // The second receive closes the first one's fds before the kernel installs new ones,
    // which may reuse their numbers: check the numbers that were not reused.
    send_fds(&a, b"2", &borrow_all(&sent[..1])).unwrap();
    recv_into(&b, &mut [0; 1], &mut ancillary, RecvOptions::new()).unwrap();
    let second = raw_rights(ancillary.control_messages());
    assert_eq!(second.len(), 1);
    let closed: Vec<RawFd> = first
        .into_iter()
        .filter(|fd| !second.contains(fd))
        .collect();
    assert!(!closed.is_empty());
    assert_closed(&closed, "next receive");
    let [fd] = ancillary.take_exact_fds().unwrap();
    assert_eq!(fd.as_raw_fd(), second[0]);
}

#[test]
fn a_failed_receive_also_closes_the_previous_untaken_fds() {
    let _lock = fd_lock();
    let (mut ancillary, raw, before) = received(2);
    let (_a, b) = UnixStream::pair().unwrap();
    b.set_nonblocking(true).unwrap();
    assert!(recv_into(&b, &mut [0; 1], &mut ancillary, RecvOptions::new()).is_err());
    assert_closed(&raw, "failed receive");
    drop(b);
    drop(_a);
    assert_eq!(open_fd_count(), before);
}

#[test]
fn a_drain_dropped_half_way_closes_the_rest() {
    let _lock = fd_lock();
    let (mut ancillary, raw, before) = received(5);
    let mut drain = ancillary.drain_fds();
    let kept: Vec<OwnedFd> = drain.by_ref().take(2).collect();
    assert_eq!(drain.len(), 3);
    drop(drain);
    assert_eq!(
        kept.iter().map(AsRawFd::as_raw_fd).collect::<Vec<_>>(),
        raw[..2]
    );
    assert!(
        raw[..2].iter().all(|&fd| is_open(fd)),
        "taken ones stay open"
    );
    assert_closed(&raw[2..], "drain dropped half-way");
    // Nothing is left for the AncillaryData to close (or to close twice).
    assert!(ancillary.take_owned_fds().is_none());
    drop(ancillary);
    assert!(raw[..2].iter().all(|&fd| is_open(fd)), "not closed twice");
    drop(kept);
    assert_closed(&raw, "all");
    assert_eq!(open_fd_count(), before);
}

#[test]
fn taken_fds_are_not_closed_by_the_ancillary_data() {
    let _lock = fd_lock();
    let (mut ancillary, raw, _) = received(2);
    let fds = ancillary.take_owned_fds().unwrap();
    ancillary.clear();
    drop(ancillary);
    assert!(raw.iter().all(|&fd| is_open(fd)));
    drop(fds);
    assert_closed(&raw, "dropped by their new owner");
}

#[test]
fn a_failed_take_exact_keeps_the_fds_owned_until_drop() {
    let _lock = fd_lock();
    let (mut ancillary, raw, before) = received(3);
    assert!(ancillary.take_exact_fds::<1>().is_err());
    assert!(raw.iter().all(|&fd| is_open(fd)));
    drop(ancillary);
    assert_closed(&raw, "drop after failed take_exact_fds");
    assert_eq!(open_fd_count(), before);
}

/// `take_first_fd` with several descriptors: the first arrives, the others are closed at
/// once (their probes report `EPIPE` while the first's does not), and nothing is left.
#[test]
fn take_first_fd_closes_the_rest() {
    let _lock = fd_lock();
    let (sent, probes) = probed_fds(3);
    let (mut ancillary, _) = deliver(&borrow_all(&sent), 3);
    let sent_ids = file_ids(&sent);
    drop(sent);
    assert!(probes.iter().all(peer_open));

    let first = ancillary.take_first_fd().expect("three came");
    assert_eq!(file_ids(&[&first]), sent_ids[..1]);
    assert!(peer_open(&probes[0]));
    assert!(
        !peer_open(&probes[1]) && !peer_open(&probes[2]),
        "the rest are closed"
    );
    assert!(ancillary.take_first_fd().is_none(), "taken already");
    drop(first);
    assert!(!peer_open(&probes[0]));
}

/// One descriptor: it is the one returned, and it stays open until its owner drops it.
#[test]
fn take_first_fd_of_one() {
    let _lock = fd_lock();
    let (sent, probes) = probed_fds(1);
    let (mut ancillary, _) = deliver(&borrow_all(&sent), 1);
    drop(sent);
    let fd = ancillary.take_first_fd().expect("one came");
    drop(ancillary);
    assert!(peer_open(&probes[0]), "the descriptor taken stays open");
    drop(fd);
    assert!(!peer_open(&probes[0]));
}

/// No descriptor: `None` after a receive without one, and before any receive.
#[test]
fn take_first_fd_of_none() {
    let _lock = fd_lock();
    let (mut ancillary, _) = deliver(&[], 1);
    assert_eq!(ancillary.take_owned_fds().map(|fds| fds.len()), Some(0));
    let (mut ancillary, _) = deliver(&[], 1);
    assert!(ancillary.take_first_fd().is_none());
    assert!(AncillaryData::new().take_first_fd().is_none());
}
