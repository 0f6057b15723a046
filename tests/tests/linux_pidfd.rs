//! `SCM_PIDFD` (Linux 6.5+): the kernel installs a pidfd of the sender in the receiver, so
//! the runtime must own it like an `SCM_RIGHTS` descriptor: never leaked, close-on-exec,
//! handed out as an `OwnedFd`.
#![cfg(target_os = "linux")]

use std::io;
use std::os::fd::{AsFd, AsRawFd};
use std::os::unix::net::UnixStream;

use ancillary::os::linux::SocketOptionsExt;
use ancillary::{AncillaryData, MessageReceiver, MessageSender};

/// Turns on `SO_PASSPIDFD`, or explains why the test cannot run here.
fn pass_pidfd(socket: &UnixStream) -> Result<(), String> {
    socket.set_passpidfd(true).map_err(|err| {
        format!("SO_PASSPIDFD is not supported here (kernel older than 6.5, or qemu-user): {err}")
    })
}

/// A connected pair whose second end has `SO_PASSPIDFD` on, or `None` (saying why it is
/// skipped) where the option does not exist.
fn pidfd_pair() -> Option<(UnixStream, UnixStream)> {
    let (a, b) = UnixStream::pair().unwrap();
    match pass_pidfd(&b) {
        Ok(()) => Some((a, b)),
        Err(reason) => {
            println!("skipped: {reason}");
            None
        }
    }
}

fn pidfd_pid(fd: std::os::fd::BorrowedFd<'_>) -> Option<i32> {
    let info = std::fs::read_to_string(format!("/proc/self/fdinfo/{}", fd.as_raw_fd())).ok()?;
    info.lines()
        .find_map(|line| line.strip_prefix("Pid:"))
        .and_then(|pid| pid.trim().parse().ok())
}

/// Sends `file` from `a` and receives it on `b` (with `SO_PASSPIDFD` on): the result owns
/// the passed descriptor and a pidfd.
fn pass_file(a: &UnixStream, b: &UnixStream, file: &std::fs::File) -> AncillaryData<'static> {
    let mut send = AncillaryData::new();
    send.add_file_descriptors(&[file.as_fd()]);
    MessageSender::new(a, b"x")
        .ancillary_data(&mut send)
        .send()
        .unwrap();
    let mut recv = AncillaryData::with_capacity(256);
    MessageReceiver::new(b, &mut [0; 1])
        .ancillary_data(&mut recv)
        .recv()
        .unwrap();
    recv
}

#[test]
fn pidfd_is_owned_refers_to_the_peer_and_is_cloexec() {
    let _guard = tests::fd_lock();
    let Some((a, b)) = pidfd_pair() else { return };
    let mut send = AncillaryData::new();
    MessageSender::new(&a, b"x")
        .ancillary_data(&mut send)
        .send()
        .unwrap();

    let mut recv = AncillaryData::with_capacity(256);
    let (n, result) = MessageReceiver::new(&b, &mut [0; 1])
        .ancillary_data(&mut recv)
        .recv()
        .unwrap();
    assert_eq!(n, 1);
    assert!(!result.control_data_truncated());
    assert!(recv.control_messages().iter().any(|m| {
        m.cmsg_level() == libc::SOL_SOCKET && m.cmsg_type() == 0x04 && m.data().len() == 4
    }));
    // An SCM_PIDFD is not an SCM_RIGHTS descriptor.
    assert_eq!(recv.take_owned_fds().map(|fds| fds.len()), Some(0));

    let pidfd = recv.take_pidfd().expect("an SCM_PIDFD message arrived");
    assert!(recv.take_pidfd().is_none(), "the pidfd is handed out once");
    assert!(
        tests::is_cloexec(pidfd.as_fd()),
        "the pidfd is close-on-exec"
    );
    // SAFETY: `pidfd` is an open pidfd; signal 0 only checks that the process exists and
    // may be signalled, and null `info` with flags 0 is the documented plain form.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_pidfd_send_signal,
            pidfd.as_raw_fd(),
            0,
            std::ptr::null::<libc::siginfo_t>(),
            0,
        )
    };
    assert_eq!(rc, 0, "pidfd_send_signal: {}", io::Error::last_os_error());
    if let Some(pid) = pidfd_pid(pidfd.as_fd()) {
        assert_eq!(
            pid,
            std::process::id() as i32,
            "the pidfd refers to the sender"
        );
    }
}

#[test]
fn untaken_pidfds_are_closed() {
    let _guard = tests::fd_lock();
    let Some((a, b)) = pidfd_pair() else { return };
    let file = std::fs::File::open("Cargo.toml").unwrap();
    let before = tests::open_fd_count();
    for round in 0..20 {
        let mut recv = pass_file(&a, &b, &file);
        // Every round brings a pidfd and an SCM_RIGHTS descriptor.
        assert!(tests::open_fd_count() >= before + 2, "round {round}");
        if round % 2 == 0 {
            recv.clear();
        }
        // Odd rounds: dropped with both descriptors untaken.
    }
    assert_eq!(
        tests::open_fd_count(),
        before,
        "no pidfd or passed fd leaked"
    );
}

#[test]
fn taking_the_rights_fds_again_neither_loses_nor_leaks_the_pidfd() {
    let _guard = tests::fd_lock();
    let Some((a, b)) = pidfd_pair() else { return };
    let file = std::fs::File::open("Cargo.toml").unwrap();
    let before = tests::open_fd_count();
    for round in 0..6 {
        let mut recv = pass_file(&a, &b, &file);
        // Take the SCM_RIGHTS descriptor, then ask again: the second, empty walk must not
        // make the buffer forget the pidfd it still owns.
        assert_eq!(recv.drain_fds().count(), 1, "round {round}");
        assert_eq!(recv.drain_fds().count(), 0, "round {round}");
        assert!(recv.take_owned_fds().is_none(), "round {round}");
        match round % 3 {
            0 => {
                let pidfd = recv.take_pidfd();
                assert!(pidfd.is_some(), "round {round}: the pidfd is still there");
            }
            1 => recv.clear(),
            _ => {} // dropped with the pidfd untaken
        }
        drop(recv);
        assert_eq!(
            tests::open_fd_count(),
            before,
            "round {round}: nothing leaked"
        );
    }
}

#[test]
fn taking_the_pidfd_first_leaves_the_rights_fds_owned() {
    let _guard = tests::fd_lock();
    let Some((a, b)) = pidfd_pair() else { return };
    let file = std::fs::File::open("Cargo.toml").unwrap();
    let before = tests::open_fd_count();
    let mut recv = pass_file(&a, &b, &file);
    // The walk for the pidfd sees the SCM_RIGHTS message too: that must not make the
    // buffer give up the descriptor in it.
    assert!(recv.take_pidfd().is_some());
    let fds = recv
        .take_owned_fds()
        .expect("the SCM_RIGHTS descriptor is still owned");
    assert_eq!(tests::file_ids(&fds), [tests::file_id(file.as_fd())]);
    drop((fds, recv));
    assert_eq!(tests::open_fd_count(), before, "nothing leaked");
}
