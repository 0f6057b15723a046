//! More control data than there is room for: `MSG_CTRUNC`, the descriptors that fit are
//! owned, the others are closed by the kernel, and nothing leaks.
//!
//! Every test takes `fd_lock()`: they count open descriptors.

use std::mem::MaybeUninit;
use std::os::fd::{AsFd, RawFd};
use std::os::unix::net::{UnixDatagram, UnixStream};

use ancillary::{cmsg_len, AncillaryData, ControlMessages, RecvOptions, HEADER_LEN};
use tests::{
    borrow_all, deliver, distinct_fds, fd_lock, file_ids, is_open, open_fd_count, recv_into,
    send_fds, set_passcred, skipped, under_qemu, QEMU_LOSES_CTRUNC,
};

/// Sends 5 descriptors and receives them into `ancillary`; returns how many were owned.
/// Checks that the ones that fit are the first ones sent and that the rest were closed.
fn receive_5_into(ancillary: &mut AncillaryData<'_>, expect: usize) {
    let sent = distinct_fds(5);
    let (a, b) = UnixStream::pair().unwrap();
    let before = open_fd_count();
    send_fds(&a, b"x", &borrow_all(&sent)).unwrap();

    let (n, result) = recv_into(&b, &mut [0; 1], ancillary, RecvOptions::new()).unwrap();
    assert_eq!(n, 1);
    // Under qemu-user the host kernel gets a larger buffer than ours: when it has room for
    // all 5 it installs them all, and qemu copies the ones that fit ours and leaves the
    // rest open. (With no room at all, the host's buffer is too small too, and its flag and
    // closing come through.)
    let qemu_gap = under_qemu() && expect > 0;
    if qemu_gap {
        skipped("MSG_CTRUNC and the counts of open fds", QEMU_LOSES_CTRUNC);
    } else {
        assert!(result.control_data_truncated(), "MSG_CTRUNC expected");
        assert_eq!(
            open_fd_count(),
            before + expect,
            "exactly the {expect} fds that fit are installed; the kernel closed the rest"
        );
    }
    let got = ancillary.take_owned_fds().expect("a receive happened");
    assert_eq!(got.len(), expect);
    assert_eq!(file_ids(&got), file_ids(&sent[..expect]));
    drop(got);
    if !qemu_gap {
        assert_eq!(open_fd_count(), before, "no fd leaked");
    }
}

#[test]
fn room_for_two_of_five_heap() {
    let _lock = fd_lock();
    let mut ancillary = AncillaryData::with_capacity(AncillaryData::space_for_fds(2));
    let fit = fds_that_fit(&ancillary);
    assert!(fit < 5);
    receive_5_into(&mut ancillary, fit);
}

/// How many descriptors a receive into heap storage sized with `space_for_fds(2)` gets:
/// `with_capacity` gives at least what was asked, and the kernel fills all the room there
/// is. On 64-bit targets that is exactly 2 (24 bytes, a whole number of words); on 32-bit
/// ones the 20 bytes asked for may be rounded up to room for 3.
fn fds_that_fit(ancillary: &AncillaryData<'_>) -> usize {
    let capacity = ancillary.capacity();
    assert!(capacity >= AncillaryData::space_for_fds(2));
    let fit = (capacity - HEADER_LEN) / size_of::<libc::c_int>();
    if cfg!(target_pointer_width = "64") {
        assert_eq!(capacity, AncillaryData::space_for_fds(2));
        assert_eq!(fit, 2);
    }
    fit
}

#[test]
fn room_for_three_of_five_in_an_unpadded_caller_buffer() {
    let _lock = fd_lock();
    // cmsg_len(12) = 28 bytes: room for 3 descriptors but not for the padding after them.
    let mut storage = [MaybeUninit::uninit(); 64];
    let start = storage.as_ptr().align_offset(8);
    let room = cmsg_len(3 * size_of::<libc::c_int>());
    let mut ancillary = AncillaryData::with_storage(&mut storage[start..start + room]);
    assert_eq!(ancillary.capacity(), room);
    receive_5_into(&mut ancillary, 3);
    // The one message is exactly as long as the buffer: not cut by the parser.
    assert!(ancillary.control_messages().iter().all(|m| !m.truncated()));
}

#[test]
fn no_room_at_all_closes_every_fd() {
    let _lock = fd_lock();
    let mut ancillary = AncillaryData::new();
    assert_eq!(ancillary.capacity(), 0);
    receive_5_into(&mut ancillary, 0);
    assert!(ancillary.control_messages().is_empty());
}

#[test]
fn room_for_less_than_a_header_closes_every_fd() {
    let _lock = fd_lock();
    let mut storage = [MaybeUninit::uninit(); 16];
    let start = storage.as_ptr().align_offset(8);
    let mut ancillary = AncillaryData::with_storage(&mut storage[start..start + 8]);
    receive_5_into(&mut ancillary, 0);
}

#[test]
fn a_second_truncated_receive_closes_what_the_first_left() {
    let _lock = fd_lock();
    let sent = distinct_fds(4);
    let mut ancillary = AncillaryData::with_capacity(AncillaryData::space_for_fds(2));
    let fit = fds_that_fit(&ancillary);
    assert!(fit < sent.len());
    let (a, b) = UnixDatagram::pair().unwrap();
    let before = open_fd_count();
    for _ in 0..2 {
        send_fds(&a, b"x", &borrow_all(&sent)).unwrap();
    }
    for _ in 0..2 {
        let (_, result) = recv_into(&b, &mut [0; 1], &mut ancillary, RecvOptions::new()).unwrap();
        if !under_qemu() {
            assert!(result.control_data_truncated());
            assert_eq!(
                open_fd_count(),
                before + fit,
                "only the latest {fit} are open"
            );
        }
    }
    drop(ancillary);
    if under_qemu() {
        // qemu-user leaves open what did not fit (see `receive_5_into`).
        skipped("MSG_CTRUNC and the counts of open fds", QEMU_LOSES_CTRUNC);
    } else {
        assert_eq!(open_fd_count(), before);
    }
}

/// The lowest `k` descriptor numbers not open in this process (probed with `fcntl`, which
/// opens nothing itself).
fn lowest_free_fds(k: usize) -> Vec<RawFd> {
    (0..).filter(|&fd| !is_open(fd)).take(k).collect()
}

fn nofile_limit() -> libc::rlimit {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one `rlimit` into the exclusively borrowed `limit`.
    let rc = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
    assert_eq!(rc, 0, "getrlimit: {}", std::io::Error::last_os_error());
    limit
}

fn set_nofile_limit(limit: &libc::rlimit) {
    // SAFETY: setrlimit reads one `rlimit`; lowering the soft limit affects only which
    // descriptor numbers this process can open from now on.
    let rc = unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, limit) };
    assert_eq!(rc, 0, "setrlimit: {}", std::io::Error::last_os_error());
}

#[test]
fn at_the_fd_limit_the_kernel_installs_fewer_and_flags_ctrunc() {
    let _lock = fd_lock();
    let sent = distinct_fds(5);
    let (a, b) = UnixStream::pair().unwrap();
    send_fds(&a, b"x", &borrow_all(&sent)).unwrap();
    let mut ancillary = AncillaryData::with_capacity(AncillaryData::space_for_fds(5));
    let before = open_fd_count();

    // Leave exactly two descriptor numbers free below the soft limit.
    let free = lowest_free_fds(2);
    let saved = nofile_limit();
    set_nofile_limit(&libc::rlimit {
        rlim_cur: (free[1] + 1) as libc::rlim_t,
        rlim_max: saved.rlim_max,
    });
    let received = recv_into(&b, &mut [0; 1], &mut ancillary, RecvOptions::new());
    set_nofile_limit(&saved);

    let (_, result) = received.unwrap();
    assert!(result.control_data_truncated());
    let raw: Vec<RawFd> = tests::raw_rights(ancillary.control_messages());
    assert_eq!(raw, free, "the two free numbers were used");
    let got = ancillary.take_owned_fds().unwrap();
    assert_eq!(file_ids(&got), file_ids(&sent[..2]));
    drop(got);
    assert_eq!(open_fd_count(), before, "nothing leaked");
}

// ----- payloads cut short --------------------------------------------------------------

#[test]
fn a_payload_cut_by_the_buffer_end_is_flagged_truncated() {
    let _lock = fd_lock();
    let sent = distinct_fds(3);
    let (ancillary, _) = deliver(&borrow_all(&sent), 3);
    let whole = ancillary.control_messages().as_bytes();
    let message = ancillary.control_messages().iter().next().unwrap();
    assert!(!message.truncated());

    // The same received bytes, cut in the middle of the second descriptor.
    let cut = HEADER_LEN + 6;
    let view = ControlMessages::from_bytes(&whole[..cut]);
    let messages: Vec<_> = view.iter().collect();
    assert_eq!(messages.len(), 1);
    assert!(messages[0].truncated());
    assert_eq!(messages[0].cmsg_type(), libc::SCM_RIGHTS);
    assert_eq!(messages[0].data(), &message.data()[..6]);
}

#[test]
fn credentials_cut_by_a_small_buffer_set_ctrunc() {
    let _lock = fd_lock();
    let (a, b) = UnixDatagram::pair().unwrap();
    set_passcred(&b);
    a.send(b"creds").unwrap();

    // Room for the header and 4 of the 12 bytes of `struct ucred`.
    let room = cmsg_len(4);
    let mut storage = [MaybeUninit::uninit(); 64];
    let start = storage.as_ptr().align_offset(8);
    let mut ancillary = AncillaryData::with_storage(&mut storage[start..start + room]);
    let (n, result) = recv_into(&b, &mut [0; 8], &mut ancillary, RecvOptions::new()).unwrap();
    assert_eq!(n, 5);
    if under_qemu() {
        skipped("MSG_CTRUNC", QEMU_LOSES_CTRUNC);
    } else {
        assert!(result.control_data_truncated());
    }
    let messages: Vec<_> = ancillary.control_messages().iter().collect();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].cmsg_type(), libc::SCM_CREDENTIALS);
    // Linux shrinks `cmsg_len` to what it wrote, so the parser sees a complete but short
    // message; the cut shows in the payload length and in MSG_CTRUNC.
    assert_eq!(messages[0].data().len(), 4);
    // SAFETY: getpid has no preconditions.
    let pid = unsafe { libc::getpid() };
    assert_eq!(messages[0].data(), &pid.to_ne_bytes());
}

#[test]
fn a_datagram_longer_than_the_buffer_sets_msg_trunc() {
    let _lock = fd_lock();
    let sent = distinct_fds(1);
    let (a, b) = UnixDatagram::pair().unwrap();
    send_fds(&a, b"0123456789", &[sent[0].as_fd()]).unwrap();
    let mut ancillary = AncillaryData::with_capacity(AncillaryData::space_for_fds(1));
    let mut buf = [0u8; 4];
    let (n, result) = recv_into(&b, &mut buf, &mut ancillary, RecvOptions::new()).unwrap();
    assert_eq!((n, &buf), (4, b"0123"));
    assert!(result.normal_data_truncated());
    assert!(!result.control_data_truncated());
    let [fd] = ancillary.take_exact_fds().unwrap();
    assert_eq!(file_ids(&[fd]), file_ids(&sent));
}

/// `space_for_fds(n)` rounds up to whole words: on 64-bit targets, for an odd `n` it is
/// room for `n + 1` (24 bytes for 1), and the kernel installs every descriptor that fits.
/// A peer that sends `n + 1` gets them all through, not flagged as truncated, and
/// `take_exact_fds::<n>` then fails with `InvalidData`, leaving them owned. Where the room
/// is exact (32-bit targets), `n` arrive and the receive is flagged truncated.
fn one_more_than_asked<const N: usize>() {
    let sent = distinct_fds(N + 1);
    let (mut ancillary, result) = deliver(&borrow_all(&sent), N);
    let room = (ancillary.capacity() - HEADER_LEN) / size_of::<libc::c_int>();
    if cfg!(target_pointer_width = "64") {
        assert_eq!(ancillary.capacity(), AncillaryData::space_for_fds(N));
        assert_eq!(room, N + 1, "space_for_fds({N}) holds {}", N + 1);
    }
    if room > N {
        assert!(!result.control_data_truncated(), "all {} fit", N + 1);
        let err = ancillary.take_exact_fds::<N>().unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
        let got = ancillary
            .take_owned_fds()
            .expect("still owned after the error");
        assert_eq!(file_ids(&got), file_ids(&sent));
        return;
    }
    if under_qemu() {
        skipped("MSG_CTRUNC", QEMU_LOSES_CTRUNC);
    } else {
        assert!(result.control_data_truncated(), "MSG_CTRUNC expected");
    }
    let got = ancillary.take_exact_fds::<N>().expect("the ones that fit");
    assert_eq!(file_ids(&got), file_ids(&sent[..N]));
}

#[test]
fn space_for_an_odd_count_may_take_one_more() {
    let _lock = fd_lock();
    one_more_than_asked::<1>();
    one_more_than_asked::<3>();
}
