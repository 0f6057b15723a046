//! The `tokio` feature against the real kernel and a real runtime: descriptors both ways
//! over `UnixStream` (whole and split in halves) and `UnixDatagram`, many concurrent
//! senders, cancelled receives that lose no descriptor, UDP and TCP without control data, and `AsyncFd` over a
//! `SOCK_SEQPACKET` socket.
//!
//! Every test takes `fd_lock()` first: some count `/proc/self/fd`.

use std::io::{IoSlice, IoSliceMut};
use std::os::fd::OwnedFd;
use std::sync::Arc;
use std::time::Duration;

use ancillary::tokio::{AsyncRecvMessage, AsyncSendMessage, PollRecvMessage, PollSendMessage};
use ancillary::{AncillaryData, MessageReceiver, MessageSender, RecvOptions, SendOptions};
use tests::{borrow_all, distinct_fds, fd_lock, file_ids, open_fd_count, TempDir};
use tokio::net::{TcpListener, TcpStream, UdpSocket, UnixDatagram, UnixStream};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// Runs `test` on a fresh runtime and checks that it leaves as many descriptors open as
/// there were before it (the runtime's own are opened before the first count).
fn no_leak<F: std::future::Future<Output = ()>>(test: F) {
    let _guard = fd_lock();
    let rt = runtime();
    let before = open_fd_count();
    rt.block_on(test);
    assert_eq!(open_fd_count(), before, "descriptors leaked");
}

async fn send_fds_async<S: AsyncSendMessage>(socket: &S, data: &[u8], fds: &[OwnedFd]) -> usize {
    let mut ancillary = AncillaryData::new();
    ancillary.add_file_descriptors(&borrow_all(fds));
    socket
        .send_message(&[IoSlice::new(data)], &mut ancillary, SendOptions::new())
        .await
        .expect("send")
}

async fn recv_fds_async<S: AsyncRecvMessage>(socket: &S, room: usize) -> (Vec<u8>, Vec<OwnedFd>) {
    let mut ancillary = AncillaryData::with_capacity(AncillaryData::space_for_fds(room));
    let mut buf = [0u8; 64];
    let (n, result) = socket
        .recv_message(
            &mut [IoSliceMut::new(&mut buf)],
            &mut ancillary,
            RecvOptions::new(),
        )
        .await
        .expect("receive");
    assert!(!result.control_data_truncated());
    let fds = ancillary.take_owned_fds().expect("received");
    (buf[..n].to_vec(), fds)
}

#[test]
fn unix_stream_both_ways() {
    no_leak(async {
        let (left, right) = UnixStream::pair().unwrap();
        let to_right = distinct_fds(3);
        let to_left = distinct_fds(2);

        send_fds_async(&left, b"L", &to_right).await;
        let (data, got) = recv_fds_async(&right, 3).await;
        assert_eq!(data, b"L");
        assert_eq!(file_ids(&got), file_ids(&to_right));

        // And back, through the builders.
        let mut ancillary = AncillaryData::new();
        ancillary.add_file_descriptors(&borrow_all(&to_left));
        let sent = MessageSender::new(&right, b"R")
            .ancillary_data(&mut ancillary)
            .send_async()
            .await
            .unwrap();
        assert_eq!(sent, 1);
        let mut received = AncillaryData::with_capacity(AncillaryData::space_for_fds(2));
        let mut buf = [0; 1];
        MessageReceiver::new(&left, &mut buf)
            .ancillary_data(&mut received)
            .recv_async()
            .await
            .unwrap();
        let [a, b] = received.take_exact_fds().unwrap();
        assert_eq!(file_ids(&[a, b]), file_ids(&to_left));
    });
}

/// tokio's halves of a `UnixStream`: descriptors from a write half to the other stream's
/// read half, for the owned halves (`into_split`) and the borrowed ones (`split`), through
/// the builders, the async traits and the poll and try forms.
#[test]
fn split_halves_carry_descriptors() {
    no_leak(async {
        let (mut left, right) = UnixStream::pair().unwrap();
        let (right_read, right_write) = right.into_split();
        let fds = distinct_fds(3);

        let (left_read, left_write) = left.split();
        let mut ancillary = AncillaryData::new();
        ancillary.add_file_descriptors(&borrow_all(&fds[..2]));
        MessageSender::new(&left_write, b"S")
            .ancillary_data(&mut ancillary)
            .send_async()
            .await
            .unwrap();
        let (data, got) = recv_fds_async(&right_read, 2).await;
        assert_eq!((data, file_ids(&got)), (b"S".to_vec(), file_ids(&fds[..2])));

        send_fds_async(&right_write, b"O", &fds[2..]).await;
        let mut received = AncillaryData::with_capacity(AncillaryData::space_for_fds(1));
        MessageReceiver::new(&left_read, &mut [0; 1])
            .ancillary_data(&mut received)
            .recv_async()
            .await
            .unwrap();
        let [fd] = received.take_exact_fds().unwrap();
        assert_eq!(file_ids(&[fd]), file_ids(&fds[2..]));

        // The poll form on a write half, the try form on a read half once it is readable.
        let mut ancillary = AncillaryData::new();
        ancillary.add_file_descriptors(&borrow_all(&fds[..1]));
        let bufs = [IoSlice::new(b"P")];
        std::future::poll_fn(|cx| {
            right_write.poll_send_message(cx, &bufs, &mut ancillary, SendOptions::new())
        })
        .await
        .unwrap();
        left_read.readable().await.unwrap();
        let mut buf = [0; 1];
        let (n, _) = left_read
            .try_recv_message(
                &mut [IoSliceMut::new(&mut buf)],
                &mut received,
                RecvOptions::new(),
            )
            .unwrap();
        assert_eq!(&buf[..n], b"P");
        let [fd] = received.take_exact_fds().unwrap();
        assert_eq!(file_ids(&[fd]), file_ids(&fds[..1]));

        // The try form on a write half, the poll form on a read half.
        left_write.writable().await.unwrap();
        let mut ancillary = AncillaryData::new();
        ancillary.add_file_descriptors(&borrow_all(&fds[1..2]));
        left_write
            .try_send_message(&[IoSlice::new(b"T")], &mut ancillary, SendOptions::new())
            .unwrap();
        let (n, _) = std::future::poll_fn(|cx| {
            let bufs = &mut [IoSliceMut::new(&mut buf)];
            right_read.poll_recv_message(cx, bufs, &mut received, RecvOptions::new())
        })
        .await
        .unwrap();
        assert_eq!(&buf[..n], b"T");
        let [fd] = received.take_exact_fds().unwrap();
        assert_eq!(file_ids(&[fd]), file_ids(&fds[1..2]));
    });
}

#[test]
fn unix_datagram_both_ways_with_addresses() {
    no_leak(async {
        let dir = TempDir::new("tokio-dgram");
        let a_path = dir.path().join("a");
        let b_path = dir.path().join("b");
        let a = UnixDatagram::bind(&a_path).unwrap();
        let b = UnixDatagram::bind(&b_path).unwrap();
        let fds = distinct_fds(4);

        let b_addr = std::os::unix::net::SocketAddr::from_pathname(&b_path).unwrap();
        let mut ancillary = AncillaryData::new();
        ancillary.add_file_descriptors(&borrow_all(&fds));
        MessageSender::new(&a, b"to b")
            .ancillary_data(&mut ancillary)
            .send_to_async(&b_addr)
            .await
            .unwrap();

        let mut received = AncillaryData::with_capacity(AncillaryData::space_for_fds(4));
        let mut buf = [0; 8];
        let (n, _, from) = MessageReceiver::new(&b, &mut buf)
            .ancillary_data(&mut received)
            .recv_from_async()
            .await
            .unwrap();
        assert_eq!(&buf[..n], b"to b");
        assert_eq!(from.as_pathname(), Some(a_path.as_path()));
        let got = received.take_owned_fds().unwrap();
        assert_eq!(file_ids(&got), file_ids(&fds));

        // Back from b to a, over the unconnected pair of a `pair()`.
        let (c, d) = UnixDatagram::pair().unwrap();
        send_fds_async(&d, b"back", &got).await;
        let (data, back) = recv_fds_async(&c, 4).await;
        assert_eq!(data, b"back");
        assert_eq!(file_ids(&back), file_ids(&fds));
    });
}

/// 32 tasks, each with its own stream pair, each passing descriptors 8 times while the
/// other side receives them, all at once on a two-thread runtime.
#[test]
fn many_concurrent_stream_pairs() {
    no_leak(async {
        let mut tasks = Vec::new();
        for task in 0..32u8 {
            tasks.push(tokio::spawn(async move {
                let (left, right) = UnixStream::pair().unwrap();
                let receiver = tokio::spawn(async move {
                    let mut all = Vec::new();
                    for _ in 0..8 {
                        let (data, fds) = recv_fds_async(&right, 2).await;
                        assert_eq!(data, [task]);
                        all.extend(fds);
                    }
                    all
                });
                let mut sent = Vec::new();
                for _ in 0..8 {
                    let fds = distinct_fds(2);
                    send_fds_async(&left, &[task], &fds).await;
                    sent.extend(fds);
                }
                let received = receiver.await.unwrap();
                assert_eq!(file_ids(&received), file_ids(&sent));
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
    });
}

/// 32 senders to one datagram receiver: every descriptor arrives with its sender's tag.
#[test]
fn many_senders_one_datagram_receiver() {
    no_leak(async {
        let dir = TempDir::new("tokio-fan-in");
        let path = dir.path().join("receiver");
        let receiver = UnixDatagram::bind(&path).unwrap();
        let path = Arc::new(path);

        // Receive while the senders send: the receive queue may be shorter than 32.
        let receiving = tokio::spawn(async move {
            let mut got = Vec::new();
            for _ in 0..32 {
                let (data, fds) = recv_fds_async(&receiver, 1).await;
                assert_eq!(fds.len(), 1);
                got.push((data[0], file_ids(&fds)[0]));
            }
            got
        });
        let mut senders = Vec::new();
        for task in 0..32u8 {
            let path = Arc::clone(&path);
            senders.push(tokio::spawn(async move {
                let socket = UnixDatagram::unbound().unwrap();
                socket.connect(&*path).unwrap();
                let fds = distinct_fds(1);
                send_fds_async(&socket, &[task], &fds).await;
                // The descriptor stays open until the receiver has its copy, so its
                // identity cannot be reused by another sender's socket meanwhile.
                (task, file_ids(&fds)[0], fds)
            }));
        }
        let mut expected = std::collections::HashMap::new();
        let mut keep = Vec::new();
        for sender in senders {
            let (task, id, fds) = sender.await.unwrap();
            expected.insert(task, id);
            keep.push(fds);
        }
        for (task, id) in receiving.await.unwrap() {
            assert_eq!(expected.remove(&task), Some(id), "one message per sender");
        }
        assert!(expected.is_empty());
    });
}

/// A receive cancelled by a timeout before anything arrived, then a real receive: the
/// message was not consumed, and its descriptors all arrive.
#[test]
fn cancelled_receive_then_real_receive() {
    no_leak(async {
        let (left, right) = UnixStream::pair().unwrap();
        let mut ancillary = AncillaryData::with_capacity(AncillaryData::space_for_fds(3));
        let mut buf = [0; 4];

        let mut receiver = MessageReceiver::new(&right, &mut buf);
        receiver.ancillary_data(&mut ancillary);
        let pending = tokio::time::timeout(Duration::from_millis(20), receiver.recv_async());
        assert!(pending.await.is_err(), "nothing was sent yet");

        // And once more through `select!`.
        tokio::select! {
            _ = receiver.recv_async() => panic!("nothing was sent yet"),
            () = tokio::time::sleep(Duration::from_millis(20)) => {}
        }

        let fds = distinct_fds(3);
        send_fds_async(&left, b"late", &fds).await;
        let (n, _) = receiver.recv_async().await.unwrap();
        assert_eq!(&buf[..n], b"late");
        let got = ancillary.take_owned_fds().unwrap();
        assert_eq!(file_ids(&got), file_ids(&fds));
    });
}

/// Receives cancelled at random points while messages keep arriving: every message is
/// received exactly once, in order, with its descriptors, and nothing leaks.
#[test]
fn cancellation_races_lose_nothing() {
    no_leak(async {
        let (left, right) = UnixDatagram::pair().unwrap();
        const MESSAGES: u16 = 200;
        let sender = tokio::spawn(async move {
            let mut ids = Vec::new();
            for i in 0..MESSAGES {
                let fds = distinct_fds(2);
                ids.extend(file_ids(&fds));
                send_fds_async(&left, &i.to_ne_bytes(), &fds).await;
                if i % 7 == 0 {
                    tokio::time::sleep(Duration::from_micros(200)).await;
                }
            }
            ids
        });

        let mut ancillary = AncillaryData::with_capacity(AncillaryData::space_for_fds(2));
        let mut received_ids = Vec::new();
        let mut next = 0u16;
        let mut cancelled = 0;
        while next < MESSAGES {
            let mut buf = [0; 2];
            let attempt = tokio::time::timeout(
                Duration::from_micros(50),
                right.recv_message(
                    &mut [IoSliceMut::new(&mut buf)],
                    &mut ancillary,
                    RecvOptions::new(),
                ),
            )
            .await;
            match attempt {
                Err(_) => cancelled += 1,
                Ok(result) => {
                    let (n, _) = result.unwrap();
                    assert_eq!(n, 2);
                    assert_eq!(u16::from_ne_bytes(buf), next, "no message lost or repeated");
                    let fds = ancillary.take_owned_fds().unwrap();
                    assert_eq!(fds.len(), 2);
                    received_ids.extend(file_ids(&fds));
                    next += 1;
                }
            }
        }
        let sent_ids = sender.await.unwrap();
        assert_eq!(received_ids, sent_ids);
        // Not a requirement, but the test is meant to cancel; say so if it never did.
        eprintln!("{cancelled} receives were cancelled");
    });
}

/// A receive future dropped on another task (`abort`) while it waits.
#[test]
fn aborted_receive_task() {
    no_leak(async {
        let (left, right) = UnixStream::pair().unwrap();
        let right = Arc::new(right);
        let waiting = {
            let right = Arc::clone(&right);
            tokio::spawn(async move { recv_fds_async(&*right, 1).await })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        waiting.abort();
        assert!(waiting.await.unwrap_err().is_cancelled());

        let fds = distinct_fds(1);
        send_fds_async(&left, b"x", &fds).await;
        let (_, got) = recv_fds_async(&*right, 1).await;
        assert_eq!(file_ids(&got), file_ids(&fds));
    });
}

#[test]
fn udp_with_empty_ancillary_data() {
    no_leak(async {
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b_addr = b.local_addr().unwrap();

        // No ancillary data at all, then an empty `AncillaryData`.
        MessageSender::new(&a, b"one")
            .send_to_async(&b_addr)
            .await
            .unwrap();
        let mut empty = AncillaryData::new();
        MessageSender::new(&a, b"two")
            .ancillary_data(&mut empty)
            .send_to_async(&b_addr)
            .await
            .unwrap();

        let mut room = AncillaryData::with_capacity(64);
        for expected in [&b"one"[..], b"two"] {
            let mut buf = [0; 8];
            let (n, result, from) = MessageReceiver::new(&b, &mut buf)
                .ancillary_data(&mut room)
                .recv_from_async()
                .await
                .unwrap();
            assert_eq!(&buf[..n], expected);
            assert_eq!(from, a.local_addr().unwrap());
            assert!(!result.control_data_truncated());
            assert_eq!(room.control_messages().iter().count(), 0);
        }

        // Connected: the address-less forms.
        a.connect(b_addr).await.unwrap();
        MessageSender::new(&a, b"three").send_async().await.unwrap();
        let mut buf = [0; 8];
        let (n, _) = MessageReceiver::new(&b, &mut buf)
            .recv_async()
            .await
            .unwrap();
        assert_eq!(&buf[..n], b"three");
    });
}

#[test]
fn tcp_stream_without_control_data() {
    no_leak(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (client, server) = tokio::join!(TcpStream::connect(addr), listener.accept());
        let (client, server) = (client.unwrap(), server.unwrap().0);
        let sent = MessageSender::new(&client, b"over tcp")
            .send_async()
            .await
            .unwrap();
        assert_eq!(sent, 8);
        let mut buf = [0; 8];
        let mut read = 0;
        while read < 8 {
            let (n, _) = MessageReceiver::new(&server, &mut buf[read..])
                .recv_async()
                .await
                .unwrap();
            assert!(n > 0);
            read += n;
        }
        assert_eq!(&buf, b"over tcp");
    });
}

/// `AsyncFd` over a non-blocking `SOCK_SEQPACKET` pair from socket2: records keep their
/// boundaries, and descriptors pass.
#[test]
fn async_fd_seqpacket() {
    use socket2::{Domain, Socket, Type};
    use tokio::io::unix::AsyncFd;

    no_leak(async {
        let (a, b) = Socket::pair(Domain::UNIX, Type::SEQPACKET, None).unwrap();
        a.set_nonblocking(true).unwrap();
        b.set_nonblocking(true).unwrap();
        // SAFETY: each `Socket` owns its descriptor, returns it from every `as_raw_fd`, and
        // keeps it open until the `AsyncFd` drops it.
        let (a, b) = unsafe { (AsyncFd::register(a).unwrap(), AsyncFd::register(b).unwrap()) };
        // A receive dropped where it waits, before anything was sent, loses nothing below.
        let early = tokio::time::timeout(Duration::from_millis(20), recv_fds_async(&b, 2));
        assert!(early.await.is_err(), "nothing was sent yet");

        let receive = tokio::spawn(async move {
            let (first, fds) = recv_fds_async(&b, 2).await;
            let (second, none) = recv_fds_async(&b, 2).await;
            (first, fds, second, none)
        });
        let fds = distinct_fds(2);
        send_fds_async(&a, b"first record", &fds).await;
        send_fds_async(&a, b"second", &[]).await;
        let (first, got, second, none) = receive.await.unwrap();
        assert_eq!(first, b"first record");
        assert_eq!(second, b"second");
        assert_eq!(file_ids(&got), file_ids(&fds));
        assert!(none.is_empty());
        drop(a);
    });
}

/// The futures are `Send` (they were spawned above); this states it for the trait methods
/// on every socket type, at compile time.
#[test]
fn futures_are_send() {
    fn assert_send<F: std::future::Future + Send>(_: F) {}
    let _guard = fd_lock();
    let rt = runtime();
    let _enter = rt.enter();
    let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
    a.set_nonblocking(true).unwrap();
    let a = UnixStream::from_std(a).unwrap();
    let mut ancillary = AncillaryData::new();
    let mut buf = [0; 1];
    assert_send(a.send_message(&[], &mut ancillary, SendOptions::new()));
    assert_send(a.recv_message(
        &mut [IoSliceMut::new(&mut buf)],
        &mut ancillary,
        RecvOptions::new(),
    ));
    assert_send(MessageSender::new(&a, b"").send_async());
    assert_send(MessageReceiver::new(&a, &mut buf).recv_async());
    let (read, write) = a.into_split();
    assert_send(MessageSender::new(&write, b"").send_async());
    assert_send(MessageReceiver::new(&read, &mut buf).recv_async());
}
