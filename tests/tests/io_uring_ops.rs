//! Single-shot io_uring `sendmsg`/`recvmsg` (`ancillary::io_uring::{SendMsg, RecvMsg}`)
//! against the real kernel: descriptor passing, addresses, truncation, cancellation, and
//! what dropping an operation early does.
#![cfg(io_uring_target)]

use std::io::{Seek, Write};
use std::net::{SocketAddr, UdpSocket};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::net::{UnixDatagram, UnixStream};

use ancillary::io_uring::{RecvMsg, SendMsg};
use ancillary::{AncillaryData, ScmRights};
use io_uring::opcode;
use tests::{fd_lock, file_id, is_cloexec, open_fd_count, ring_or_skip, submit, wait_for};

fn temp_file(contents: &[u8]) -> OwnedFd {
    let mut file = tempfile::tempfile().unwrap();
    file.write_all(contents).unwrap();
    file.rewind().unwrap();
    file.into()
}

#[test]
fn fd_passing_over_a_unix_stream() {
    let _lock = fd_lock();
    let Some(mut ring) = ring_or_skip(8) else {
        return;
    };
    let (a, b) = UnixStream::pair().unwrap();
    let files = [temp_file(b"one"), temp_file(b"two")];
    let ids: Vec<_> = files.iter().map(|f| file_id(f.as_fd())).collect();
    let before = open_fd_count();

    let send = SendMsg::new(b"hi".to_vec())
        .fds(files.into_iter().collect())
        .prepare()
        .unwrap();
    let recv = RecvMsg::new(
        vec![0; 16],
        AncillaryData::with_capacity(AncillaryData::space_for_fds(4)),
    )
    .prepare()
    .unwrap();
    // SAFETY: both operations live until their completions are handed to `complete`.
    unsafe { submit(&mut ring, &[recv.entry(b.as_fd()), send.entry(a.as_fd())]) };
    let done = wait_for(&mut ring, 2);
    let result_of = |user_data| {
        done.iter()
            .find(|c| c.user_data == user_data)
            .unwrap()
            .result
    };

    // SAFETY: each entry was submitted once; these are their completions.
    let sent = unsafe {
        {
            let id = send.user_data();
            send.complete(result_of(id))
        }
    };
    assert_eq!(*sent.result.as_ref().unwrap(), 2);
    assert_eq!(sent.fds.len(), 2, "the sent descriptors come back");
    // SAFETY: as above.
    let mut received = unsafe {
        {
            let id = recv.user_data();
            recv.complete(result_of(id))
        }
    };
    let (n, flags) = *received.result.as_ref().unwrap();
    assert_eq!(&received.bufs[0][..n], b"hi");
    assert!(!flags.control_data_truncated());
    let rights: Vec<_> = received
        .ancillary
        .control_messages()
        .of_type::<ScmRights>()
        .collect();
    assert_eq!(rights.len(), 1);
    assert_eq!(rights[0].unwrap().len(), 2);
    let fds = received.ancillary.take_owned_fds().unwrap();
    assert_eq!(
        fds.iter().map(|f| file_id(f.as_fd())).collect::<Vec<_>>(),
        ids
    );
    assert!(
        fds.iter().all(|f| is_cloexec(f.as_fd())),
        "MSG_CMSG_CLOEXEC through io_uring"
    );
    assert_eq!(open_fd_count(), before + 2);
    drop((fds, sent));
    assert_eq!(
        open_fd_count(),
        before - 2,
        "the received and the sent copies are closed"
    );
}

#[test]
fn descriptors_not_taken_are_closed_with_the_ancillary_data() {
    let _lock = fd_lock();
    let Some(mut ring) = ring_or_skip(8) else {
        return;
    };
    let (a, b) = UnixDatagram::pair().unwrap();
    let before = open_fd_count();
    let send = SendMsg::new(vec![1])
        .fds(vec![temp_file(b"x")])
        .prepare()
        .unwrap();
    let recv = RecvMsg::new(vec![0; 4], AncillaryData::with_capacity(64))
        .prepare()
        .unwrap();
    // SAFETY: both operations live until `complete`.
    unsafe { submit(&mut ring, &[send.entry(a.as_fd()), recv.entry(b.as_fd())]) };
    let done = wait_for(&mut ring, 2);
    for c in done {
        if c.user_data == send.user_data() {
            continue;
        }
        // SAFETY: submitted once; its completion.
        let received = unsafe { recv.complete(c.result) };
        assert_eq!(received.ancillary.control_messages().iter().count(), 1);
        assert_eq!(open_fd_count(), before + 2);
        drop(received);
        assert_eq!(
            open_fd_count(),
            before + 1,
            "the untaken descriptor is closed"
        );
        break;
    }
    // SAFETY: submitted once; it completed (collected above).
    drop(unsafe { send.complete(1) });
    assert_eq!(open_fd_count(), before);
}

#[test]
fn udp_address_through_recvmsg_and_sendmsg_to() {
    let _lock = fd_lock();
    let Some(mut ring) = ring_or_skip(8) else {
        return;
    };
    let receiver = UdpSocket::bind("127.0.0.1:0").unwrap();
    let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
    let to: SocketAddr = receiver.local_addr().unwrap();
    let send = SendMsg::vectored(vec![b"he".to_vec(), b"llo".to_vec()])
        .to(&to)
        .unwrap()
        .prepare()
        .unwrap();
    let recv = RecvMsg::vectored(vec![vec![0; 2], vec![0; 8]], AncillaryData::new())
        .with_address()
        .prepare()
        .unwrap();
    // SAFETY: both live until `complete`.
    unsafe {
        submit(
            &mut ring,
            &[recv.entry(receiver.as_fd()), send.entry(sender.as_fd())],
        )
    };
    let done = wait_for(&mut ring, 2);
    let result_of = |user_data| {
        done.iter()
            .find(|c| c.user_data == user_data)
            .unwrap()
            .result
    };
    // SAFETY: submitted once each; their completions.
    let sent = unsafe {
        {
            let id = send.user_data();
            send.complete(result_of(id))
        }
    };
    assert_eq!(*sent.result.as_ref().unwrap(), 5);
    // SAFETY: as above.
    let received = unsafe {
        {
            let id = recv.user_data();
            recv.complete(result_of(id))
        }
    };
    assert_eq!(received.result.as_ref().unwrap().0, 5);
    assert_eq!(received.bufs, [b"he".to_vec(), b"llo\0\0\0\0\0".to_vec()]);
    let from: SocketAddr = received.address.unwrap().to_address().unwrap();
    assert_eq!(from, sender.local_addr().unwrap());
}

#[test]
fn truncation_of_data_and_of_control_data() {
    let _lock = fd_lock();
    let Some(mut ring) = ring_or_skip(8) else {
        return;
    };
    let (a, b) = UnixDatagram::pair().unwrap();
    let before = open_fd_count();
    let send = SendMsg::new(vec![7; 100])
        .fds(vec![temp_file(b"1"), temp_file(b"2"), temp_file(b"3")])
        .prepare()
        .unwrap();
    // Room for one descriptor of three, and 10 bytes of 100.
    let recv = RecvMsg::new(
        vec![0; 10],
        AncillaryData::with_capacity(AncillaryData::space_for_fds(1)),
    )
    .prepare()
    .unwrap();
    // SAFETY: both live until `complete`.
    unsafe { submit(&mut ring, &[send.entry(a.as_fd()), recv.entry(b.as_fd())]) };
    let done = wait_for(&mut ring, 2);
    let result_of = |user_data| {
        done.iter()
            .find(|c| c.user_data == user_data)
            .unwrap()
            .result
    };
    // SAFETY: submitted once each; their completions.
    let sent = unsafe {
        {
            let id = send.user_data();
            send.complete(result_of(id))
        }
    };
    assert_eq!(*sent.result.as_ref().unwrap(), 100);
    // SAFETY: as above.
    let mut received = unsafe {
        {
            let id = recv.user_data();
            recv.complete(result_of(id))
        }
    };
    let (n, flags) = *received.result.as_ref().unwrap();
    assert_eq!(n, 10);
    assert!(flags.normal_data_truncated(), "MSG_TRUNC");
    assert!(flags.control_data_truncated(), "MSG_CTRUNC");
    let fds = received.ancillary.take_owned_fds().unwrap();
    // `space_for_fds(1)` is 24 bytes on 64-bit, which holds two descriptors exactly.
    assert!(fds.len() < 3, "only what fit: {fds:?}");
    drop((fds, received, sent));
    assert_eq!(open_fd_count(), before, "nothing leaked");
}

#[test]
fn cancelled_receive_gives_everything_back_and_leaks_nothing() {
    let _lock = fd_lock();
    let Some(mut ring) = ring_or_skip(8) else {
        return;
    };
    let (a, b) = UnixStream::pair().unwrap();
    let before = open_fd_count();
    let recv = RecvMsg::new(vec![0; 8], AncillaryData::with_capacity(64))
        .prepare()
        .unwrap();
    // SAFETY: lives until `complete`.
    unsafe { submit(&mut ring, &[recv.entry(b.as_fd())]) };
    let cancel = opcode::AsyncCancel::new(recv.user_data())
        .build()
        .user_data(1);
    // SAFETY: the cancellation points at nothing.
    unsafe { submit(&mut ring, &[cancel]) };
    let done = wait_for(&mut ring, 2);
    let mine = done
        .iter()
        .find(|c| c.user_data == recv.user_data())
        .unwrap();
    assert_eq!(mine.result, -libc::ECANCELED);
    // SAFETY: submitted once; its completion.
    let received = unsafe { recv.complete(mine.result) };
    assert_eq!(
        received.result.as_ref().unwrap_err().raw_os_error(),
        Some(libc::ECANCELED)
    );
    assert_eq!(received.bufs[0].len(), 8, "the buffer comes back");
    drop(received);
    drop((a, b));
    assert_eq!(open_fd_count(), before - 2);
}

#[test]
fn cancel_racing_a_delivery_leaks_no_descriptor() {
    let _lock = fd_lock();
    let Some(mut ring) = ring_or_skip(8) else {
        return;
    };
    for _ in 0..50 {
        let (a, b) = UnixStream::pair().unwrap();
        let before = open_fd_count();
        let recv = RecvMsg::new(vec![0; 8], AncillaryData::with_capacity(64))
            .prepare()
            .unwrap();
        let send = SendMsg::new(vec![1])
            .fds(vec![temp_file(b"r")])
            .prepare()
            .unwrap();
        let cancel = opcode::AsyncCancel::new(recv.user_data())
            .build()
            .user_data(1);
        // SAFETY: the operations live until `complete`; the cancellation points at nothing.
        unsafe {
            submit(
                &mut ring,
                &[recv.entry(b.as_fd()), send.entry(a.as_fd()), cancel],
            )
        };
        let done = wait_for(&mut ring, 3);
        let result_of = |user_data| {
            done.iter()
                .find(|c| c.user_data == user_data)
                .unwrap()
                .result
        };
        // SAFETY: submitted once each; their completions.
        let received = unsafe {
            {
                let id = recv.user_data();
                recv.complete(result_of(id))
            }
        };
        // SAFETY: as above.
        let sent = unsafe {
            {
                let id = send.user_data();
                send.complete(result_of(id))
            }
        };
        drop((received, sent));
        drop(b); // A descriptor still queued in the socket is closed with it.
        assert_eq!(
            open_fd_count(),
            before - 1,
            "cancelled or delivered, nothing leaks"
        );
    }
}

#[test]
fn dropping_an_operation_in_flight_leaks_its_memory_instead_of_freeing_it() {
    let _lock = fd_lock();
    let Some(mut ring) = ring_or_skip(8) else {
        return;
    };
    let (a, b) = UnixDatagram::pair().unwrap();
    let recv = RecvMsg::new(vec![0; 64], AncillaryData::with_capacity(64))
        .prepare()
        .unwrap();
    let user_data = recv.user_data();
    // SAFETY: the operation is never completed: dropping it leaks its state, so the
    // memory stays valid for the kernel.
    unsafe { submit(&mut ring, &[recv.entry(b.as_fd())]) };
    drop(recv);
    // Reuse the heap: were the state freed, these allocations could take its place and
    // the kernel's write below would corrupt them.
    let canaries: Vec<Vec<u8>> = (0..64).map(|_| vec![0xAA; 64]).collect();
    let before = open_fd_count();
    let file = temp_file(b"late");
    let send = SendMsg::new(vec![0x55; 64])
        .fds(vec![file])
        .prepare()
        .unwrap();
    // SAFETY: lives until `complete`.
    unsafe { submit(&mut ring, &[send.entry(a.as_fd())]) };
    let done = wait_for(&mut ring, 2);
    let late = done.iter().find(|c| c.user_data == user_data).unwrap();
    assert_eq!(late.result, 64, "the kernel wrote into the leaked state");
    assert!(canaries.iter().all(|c| c.iter().all(|&b| b == 0xAA)));
    // SAFETY: submitted once; its completion.
    drop(unsafe { send.complete(64) });
    // The documented cost: the descriptor received into the dropped operation is owned by
    // nobody (one more open descriptor than before).
    assert_eq!(open_fd_count(), before + 1);
    let leaked = (0..1024).find(|&fd| {
        fd > 2 && fd != ring.as_raw_fd() && tests::is_open(fd) && {
            // SAFETY: a probe of a descriptor number.
            let borrowed = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
            tests::file_id(borrowed) != file_id(a.as_fd())
                && std::fs::read_link(format!("/proc/self/fd/{fd}"))
                    .is_ok_and(|p| p.to_string_lossy().contains("(deleted)"))
        }
    });
    if let Some(fd) = leaked {
        // SAFETY: the leaked copy is owned by nothing else in this test binary (the lock).
        drop(unsafe { <OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(fd) });
    }
}
