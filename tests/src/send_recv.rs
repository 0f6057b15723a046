//! Sending and receiving: the send-and-receive set-ups the tests share, and socket
//! options set by hand.

use std::io;
use std::os::fd::BorrowedFd;
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
pub fn set_passcred(socket: impl std::os::fd::AsFd) {
    use ancillary::os::linux::SocketOptionsExt;
    socket.set_passcred(true).expect("setsockopt(SO_PASSCRED)");
}
