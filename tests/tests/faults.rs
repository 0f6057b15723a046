//! Fault injection: what a receiver and a sender see when the world misbehaves, and that
//! none of it leaks a descriptor.
//!
//! * `RLIMIT_NOFILE` too low for the passed descriptors (in a child process, so that the
//!   lowered limit cannot disturb other tests).
//! * A non-blocking socket with nothing to read.
//! * A peer that has gone (`EPIPE`, `SIGPIPE`, end of stream).
//! * Fixed storage too small for what was added.
//! * `MSG_PEEK` on a message that carries descriptors.
//!
//! Every test in the parent process takes [`fd_lock`], because they count open
//! descriptors (`/proc/self/fd`); a test run in a child process is the only test running
//! there.

#![cfg(target_os = "linux")]

use std::io;
use std::mem::MaybeUninit;
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::{UnixDatagram, UnixStream};
use std::process::Command;

use ancillary::{
    AncillaryData, ControlMessage, MessageReceiver, MessageSender, RecvMessage, RecvOptions,
    RecvResult, SendMessage, SendOptions,
};
use tests::{
    borrow_all, distinct_fds, fd_lock, file_ids, is_open, open_fd_count, raw_rights, recv_into,
    send_fds, skipped, under_qemu, QEMU_LOSES_CTRUNC,
};

// ----- running a test body in a child process -------------------------------------------

/// The environment variable that tells a re-executed test binary which test it runs as a
/// child.
const CHILD_ENV: &str = "ANCILLARY_FAULTS_CHILD";

/// Whether this process is the child that should run the body of test `name`.
///
/// In the parent (the ordinary test run) this re-executes the test binary running only
/// `name` (`--exact`, one test thread), with [`CHILD_ENV`] set, waits for it, fails if the
/// child failed (showing its output), and returns `false`: the parent's test is then done.
/// In the child it returns `true`, and the test's body runs there, alone in its process.
///
/// Re-executing is used rather than `fork`: the test harness is multi-threaded, and after
/// `fork` only async-signal-safe calls would be allowed (no allocation, no `std::fs`).
fn in_child(name: &str) -> bool {
    if std::env::var_os(CHILD_ENV).is_some_and(|v| v == name) {
        return true;
    }
    // The child's pipes are descriptors of this process while it runs.
    let _lock = fd_lock();
    let exe = std::env::current_exe().expect("current_exe");
    // Under qemu-user (CI's i686 and s390x runs) the child must go through the same
    // emulator: `ANCILLARY_UNDER_QEMU` holds the runner command.
    let runner = std::env::var("ANCILLARY_UNDER_QEMU").unwrap_or_default();
    let mut command = match runner.split_whitespace().collect::<Vec<_>>().split_first() {
        Some((program, args)) => {
            let mut command = Command::new(program);
            command.args(args).arg(&exe);
            command
        }
        None => Command::new(&exe),
    };
    let output = command
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, name)
        .output()
        .expect("re-execute the test binary");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "child running {name} failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        output.status
    );
    // Pass on what the child said it skipped, for CI's tally.
    // (The harness prints the test's name on the same line, before the test's output.)
    for line in stdout.lines() {
        if let Some(at) = line.find("skipped: ") {
            println!("{}", &line[at..]);
        }
    }
    // Guard against a filter that matched nothing (a renamed test would pass vacuously).
    assert!(
        stdout.contains("1 passed"),
        "child did not run {name}:\n{stdout}"
    );
    false
}

/// A test whose body runs in a child process of its own (see [`in_child`]): the name is
/// written once, so the filter cannot go stale.
macro_rules! child_test {
    ($(#[$meta:meta])* fn $name:ident() $body:block) => {
        $(#[$meta])*
        #[test]
        fn $name() {
            if in_child(stringify!($name)) $body
        }
    };
}

/// Asserts `MSG_CTRUNC`, except under qemu-user, which loses the flag (and says so).
fn assert_ctrunc(result: RecvResult, what: &str) {
    if under_qemu() {
        skipped(&format!("{what}: MSG_CTRUNC"), QEMU_LOSES_CTRUNC);
    } else {
        assert!(
            result.control_data_truncated(),
            "{what}: MSG_CTRUNC must be set"
        );
    }
}

fn nofile_limit() -> libc::rlimit {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one `rlimit` into the exclusively borrowed `limit`.
    let rc = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
    assert_eq!(rc, 0, "getrlimit: {}", io::Error::last_os_error());
    limit
}

fn set_nofile_soft_limit(soft: libc::rlim_t) {
    let limit = libc::rlimit {
        rlim_cur: soft,
        rlim_max: nofile_limit().rlim_max,
    };
    // SAFETY: setrlimit reads one `rlimit`; a soft limit at or below the hard limit only
    // changes which descriptor numbers this (child) process can open from now on.
    let rc = unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) };
    assert_eq!(rc, 0, "setrlimit: {}", io::Error::last_os_error());
}

/// The lowest `k` descriptor numbers not open in this process (probed with `fcntl`, which
/// opens nothing).
fn lowest_free_fds(k: usize) -> Vec<RawFd> {
    (0..).filter(|&fd| !is_open(fd)).take(k).collect()
}

/// Sends `sent` (8 descriptors) to a receiver whose soft `RLIMIT_NOFILE` leaves exactly
/// `free` descriptor numbers, receives with room for all 8, and checks what arrived.
/// `take` says whether the test takes the descriptors or leaves them to be closed on
/// drop. Runs in a child process.
fn receive_at_the_fd_limit(free: usize, take: bool, fixed_storage: bool) {
    const SENT: usize = 8;
    let sent = distinct_fds(SENT);
    let (a, b) = UnixStream::pair().unwrap();
    send_fds(&a, b"x", &borrow_all(&sent)).unwrap();

    let mut backing = [MaybeUninit::uninit(); AncillaryData::space_for_fds(SENT) + 8];
    let mut ancillary = if fixed_storage {
        AncillaryData::with_storage(&mut backing)
    } else {
        AncillaryData::with_capacity(AncillaryData::space_for_fds(SENT))
    };
    assert!(ancillary.capacity() >= AncillaryData::space_for_fds(SENT));
    let before = open_fd_count();
    let saved = nofile_limit();

    // The soft limit at one past the `free`-th free number: exactly `free` numbers can be
    // allocated (`free` = 0: none).
    let expected_numbers = lowest_free_fds(free.max(1));
    let soft = if free == 0 {
        expected_numbers[0]
    } else {
        expected_numbers[free - 1] + 1
    };
    set_nofile_soft_limit(soft as libc::rlim_t);
    let received = recv_into(&b, &mut [0; 1], &mut ancillary, RecvOptions::new());
    set_nofile_soft_limit(saved.rlim_cur);

    let (n, result) = received.expect("the receive itself succeeds");
    assert_eq!(n, 1, "the data byte arrives");
    assert_ctrunc(result, &format!("{free} free"));
    let numbers = raw_rights(ancillary.control_messages());
    assert_eq!(
        numbers,
        &expected_numbers[..free],
        "the kernel installed the descriptors that fit, in the free numbers"
    );
    assert!(numbers.iter().all(|&fd| is_open(fd)));
    // Every message that did arrive is whole: the kernel shortens `cmsg_len` to the
    // descriptors it installed.
    assert!(ancillary.control_messages().iter().all(|m| !m.truncated()));
    assert_eq!(
        open_fd_count(),
        before + free,
        "owned: exactly what arrived"
    );

    if take {
        let got = ancillary.take_owned_fds().expect("a receive happened");
        assert_eq!(got.len(), free);
        assert_eq!(
            file_ids(&got),
            file_ids(&sent[..free]),
            "first ones, in order"
        );
        drop(ancillary);
        assert_eq!(open_fd_count(), before + free, "taken ones stay open");
        drop(got);
    } else {
        drop(ancillary);
    }
    assert_eq!(open_fd_count(), before, "nothing leaked");
    for fd in numbers {
        assert!(!is_open(fd), "fd {fd} was closed");
    }

    // The message was consumed: the rest of the descriptors are gone with it (the kernel
    // dropped its references), and the socket is empty.
    b.set_nonblocking(true).unwrap();
    let mut again = AncillaryData::with_capacity(AncillaryData::space_for_fds(SENT));
    let err = recv_into(&b, &mut [0; 1], &mut again, RecvOptions::new()).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
}

child_test! {
    fn fd_limit_three_free_heap_storage_taken() {
        receive_at_the_fd_limit(3, true, false);
    }
}

child_test! {
    fn fd_limit_three_free_fixed_storage_dropped() {
        receive_at_the_fd_limit(3, false, true);
    }
}

child_test! {
    fn fd_limit_none_free() {
        receive_at_the_fd_limit(0, true, false);
    }
}

child_test! {
    fn recv_from_an_unnamed_sender_at_the_fd_limit_needs_no_descriptor() {
        // The first `recv_from` of this process from an unnamed sender, with every
        // descriptor number taken (the one descriptor sent fills the last one): building
        // the sender's unnamed address must not need a socket of its own, or the message,
        // already consumed, would be lost behind `EMFILE`.
        let sent = distinct_fds(1);
        let (a, b) = UnixDatagram::pair().unwrap();
        send_fds(&a, b"x", &borrow_all(&sent)).unwrap();
        let mut ancillary = AncillaryData::with_capacity(AncillaryData::space_for_fds(1));
        let free = lowest_free_fds(1);
        let saved = nofile_limit();
        set_nofile_soft_limit((free[0] + 1) as libc::rlim_t);
        let received = MessageReceiver::new(&b, &mut [0; 2])
            .ancillary_data(&mut ancillary)
            .recv_from();
        let at_limit = UnixDatagram::unbound().map(drop);
        set_nofile_soft_limit(saved.rlim_cur);
        assert_eq!(
            at_limit.unwrap_err().raw_os_error(),
            Some(libc::EMFILE),
            "no descriptor number was free after the receive"
        );
        let (n, _, from) = received.expect("the receive and the address conversion succeed");
        assert_eq!(n, 1);
        assert!(from.is_unnamed());
        assert_eq!(raw_rights(ancillary.control_messages()), free);
    }
}

child_test! {
    fn fd_limit_one_free_with_credentials() {
        // With SO_PASSCRED the credentials still arrive (they need no descriptor), before
        // the shortened SCM_RIGHTS.
        let sent = distinct_fds(4);
        let (a, b) = UnixDatagram::pair().unwrap();
        tests::set_passcred(&b);
        send_fds(&a, b"x", &borrow_all(&sent)).unwrap();
        let room =
            ancillary::cmsg_space(size_of::<libc::ucred>()) + AncillaryData::space_for_fds(4);
        let mut ancillary = AncillaryData::with_capacity(room);
        let before = open_fd_count();
        let free = lowest_free_fds(1);
        let saved = nofile_limit();
        set_nofile_soft_limit((free[0] + 1) as libc::rlim_t);
        let received = recv_into(&b, &mut [0; 1], &mut ancillary, RecvOptions::new());
        set_nofile_soft_limit(saved.rlim_cur);
        let (_, result) = received.unwrap();
        assert_ctrunc(result, "1 free");
        let kinds: Vec<_> = ancillary
            .control_messages()
            .iter()
            .map(|m| (m.cmsg_level(), m.cmsg_type(), m.data().len()))
            .collect();
        assert_eq!(
            kinds,
            [
                (
                    libc::SOL_SOCKET,
                    libc::SCM_CREDENTIALS,
                    size_of::<libc::ucred>()
                ),
                (libc::SOL_SOCKET, libc::SCM_RIGHTS, size_of::<libc::c_int>()),
            ]
        );
        assert_eq!(raw_rights(ancillary.control_messages()), free);
        let [fd] = ancillary.take_exact_fds().unwrap();
        assert_eq!(file_ids(&[fd]), file_ids(&sent[..1]));
        drop(ancillary);
        assert_eq!(open_fd_count(), before, "nothing leaked");
    }
}

child_test! {
    fn a_received_descriptor_numbered_0_is_handed_out() {
        // With stdin closed, the kernel installs the received descriptor as number 0, the
        // lowest free one: a valid descriptor like any other, not a sentinel.
        let sent = distinct_fds(1);
        let (a, b) = UnixDatagram::pair().unwrap();
        send_fds(&a, b"x", &borrow_all(&sent)).unwrap();
        send_fds(&a, b"y", &borrow_all(&sent)).unwrap();
        // SAFETY: closing this child process's stdin, which nothing here reads.
        assert_eq!(unsafe { libc::close(0) }, 0);

        let mut ancillary = AncillaryData::with_capacity(AncillaryData::space_for_fds(1));
        recv_into(&b, &mut [0; 1], &mut ancillary, RecvOptions::new()).unwrap();
        assert_eq!(raw_rights(ancillary.control_messages()), [0]);
        let drained: Vec<_> = ancillary.drain_fds().collect();
        assert_eq!(drained.len(), 1, "drain_fds hands out descriptor 0");
        assert_eq!(drained[0].as_raw_fd(), 0);
        assert_eq!(file_ids(&drained), file_ids(&sent));
        drop(drained);

        // Closed again by the drop above, so the next one is 0 too.
        recv_into(&b, &mut [0; 1], &mut ancillary, RecvOptions::new()).unwrap();
        let [fd] = ancillary.take_exact_fds().unwrap();
        assert_eq!(fd.as_raw_fd(), 0);
        assert_eq!(file_ids(&[fd]), file_ids(&sent));
    }
}

// ----- non-blocking, nothing to read ----------------------------------------------------

/// A receive clears the `AncillaryData` *before* calling `recvmsg` (closing descriptors an
/// earlier receive left in it), so a receive that fails, here with `WouldBlock`, leaves it
/// empty rather than holding stale messages that look fresh.
fn would_block_leaves_it_empty<S: SendMessage + RecvMessage>(
    a: &S,
    b: &S,
    ancillary: &mut AncillaryData<'_>,
) {
    let sent = distinct_fds(3);
    let before = open_fd_count();

    // Empty socket, empty value.
    let err = recv_into(b, &mut [0; 1], ancillary, RecvOptions::new()).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
    assert!(ancillary.control_messages().is_empty());
    assert!(ancillary.take_owned_fds().is_none(), "nothing was received");

    // A value holding received descriptors that were not taken.
    send_fds(a, b"x", &borrow_all(&sent)).unwrap();
    recv_into(b, &mut [0; 1], ancillary, RecvOptions::new()).unwrap();
    let numbers = raw_rights(ancillary.control_messages());
    assert_eq!(numbers.len(), 3);
    assert_eq!(open_fd_count(), before + 3);

    let err = recv_into(b, &mut [0; 1], ancillary, RecvOptions::new()).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
    assert!(ancillary.control_messages().is_empty(), "cleared");
    assert!(ancillary.take_owned_fds().is_none());
    assert_eq!(
        open_fd_count(),
        before,
        "the untaken descriptors were closed"
    );
    for fd in numbers {
        assert!(!is_open(fd));
    }
    // And it still works afterwards.
    send_fds(a, b"y", &borrow_all(&sent[..1])).unwrap();
    recv_into(b, &mut [0; 1], ancillary, RecvOptions::new()).unwrap();
    let [fd] = ancillary.take_exact_fds().unwrap();
    assert_eq!(file_ids(&[fd]), file_ids(&sent[..1]));
}

#[test]
fn nonblocking_stream_with_nothing_to_read() {
    let _lock = fd_lock();
    let (a, b) = UnixStream::pair().unwrap();
    b.set_nonblocking(true).unwrap();
    let mut heap = AncillaryData::with_capacity(AncillaryData::space_for_fds(3));
    would_block_leaves_it_empty(&a, &b, &mut heap);
    let mut backing = [MaybeUninit::uninit(); AncillaryData::space_for_fds(3) + 7];
    let mut fixed = AncillaryData::with_storage(&mut backing[3..]);
    would_block_leaves_it_empty(&a, &b, &mut fixed);
}

#[test]
fn nonblocking_datagram_with_nothing_to_read() {
    let _lock = fd_lock();
    let (a, b) = UnixDatagram::pair().unwrap();
    b.set_nonblocking(true).unwrap();
    let mut heap = AncillaryData::with_capacity(AncillaryData::space_for_fds(3));
    would_block_leaves_it_empty(&a, &b, &mut heap);
}

#[test]
fn dontwait_on_a_blocking_socket_with_nothing_to_read() {
    let _lock = fd_lock();
    let (_a, b) = UnixStream::pair().unwrap();
    let mut ancillary = AncillaryData::with_capacity(64);
    let err = recv_into(
        &b,
        &mut [0; 1],
        &mut ancillary,
        *RecvOptions::new().custom_flags(libc::MSG_DONTWAIT),
    )
    .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
    assert!(ancillary.control_messages().is_empty());
}

// ----- the peer has gone ----------------------------------------------------------------

/// Whether `SIGPIPE` is ignored in this process, as the Rust runtime arranges before `main`
/// (the test harness's `main` included). Only then does a send without `MSG_NOSIGNAL` fail
/// with `EPIPE` instead of killing the process.
fn sigpipe_is_ignored() -> bool {
    // SAFETY: `sigaction` is plain data; all zeroes is a valid value.
    let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: a null `act` only queries the disposition, written into `old`.
    let rc = unsafe { libc::sigaction(libc::SIGPIPE, std::ptr::null(), &mut old) };
    assert_eq!(rc, 0);
    old.sa_sigaction == libc::SIG_IGN
}

#[test]
fn sending_to_a_closed_stream_is_epipe_with_or_without_no_signal() {
    let _lock = fd_lock();
    let sent = distinct_fds(2);
    let (a, b) = UnixStream::pair().unwrap();
    drop(b);
    let before = open_fd_count();

    // With MSG_NOSIGNAL: EPIPE and no signal, whatever the signal's disposition.
    let mut ancillary = AncillaryData::new();
    ancillary.add_file_descriptors(&borrow_all(&sent));
    let err = MessageSender::new(&a, b"x")
        .ancillary_data(&mut ancillary)
        .options(*SendOptions::new().no_signal(true))
        .send()
        .unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::EPIPE));
    assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);

    // Without it the kernel also raises SIGPIPE; Rust programs ignore that signal by
    // default, so the send still just fails with EPIPE. (A program that restores the
    // default disposition would be killed here: set `no_signal(true)` in libraries.)
    assert!(sigpipe_is_ignored(), "the Rust runtime ignores SIGPIPE");
    let err = MessageSender::new(&a, b"x")
        .ancillary_data(&mut ancillary)
        .send()
        .unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::EPIPE));

    // The failed sends changed nothing: the descriptors are still the sender's, and the
    // value can be sent again.
    assert_eq!(raw_rights(ancillary.control_messages()).len(), 2);
    drop(ancillary);
    assert_eq!(open_fd_count(), before);
    assert!(sent.iter().all(|fd| is_open(fd.as_raw_fd())));
}

#[test]
fn sending_to_a_closed_datagram_peer_fails() {
    let _lock = fd_lock();
    let sent = distinct_fds(1);
    let (a, b) = UnixDatagram::pair().unwrap();
    drop(b);
    let before = open_fd_count();
    let err = {
        let mut ancillary = AncillaryData::new();
        ancillary.add_file_descriptors(&borrow_all(&sent));
        MessageSender::new(&a, b"x")
            .ancillary_data(&mut ancillary)
            .options(*SendOptions::new().no_signal(true))
            .send()
            .unwrap_err()
    };
    // Linux: a connected datagram socket whose peer has gone fails with ECONNREFUSED.
    assert_eq!(err.raw_os_error(), Some(libc::ECONNREFUSED), "{err}");
    assert_eq!(open_fd_count(), before);
}

#[test]
fn receiving_from_a_closed_stream_gives_0_bytes_and_no_fds() {
    let _lock = fd_lock();
    let sent = distinct_fds(2);
    let (a, b) = UnixStream::pair().unwrap();
    // What was sent before the close still arrives, descriptors included.
    send_fds(&a, b"x", &borrow_all(&sent)).unwrap();
    drop(a);
    let before = open_fd_count();
    let mut ancillary = AncillaryData::with_capacity(AncillaryData::space_for_fds(2));
    let (n, _) = recv_into(&b, &mut [0; 4], &mut ancillary, RecvOptions::new()).unwrap();
    assert_eq!(n, 1);
    assert_eq!(open_fd_count(), before + 2);

    // Then end of stream: 0 bytes, no control data, and the earlier descriptors (not
    // taken) are closed by the receive's clear.
    for _ in 0..3 {
        let (n, result) = recv_into(&b, &mut [0; 4], &mut ancillary, RecvOptions::new()).unwrap();
        assert_eq!(n, 0);
        assert!(!result.control_data_truncated());
        assert!(ancillary.control_messages().is_empty());
        assert_eq!(ancillary.take_owned_fds().map(|fds| fds.len()), Some(0));
        assert_eq!(open_fd_count(), before);
    }
}

#[test]
fn descriptors_in_flight_to_a_closed_receiver_are_released() {
    let _lock = fd_lock();
    let before = open_fd_count();
    {
        let sent = distinct_fds(4);
        let (a, b) = UnixStream::pair().unwrap();
        send_fds(&a, b"x", &borrow_all(&sent)).unwrap();
        // `b` never reads: closing it drops the queued message and its references.
        drop(b);
        let err = send_fds(&a, b"x", &borrow_all(&sent)).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
    }
    assert_eq!(open_fd_count(), before);
}

// ----- fixed storage too small ----------------------------------------------------------

#[test]
fn fixed_storage_too_small_fails_before_any_system_call() {
    let _lock = fd_lock();
    let sent = distinct_fds(4);
    let (a, b) = UnixDatagram::pair().unwrap();
    b.set_nonblocking(true).unwrap();
    let before = open_fd_count();

    // Room for one descriptor; four are added.
    let mut backing = [MaybeUninit::uninit(); AncillaryData::space_for_fds(1)];
    let mut ancillary = AncillaryData::with_storage(&mut backing);
    let err = ancillary
        .try_add_file_descriptors(&borrow_all(&sent))
        .unwrap_err();
    assert!(err.needed() > err.capacity());
    assert!(ancillary.control_messages().is_empty(), "try_ adds nothing");
    ancillary.add_file_descriptors(&borrow_all(&sent));
    assert_refused_and_nothing_arrives(&a, &b, &mut ancillary);

    // Also for a message that does not fit after one that does.
    let mut backing = [MaybeUninit::uninit(); AncillaryData::space_for_fds(1) + 8];
    let mut ancillary = AncillaryData::with_storage(&mut backing);
    ancillary.add_file_descriptors(&borrow_all(&sent[..1]));
    ancillary.add_control_message(ControlMessage::new(
        libc::SOL_SOCKET,
        libc::SCM_RIGHTS,
        &[0; 64],
    ));
    assert_refused_and_nothing_arrives(&a, &b, &mut ancillary);
    assert_eq!(open_fd_count(), before);
}

/// A send of an overflowed `ancillary` fails with `InvalidInput` (a `CapacityError`), and
/// the peer receives nothing: not the data, not a part of the control data.
fn assert_refused_and_nothing_arrives(
    a: &UnixDatagram,
    b: &UnixDatagram,
    ancillary: &mut AncillaryData<'_>,
) {
    let err = MessageSender::new(a, b"x")
        .ancillary_data(ancillary)
        .send()
        .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    assert!(err
        .get_ref()
        .is_some_and(|e| e.is::<ancillary::CapacityError>()));
    let mut got = AncillaryData::with_capacity(AncillaryData::space_for_fds(4));
    let err = recv_into(b, &mut [0; 1], &mut got, RecvOptions::new()).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
}

#[test]
fn the_size_check_comes_before_the_system_call() {
    let _lock = fd_lock();
    // On a socket whose peer has gone, a send that reached `sendmsg` would fail with
    // EPIPE; an overflowed value fails with InvalidInput instead, so it never got there.
    let sent = distinct_fds(2);
    let (a, b) = UnixStream::pair().unwrap();
    drop(b);
    let mut backing = [MaybeUninit::uninit(); 8];
    let mut ancillary = AncillaryData::with_storage(&mut backing);
    ancillary.add_file_descriptors(&borrow_all(&sent));
    let err = MessageSender::new(&a, b"x")
        .ancillary_data(&mut ancillary)
        .options(*SendOptions::new().no_signal(true))
        .send()
        .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{err}");
}

// ----- MSG_PEEK -------------------------------------------------------------------------

/// What Linux does with descriptors on `MSG_PEEK` (checked on this kernel): every peek
/// installs a *fresh* copy of each descriptor of the peeked message in the receiver (new
/// numbers, same open files), and leaves the message with its descriptors queued, so the
/// real receive installs them once more. Each `AncillaryData` owns what its peek
/// installed and closes it, so N peeks and a receive leak nothing.
fn peek_then_receive<S: SendMessage + RecvMessage>(a: &S, b: &S) {
    const PEEKS: usize = 5;
    let sent = distinct_fds(3);
    send_fds(a, b"peek", &borrow_all(&sent)).unwrap();
    let before = open_fd_count();

    let peek = *RecvOptions::new().peek(true);
    let mut peeked: Vec<AncillaryData<'static>> = Vec::new();
    for _ in 0..PEEKS {
        let mut ancillary = AncillaryData::with_capacity(AncillaryData::space_for_fds(3));
        let mut buf = [0; 4];
        let (n, result) = recv_into(b, &mut buf, &mut ancillary, peek).unwrap();
        assert_eq!(&buf[..n], b"peek");
        assert!(!result.control_data_truncated());
        assert_eq!(raw_rights(ancillary.control_messages()).len(), 3);
        peeked.push(ancillary);
    }
    let mut numbers: Vec<RawFd> = peeked
        .iter()
        .flat_map(|p| raw_rights(p.control_messages()))
        .collect();
    assert_eq!(open_fd_count(), before + 3 * PEEKS, "each peek installed 3");
    numbers.sort_unstable();
    numbers.dedup();
    assert_eq!(numbers.len(), 3 * PEEKS, "all of them new numbers");
    for p in &mut peeked[..2] {
        assert_eq!(file_ids(&p.take_owned_fds().unwrap()), file_ids(&sent));
    }
    drop(peeked);
    assert_eq!(
        open_fd_count(),
        before,
        "every peeked descriptor was closed"
    );

    // Peeking repeatedly into one value: each peek's clear closes the previous copies.
    let mut ancillary = AncillaryData::with_capacity(AncillaryData::space_for_fds(3));
    for _ in 0..PEEKS {
        recv_into(b, &mut [0; 4], &mut ancillary, peek).unwrap();
        assert_eq!(open_fd_count(), before + 3);
    }
    // A peek into a buffer too small: MSG_CTRUNC, the kernel closes the copies that did
    // not fit, and the message stays queued whole.
    // (The room for one descriptor holds as many as its padding allows: 2 on 64-bit.)
    if under_qemu() {
        // qemu-user gives the host kernel a larger buffer and closes none of the extra
        // descriptors: the emulator would leak them, not the crate.
        skipped("a peek into a too-small buffer", QEMU_LOSES_CTRUNC);
    } else {
        let mut small = AncillaryData::with_capacity(AncillaryData::space_for_fds(1));
        let fit = (small.capacity() - ancillary::HEADER_LEN) / size_of::<libc::c_int>();
        assert!(fit < 3);
        let (_, result) = recv_into(b, &mut [0; 4], &mut small, peek).unwrap();
        assert!(result.control_data_truncated());
        assert_eq!(raw_rights(small.control_messages()).len(), fit);
        assert_eq!(open_fd_count(), before + 3 + fit);
    }

    // The real receive gets all three, once more.
    let (n, result) = recv_into(b, &mut [0; 4], &mut ancillary, RecvOptions::new()).unwrap();
    assert_eq!(n, 4);
    assert!(!result.control_data_truncated());
    let got = ancillary.take_owned_fds().unwrap();
    assert_eq!(file_ids(&got), file_ids(&sent));
    drop(got);
    drop(ancillary);
    assert_eq!(open_fd_count(), before, "nothing leaked");
}

#[test]
fn msg_peek_on_a_stream_installs_fresh_fds_each_time_and_leaks_none() {
    let _lock = fd_lock();
    let (a, b) = UnixStream::pair().unwrap();
    peek_then_receive(&a, &b);
    b.set_nonblocking(true).unwrap();
    let mut ancillary = AncillaryData::with_capacity(64);
    let err = recv_into(&b, &mut [0; 4], &mut ancillary, RecvOptions::new()).unwrap_err();
    assert_eq!(
        err.kind(),
        io::ErrorKind::WouldBlock,
        "the message was consumed"
    );
}

#[test]
fn msg_peek_on_a_datagram_installs_fresh_fds_each_time_and_leaks_none() {
    let _lock = fd_lock();
    let (a, b) = UnixDatagram::pair().unwrap();
    peek_then_receive(&a, &b);
}
