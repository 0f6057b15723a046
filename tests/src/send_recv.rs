//! Sending and receiving: the send-and-receive set-ups the tests share, and socket
//! options set by hand.

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::os::unix::net::UnixStream;

use ancillary::{
    AncillaryData, MessageReceiver, MessageSender, RecvMessage, RecvOptions, RecvResult,
    SendMessage,
};

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
