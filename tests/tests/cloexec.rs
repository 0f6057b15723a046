//! Every received descriptor is close-on-exec, whatever the sender's flag, the storage,
//! the socket type or `MSG_PEEK`.

use std::mem::MaybeUninit;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::net::{UnixDatagram, UnixStream};

use ancillary::{AncillaryData, RecvMessage, RecvOptions, SendMessage};
use tests::{borrow_all, file_ids, is_cloexec, raw_rights, recv_into, send_fds};

/// Descriptors whose `FD_CLOEXEC` is *cleared*, so that the receiver's flag cannot be
/// inherited from them.
fn inheritable_fds(n: usize) -> Vec<OwnedFd> {
    let fds = tests::distinct_fds(n);
    for fd in &fds {
        // SAFETY: F_SETFD only changes the descriptor flags of a descriptor we own.
        let rc = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETFD, 0) };
        assert_eq!(rc, 0);
        assert!(!is_cloexec(fd.as_fd()));
    }
    fds
}

/// Sends `fds` over a new `UnixStream` pair and returns the receiving end.
fn sent_over_a_stream(fds: &[OwnedFd]) -> UnixStream {
    let (a, b) = UnixStream::pair().unwrap();
    send_fds(&a, b"x", &borrow_all(fds)).unwrap();
    b
}

fn assert_all_cloexec(fds: &[OwnedFd], what: &str) {
    assert!(!fds.is_empty(), "{what}: nothing received");
    for fd in fds {
        assert!(is_cloexec(fd.as_fd()), "{what}: fd {fd:?} lacks FD_CLOEXEC");
    }
}

fn check_socket<S: SendMessage + RecvMessage>(a: &S, b: &S, what: &str) {
    let sent = inheritable_fds(3);
    send_fds(a, b"x", &borrow_all(&sent)).unwrap();
    let mut ancillary = AncillaryData::with_capacity(AncillaryData::space_for_fds(3));
    recv_into(b, &mut [0; 1], &mut ancillary, RecvOptions::new()).unwrap();
    let got = ancillary.take_owned_fds().unwrap();
    assert_eq!(file_ids(&got), file_ids(&sent));
    assert_all_cloexec(&got, what);
}

#[test]
fn stream_and_datagram_fds_are_cloexec() {
    let (a, b) = UnixStream::pair().unwrap();
    check_socket(&a, &b, "UnixStream");
    let (a, b) = UnixDatagram::pair().unwrap();
    check_socket(&a, &b, "UnixDatagram");
}

#[test]
fn fds_received_into_caller_storage_are_cloexec() {
    let sent = inheritable_fds(2);
    let b = sent_over_a_stream(&sent);
    let mut storage = [MaybeUninit::uninit(); AncillaryData::space_for_fds(2) + 8];
    let mut ancillary = AncillaryData::with_storage(&mut storage[3..]);
    recv_into(&b, &mut [0; 1], &mut ancillary, RecvOptions::new()).unwrap();
    let fds: Vec<OwnedFd> = ancillary.drain_fds().collect();
    assert_all_cloexec(&fds, "caller storage");
}

#[test]
fn peeked_fds_are_cloexec_too() {
    let sent = inheritable_fds(2);
    let b = sent_over_a_stream(&sent);
    let mut ancillary = AncillaryData::with_capacity(AncillaryData::space_for_fds(2));

    let (n, _) = recv_into(
        &b,
        &mut [0; 1],
        &mut ancillary,
        *RecvOptions::new().peek(true),
    )
    .unwrap();
    assert_eq!(n, 1);
    // Check them by number while the AncillaryData still owns them ...
    let raw = raw_rights(ancillary.control_messages());
    assert_eq!(raw.len(), 2);
    for fd in raw {
        // SAFETY: `fd` is owned by `ancillary`, which is alive and not modified here.
        let fd = unsafe { BorrowedFd::borrow_raw(fd) };
        assert!(is_cloexec(fd), "peeked fd {fd:?} lacks FD_CLOEXEC");
    }
    // ... and after taking them.
    let peeked = ancillary.take_owned_fds().unwrap();
    assert_all_cloexec(&peeked, "MSG_PEEK");

    recv_into(&b, &mut [0; 1], &mut ancillary, RecvOptions::new()).unwrap();
    let real = ancillary.take_owned_fds().unwrap();
    assert_all_cloexec(&real, "receive after peek");
    assert_eq!(file_ids(&real), file_ids(&peeked));
}

#[test]
fn custom_flags_do_not_drop_cloexec() {
    // Custom flags are added to MSG_CMSG_CLOEXEC, never replace it.
    let sent = inheritable_fds(1);
    let b = sent_over_a_stream(&sent);
    let mut ancillary = AncillaryData::with_capacity(AncillaryData::space_for_fds(1));
    let options = *RecvOptions::new().custom_flags(libc::MSG_WAITALL);
    assert_eq!(
        options.as_recv_flags(),
        libc::MSG_WAITALL | libc::MSG_CMSG_CLOEXEC
    );
    recv_into(&b, &mut [0; 1], &mut ancillary, options).unwrap();
    let [fd] = ancillary.take_exact_fds().unwrap();
    assert!(is_cloexec(fd.as_fd()));
}

#[test]
fn msg_cmsg_cloexec_given_again_as_a_custom_flag_stays_set() {
    // A caller that passes MSG_CMSG_CLOEXEC itself (code ported from raw `recvmsg`) must
    // not turn it off by naming it twice.
    let sent = inheritable_fds(1);
    let b = sent_over_a_stream(&sent);
    let mut ancillary = AncillaryData::with_capacity(AncillaryData::space_for_fds(1));
    let options = *RecvOptions::new().custom_flags(libc::MSG_CMSG_CLOEXEC);
    assert_eq!(options.as_recv_flags(), libc::MSG_CMSG_CLOEXEC);
    recv_into(&b, &mut [0; 1], &mut ancillary, options).unwrap();
    let [fd] = ancillary.take_exact_fds().unwrap();
    assert!(is_cloexec(fd.as_fd()));
}
