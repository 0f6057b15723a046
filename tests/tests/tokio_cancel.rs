//! Cancellation of every async form (`recv_async`, `recv_from_async`, `send_async`,
//! `send_to_async`) on tokio's Unix sockets, a stream's halves, and `AsyncFd` over std's
//! Unix sockets: a future dropped where
//! it waits, by `select!` and by `timeout`, has taken no message from the socket, sent
//! none, and leaves no descriptor open.
//!
//! The futures wait at one point: for the socket's readiness (the system call runs in the
//! same poll that sees it, and a call that succeeds completes the future). So each form is
//! dropped there with nothing to do (nothing queued, or a full send buffer), and once more,
//! for receives, with a message queued that the reactor has not seen yet; the message is
//! then received whole. The peer of the socket under test is a std socket, so that only
//! the side under test waits. Every test takes `fd_lock()`: they count `/proc/self/fd`.

use std::future::Future;
use std::io::{self, Write};
use std::os::unix::net::{SocketAddr, UnixDatagram as StdDatagram, UnixStream as StdStream};
use std::time::Duration;

use ancillary::{AncillaryData, MessageReceiver, MessageSender, RecvMessage, RecvOptions};
use tests::{
    borrow_all, distinct_fds, fd_lock, file_ids, open_fd_count, recv_into, send_fds, TempDir,
};
use tokio::io::unix::AsyncFd;
use tokio::net::{UnixDatagram, UnixStream};
use tokio::time::timeout;

/// How long a `timeout` lets a future wait before dropping it.
const WAIT: Duration = Duration::from_millis(10);
/// A guard against a hang: a message lost by a cancelled receive would be waited for
/// forever.
const HANG: Duration = Duration::from_secs(30);

/// Runs `test` on a current-thread runtime (its reactor runs only while the test waits)
/// and checks that as many descriptors are open after it as before.
fn no_leak(test: impl Future<Output = ()>) {
    let _guard = fd_lock();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let before = open_fd_count();
    rt.block_on(test);
    assert_eq!(open_fd_count(), before, "descriptors leaked");
}

/// Polls `future` once and drops it unless that poll completed it: a `select!` whose other
/// branch is always ready, polled second.
async fn poll_once<F: Future>(future: F) -> Option<F::Output> {
    tokio::select! {
        biased;
        output = future => Some(output),
        () = std::future::ready(()) => None,
    }
}

/// Checks a receive form: `$recv` makes a receive future of `$r`, a `MessageReceiver` of
/// `$socket` with room for two descriptors, whose output starts with the byte count.
/// Dropped while nothing is queued, by `select!` and by `timeout`; then `$peer` sends a
/// message with two descriptors, a first poll may still wait (the reactor has not seen it)
/// and is dropped; the message then arrives whole, with its descriptors.
macro_rules! check_recv {
    ($socket:expr, $peer:expr, |$r:ident| $recv:expr) => {{
        let mut buf = [0; 16];
        let mut ancillary = AncillaryData::with_capacity(AncillaryData::space_for_fds(2));
        let mut $r = MessageReceiver::new($socket, &mut buf);
        $r.ancillary_data(&mut ancillary);
        assert!(poll_once($recv).await.is_none(), "nothing was sent yet");
        assert!(timeout(WAIT, $recv).await.is_err(), "nothing was sent yet");

        let fds = distinct_fds(2);
        send_fds($peer, b"queued", &borrow_all(&fds)).unwrap();
        let received = match poll_once($recv).await {
            Some(result) => result,
            None => timeout(HANG, $recv)
                .await
                .expect("the message is still queued"),
        };
        let n = received.unwrap().0;
        drop($r);
        assert_eq!(&buf[..n], b"queued");
        let got = ancillary.take_owned_fds().expect("received");
        assert_eq!(file_ids(&got), file_ids(&fds));
    }};
}

/// Sends 1 KiB messages with `send` (on a non-blocking socket) until its send buffer is
/// full; returns the bytes sent.
fn fill(mut send: impl FnMut(&[u8]) -> io::Result<usize>) -> usize {
    let mut sent = 0;
    loop {
        match send(&[7; 1024]) {
            Ok(n) => sent += n,
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => return sent,
            Err(err) => panic!("fill: {err}"),
        }
    }
}

/// Receives until nothing is left on the non-blocking `socket`; returns the bytes, and
/// checks that no control data came with any of them.
fn drain(socket: &impl RecvMessage) -> usize {
    let mut ancillary = AncillaryData::with_capacity(AncillaryData::space_for_fds(2));
    let mut buf = vec![0; 64 * 1024];
    let mut received = 0;
    loop {
        match MessageReceiver::new(socket, &mut buf)
            .ancillary_data(&mut ancillary)
            .recv()
        {
            Ok((0, _)) => return received,
            Ok((n, _)) => received += n,
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => return received,
            Err(err) => panic!("drain: {err}"),
        }
        assert!(
            ancillary.control_messages().is_empty(),
            "no message of a dropped send"
        );
    }
}

/// Checks a send form on a socket whose send buffer holds `$filled` bytes and is full:
/// `$send` makes a send future of `$s`, a `MessageSender` of `$socket` with two
/// descriptors. Dropped while it waits, by `select!` and by `timeout`; the peer then finds
/// only the filler (a dropped send sent nothing), and the send goes through with its
/// descriptors.
macro_rules! check_send {
    ($socket:expr, $peer:expr, $filled:expr, |$s:ident| $send:expr) => {{
        let fds = distinct_fds(2);
        let mut ancillary = AncillaryData::new();
        ancillary.add_file_descriptors(&borrow_all(&fds));
        let mut $s = MessageSender::new($socket, b"last");
        $s.ancillary_data(&mut ancillary);
        assert!(poll_once($send).await.is_none(), "the send buffer is full");
        assert!(
            timeout(WAIT, $send).await.is_err(),
            "the send buffer is full"
        );

        let peer = $peer;
        assert_eq!(drain(peer), $filled, "only the filler arrived");
        timeout(HANG, $send).await.expect("room again").unwrap();
        drop($s);
        peer.set_nonblocking(false).unwrap();
        let mut received = AncillaryData::with_capacity(AncillaryData::space_for_fds(2));
        let mut buf = [0; 16];
        let (n, _) = recv_into(peer, &mut buf, &mut received, RecvOptions::new()).unwrap();
        assert_eq!(&buf[..n], b"last");
        let got = received.take_owned_fds().expect("received");
        assert_eq!(file_ids(&got), file_ids(&fds));
    }};
}

/// A std socket pair: the first end non-blocking, for tokio.
fn stream_pair() -> (StdStream, StdStream) {
    let (ours, peer) = StdStream::pair().unwrap();
    ours.set_nonblocking(true).unwrap();
    (ours, peer)
}

#[test]
fn recv_async_on_a_stream_and_its_halves() {
    no_leak(async {
        let (ours, peer) = stream_pair();
        let mut stream = UnixStream::from_std(ours).unwrap();
        check_recv!(&stream, &peer, |r| r.recv_async());
        {
            let (read, _write) = stream.split();
            check_recv!(&read, &peer, |r| r.recv_async());
        }
        let (read, _write) = stream.into_split();
        check_recv!(&read, &peer, |r| r.recv_async());
    });
}

#[test]
fn recv_async_and_recv_from_async_on_a_datagram_socket() {
    no_leak(async {
        let (ours, peer) = StdDatagram::pair().unwrap();
        ours.set_nonblocking(true).unwrap();
        let ours = UnixDatagram::from_std(ours).unwrap();
        check_recv!(&ours, &peer, |r| r.recv_async());
        check_recv!(&ours, &peer, |r| r.recv_from_async());
    });
}

/// A tokio stream whose send buffer is full, its std peer (non-blocking), and the bytes
/// that fill it.
fn full_stream() -> (UnixStream, StdStream, usize) {
    let (ours, peer) = stream_pair();
    peer.set_nonblocking(true).unwrap();
    let filled = fill(|bytes| (&ours).write(bytes));
    (UnixStream::from_std(ours).unwrap(), peer, filled)
}

#[test]
fn send_async_on_a_stream_and_its_halves() {
    no_leak(async {
        let (stream, peer, filled) = full_stream();
        check_send!(&stream, &peer, filled, |s| s.send_async());

        let (mut stream, peer, filled) = full_stream();
        let (_read, write) = stream.split();
        check_send!(&write, &peer, filled, |s| s.send_async());

        let (stream, peer, filled) = full_stream();
        let (_read, write) = stream.into_split();
        check_send!(&write, &peer, filled, |s| s.send_async());
    });
}

#[test]
fn send_async_and_send_to_async_on_datagram_sockets() {
    no_leak(async {
        let (ours, peer) = StdDatagram::pair().unwrap();
        ours.set_nonblocking(true).unwrap();
        peer.set_nonblocking(true).unwrap();
        let filled = fill(|bytes| ours.send(bytes));
        let ours = UnixDatagram::from_std(ours).unwrap();
        check_send!(&ours, &peer, filled, |s| s.send_async());

        let dir = TempDir::new("tokio-cancel");
        let path = dir.path().join("peer");
        let peer = StdDatagram::bind(&path).unwrap();
        peer.set_nonblocking(true).unwrap();
        let to = SocketAddr::from_pathname(&path).unwrap();
        let ours = StdDatagram::unbound().unwrap();
        ours.set_nonblocking(true).unwrap();
        let filled = fill(|bytes| ours.send_to_addr(bytes, &to));
        let ours = UnixDatagram::from_std(ours).unwrap();
        check_send!(&ours, &peer, filled, |s| s.send_to_async(&to));
    });
}

/// `std`'s `socket`, registered with tokio's reactor.
fn registered<T: std::os::fd::AsRawFd>(socket: T) -> AsyncFd<T> {
    // SAFETY: std's sockets own their descriptor, return it from every `as_raw_fd`, and
    // keep it open until the `AsyncFd` drops them.
    unsafe { AsyncFd::register(socket) }
        .map_err(|err| err.to_string())
        .expect("register")
}

#[test]
fn every_form_on_async_fd() {
    no_leak(async {
        let (ours, peer) = stream_pair();
        let ours = registered(ours);
        check_recv!(&ours, &peer, |r| r.recv_async());

        let (ours, peer) = StdDatagram::pair().unwrap();
        ours.set_nonblocking(true).unwrap();
        let ours = registered(ours);
        check_recv!(&ours, &peer, |r| r.recv_from_async());

        let (ours, peer) = stream_pair();
        peer.set_nonblocking(true).unwrap();
        let filled = fill(|bytes| (&ours).write(bytes));
        let ours = registered(ours);
        check_send!(&ours, &peer, filled, |s| s.send_async());

        let dir = TempDir::new("tokio-cancel-async-fd");
        let path = dir.path().join("peer");
        let peer = StdDatagram::bind(&path).unwrap();
        peer.set_nonblocking(true).unwrap();
        let to = SocketAddr::from_pathname(&path).unwrap();
        let ours = StdDatagram::unbound().unwrap();
        ours.set_nonblocking(true).unwrap();
        let filled = fill(|bytes| ours.send_to_addr(bytes, &to));
        let ours = registered(ours);
        check_send!(&ours, &peer, filled, |s| s.send_to_async(&to));
    });
}
