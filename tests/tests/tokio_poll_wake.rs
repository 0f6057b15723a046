//! Each poll form on each of tokio's socket types (a `UnixStream`, its halves borrowed and
//! owned, `TcpStream`, `UnixDatagram`, `UdpSocket`) and on `AsyncFd`, driven as a
//! hand-written future drives it: a first poll with nothing to do is `Pending`, the
//! kernel's readiness (a message queued, room made in a full send buffer) wakes the waker
//! it registered, and the next poll completes. `UdpSocket`'s sends are left out: on loopback a
//! UDP send hands the datagram over at once (or drops it), so its send buffer never fills.

use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::net::{TcpListener, TcpStream as StdTcp, UdpSocket as StdUdp};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::net::{UnixDatagram as StdDatagram, UnixStream as StdStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use ancillary::tokio::PollSendMessageTo;
use ancillary::tokio::{PollRecvMessage, PollRecvMessageFrom, PollSendMessage};
use ancillary::{AncillaryData, RecvOptions, SendMessage, SendOptions};
use tests::{borrow_all, distinct_fds, file_ids, send_fds, TempDir};
use tokio::io::unix::AsyncFd;
use tokio::net::{TcpStream, UdpSocket, UnixDatagram, UnixStream};

/// A guard against a hang: how long a wake may take.
const HANG: Duration = Duration::from_secs(30);

/// A waker that records that it was woken.
#[derive(Default)]
struct Woken(AtomicBool);

impl Wake for Woken {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Polls `poll` with a recording waker: `Pending`, and not woken while the reactor runs;
/// then `unblock` makes the socket ready, the reactor runs until the waker is woken, and
/// the next poll's result is returned.
async fn pending_then_woken<T>(
    mut poll: impl FnMut(&mut Context<'_>) -> Poll<io::Result<T>>,
    unblock: impl FnOnce(),
) -> T {
    let woken = Arc::new(Woken::default());
    let waker = Waker::from(Arc::clone(&woken));
    let mut cx = Context::from_waker(&waker);
    assert!(poll(&mut cx).is_pending(), "nothing to do yet");
    // The reactor sees the socket's other readiness (a socket with room to send is
    // writable): it must not wake a waker registered for this one.
    tokio::time::sleep(Duration::from_millis(10)).await;
    assert!(!woken.0.load(Ordering::SeqCst), "woken with nothing to do");
    unblock();
    let woken_up = async {
        while !woken.0.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    };
    tokio::time::timeout(HANG, woken_up)
        .await
        .expect("the readiness woke the waker");
    match poll(&mut cx) {
        Poll::Ready(result) => result.expect("the call, once ready"),
        Poll::Pending => panic!("woken, yet pending"),
    }
}

/// A receive's poll form, given one buffer and the ancillary data; the bytes received.
trait RecvForm:
    FnMut(&mut Context<'_>, &mut [u8], &mut AncillaryData<'static>) -> Poll<io::Result<usize>>
{
}

impl<F> RecvForm for F where
    F: FnMut(&mut Context<'_>, &mut [u8], &mut AncillaryData<'static>) -> Poll<io::Result<usize>>
{
}

/// `poll_recv_message` on `socket`.
fn recv(socket: &impl PollRecvMessage) -> impl RecvForm + '_ {
    |cx: &mut Context<'_>, buf: &mut [u8], ancillary: &mut AncillaryData<'static>| {
        let bufs = &mut [IoSliceMut::new(buf)];
        socket
            .poll_recv_message(cx, bufs, ancillary, RecvOptions::new())
            .map_ok(|(n, _)| n)
    }
}

/// `poll_recv_message_from` on `socket`.
fn recv_from(socket: &impl PollRecvMessageFrom) -> impl RecvForm + '_ {
    |cx: &mut Context<'_>, buf: &mut [u8], ancillary: &mut AncillaryData<'static>| {
        let bufs = &mut [IoSliceMut::new(buf)];
        socket
            .poll_recv_message_from(cx, bufs, ancillary, RecvOptions::new())
            .map_ok(|(n, _, _)| n)
    }
}

/// A receive form with nothing queued waits, and is woken by what `send` then queues; the
/// bytes and descriptors received.
async fn woken_recv(mut form: impl RecvForm, send: impl FnOnce()) -> (Vec<u8>, Vec<OwnedFd>) {
    let mut buf = [0; 16];
    let mut ancillary = AncillaryData::with_capacity(AncillaryData::space_for_fds(2));
    let n = pending_then_woken(|cx| form(cx, &mut buf, &mut ancillary), send).await;
    (buf[..n].to_vec(), ancillary.drain_fds().collect())
}

/// A receive form on a Unix socket receives what `peer` sends: data and two descriptors.
async fn check_unix_recv(form: impl RecvForm, peer: &impl SendMessage) {
    let fds = distinct_fds(2);
    let send = || {
        send_fds(peer, b"queued", &borrow_all(&fds)).expect("send");
    };
    let (data, got) = woken_recv(form, send).await;
    assert_eq!((data, file_ids(&got)), (b"queued".to_vec(), file_ids(&fds)));
}

/// A send's poll form, given the data; the bytes sent.
trait SendForm: FnMut(&mut Context<'_>, &[IoSlice<'_>]) -> Poll<io::Result<usize>> {}

impl<F> SendForm for F where F: FnMut(&mut Context<'_>, &[IoSlice<'_>]) -> Poll<io::Result<usize>> {}

/// `poll_send_message` on `socket`, without control messages.
fn send(socket: &impl PollSendMessage) -> impl SendForm + '_ {
    |cx: &mut Context<'_>, bufs: &[IoSlice<'_>]| {
        socket.poll_send_message(cx, bufs, &mut AncillaryData::new(), SendOptions::new())
    }
}

/// A send form on a socket whose send buffer is full waits, and is woken once `drain` has
/// made room; it then sends `b"last"`.
async fn check_send(mut form: impl SendForm, drain: impl FnOnce()) {
    let bufs = [IoSlice::new(b"last")];
    let sent = pending_then_woken(|cx| form(cx, &bufs), drain).await;
    assert_eq!(sent, 4);
}

/// A send form on a stream whose send buffer holds `filled` bytes: the peer reads them,
/// which wakes the form, and then reads what it sent.
async fn check_stream_send(form: impl SendForm, mut peer: impl Read, filled: usize) {
    let mut filler = vec![0; filled];
    check_send(form, || peer.read_exact(&mut filler).unwrap()).await;
    let mut last = [0; 4];
    peer.read_exact(&mut last).unwrap();
    assert_eq!(&last, b"last");
}

/// Fills the send buffer of the non-blocking `socket` with 1 KiB messages; the bytes sent
/// (whole messages, on a datagram socket).
fn fill(socket: &impl SendMessage) -> usize {
    let chunk = [IoSlice::new(&[7; 1024])];
    let mut sent = 0;
    loop {
        match socket.send_message(&chunk, &mut AncillaryData::new(), SendOptions::new()) {
            Ok(n) => sent += n,
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => return sent,
            Err(err) => panic!("fill: {err}"),
        }
    }
}

/// A std stream pair, the first end non-blocking for tokio.
fn stream_pair() -> (StdStream, StdStream) {
    let (ours, peer) = StdStream::pair().unwrap();
    ours.set_nonblocking(true).unwrap();
    (ours, peer)
}

/// A tokio stream whose send buffer is full, its std peer, and the bytes that fill it.
fn full_stream() -> (UnixStream, StdStream, usize) {
    let (ours, peer) = stream_pair();
    let filled = fill(&ours);
    (UnixStream::from_std(ours).unwrap(), peer, filled)
}

/// A connected TCP pair over loopback: ours non-blocking, for tokio.
fn tcp_pair() -> (StdTcp, StdTcp) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let peer = StdTcp::connect(listener.local_addr().unwrap()).unwrap();
    let (ours, _) = listener.accept().unwrap();
    ours.set_nonblocking(true).unwrap();
    (ours, peer)
}

/// `std`'s `socket`, registered with tokio's reactor.
fn registered<T: AsRawFd>(socket: T) -> AsyncFd<T> {
    // SAFETY: std's sockets own their descriptor, return it from every `as_raw_fd`, and
    // keep it open until the `AsyncFd` drops them.
    unsafe { AsyncFd::register(socket) }.expect("register")
}

#[tokio::test(flavor = "current_thread")]
async fn recv_on_a_unix_stream_and_its_halves() {
    let (ours, peer) = stream_pair();
    let mut stream = UnixStream::from_std(ours).unwrap();
    check_unix_recv(recv(&stream), &peer).await;
    {
        let (read, _write) = stream.split();
        check_unix_recv(recv(&read), &peer).await;
    }
    let (read, _write) = stream.into_split();
    check_unix_recv(recv(&read), &peer).await;
}

#[tokio::test(flavor = "current_thread")]
async fn send_on_a_unix_stream_and_its_halves() {
    let (stream, peer, filled) = full_stream();
    check_stream_send(send(&stream), &peer, filled).await;

    let (mut stream, peer, filled) = full_stream();
    let (_read, write) = stream.split();
    check_stream_send(send(&write), &peer, filled).await;

    let (stream, peer, filled) = full_stream();
    let (_read, write) = stream.into_split();
    check_stream_send(send(&write), &peer, filled).await;
}

#[tokio::test(flavor = "current_thread")]
async fn recv_and_send_on_a_tcp_stream() {
    let (ours, mut peer) = tcp_pair();
    let ours = TcpStream::from_std(ours).unwrap();
    let (data, fds) = woken_recv(recv(&ours), || peer.write_all(b"queued").unwrap()).await;
    assert_eq!((data, fds.len()), (b"queued".to_vec(), 0));

    let (ours, peer) = tcp_pair();
    let filled = fill(&ours);
    let ours = TcpStream::from_std(ours).unwrap();
    check_stream_send(send(&ours), &peer, filled).await;
}

#[tokio::test(flavor = "current_thread")]
async fn recv_and_recv_from_on_a_unix_datagram_socket() {
    let (ours, peer) = StdDatagram::pair().unwrap();
    ours.set_nonblocking(true).unwrap();
    let ours = UnixDatagram::from_std(ours).unwrap();
    check_unix_recv(recv(&ours), &peer).await;
    check_unix_recv(recv_from(&ours), &peer).await;
}

/// Receives `messages` datagrams of filler from `peer`.
fn drain(peer: &StdDatagram, messages: usize) -> impl FnOnce() + '_ {
    move || {
        let mut buf = [0; 1024];
        for _ in 0..messages {
            assert_eq!(peer.recv(&mut buf).unwrap(), 1024);
        }
    }
}

#[tokio::test(flavor = "current_thread")]
async fn send_and_send_to_on_a_unix_datagram_socket() {
    let (ours, peer) = StdDatagram::pair().unwrap();
    ours.set_nonblocking(true).unwrap();
    let messages = fill(&ours) / 1024;
    let ours = UnixDatagram::from_std(ours).unwrap();
    check_send(send(&ours), drain(&peer, messages)).await;
    assert_eq!(peer.recv(&mut [0; 8]).unwrap(), 4);

    // Connected for the filler; the form under test names the address.
    let dir = TempDir::new("tokio-poll-wake");
    let path = dir.path().join("peer");
    let peer = StdDatagram::bind(&path).unwrap();
    let ours = StdDatagram::unbound().unwrap();
    ours.connect(&path).unwrap();
    ours.set_nonblocking(true).unwrap();
    let messages = fill(&ours) / 1024;
    let ours = UnixDatagram::from_std(ours).unwrap();
    let to = peer.local_addr().unwrap();
    let send_to = |cx: &mut Context<'_>, bufs: &[IoSlice<'_>]| {
        let options = SendOptions::new();
        ours.poll_send_message_to(cx, &to, bufs, &mut AncillaryData::new(), options)
    };
    check_send(send_to, drain(&peer, messages)).await;
    assert_eq!(peer.recv(&mut [0; 8]).unwrap(), 4);
}

#[tokio::test(flavor = "current_thread")]
async fn recv_and_recv_from_on_a_udp_socket() {
    let ours = StdUdp::bind("127.0.0.1:0").unwrap();
    ours.set_nonblocking(true).unwrap();
    let ours = UdpSocket::from_std(ours).unwrap();
    let to = ours.local_addr().unwrap();
    let peer = StdUdp::bind("127.0.0.1:0").unwrap();
    let send = || assert_eq!(peer.send_to(b"queued", to).unwrap(), 6);
    let (data, _) = woken_recv(recv(&ours), send).await;
    assert_eq!(data, b"queued");
    let (data, _) = woken_recv(recv_from(&ours), send).await;
    assert_eq!(data, b"queued");
}

#[tokio::test(flavor = "current_thread")]
async fn recv_and_send_on_async_fd() {
    let (ours, peer) = stream_pair();
    let ours = registered(ours);
    check_unix_recv(recv(&ours), &peer).await;

    let (ours, peer) = stream_pair();
    let filled = fill(&ours);
    let ours = registered(ours);
    check_stream_send(send(&ours), &peer, filled).await;
}
