//! The poll and try forms of the batched sends and receives on tokio's `UdpSocket` and on
//! `AsyncFd`, and a `RecvBatch` reused from round to round, over loopback UDP.

#![cfg(any(target_os = "linux", target_os = "android"))]

use std::io::{self, IoSliceMut};
use std::net::{IpAddr, SocketAddr};
use std::os::fd::AsFd;
use std::os::unix::net::UnixDatagram;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use ancillary::os::linux::{
    In6Pktinfo, InPktinfo, IpTtl, Ipv6HopLimit, RecvBatch, RecvMmsg, SendMmsg, SocketOptionsExt,
};
use ancillary::tokio::{PollRecvMmsg, PollSendMmsg};
use ancillary::{AncillaryData, ControlMessage, ControlMessagePayload, RecvOptions, SendOptions};
use tests::{
    borrow_all, distinct_fds, fd_lock, open_fd_count, skipped, udp_bind, udp_bind_v6,
    under_qemu_cross_endian, QEMU_CROSS_ENDIAN_CMSG,
};
use tokio::io::unix::AsyncFd;
use tokio::net::UdpSocket;

const N: usize = 4;

/// A tokio socket over a std one (non-blocking, registered with the current runtime).
fn tokio_socket(socket: std::net::UdpSocket) -> UdpSocket {
    socket.set_nonblocking(true).unwrap();
    UdpSocket::from_std(socket).unwrap()
}

/// The per-datagram hop limits of round `round`, as control messages at `level`/`ty`
/// (none under qemu for a big-endian target, whose host kernel refuses them).
fn hop_limits(round: i32, level: libc::c_int, ty: libc::c_int) -> [AncillaryData<'static>; N] {
    std::array::from_fn(|i| {
        let mut ancillary = AncillaryData::new();
        if !under_qemu_cross_endian() {
            let limit: libc::c_int = 10 * round + i as libc::c_int;
            ancillary.add_control_message(ControlMessage::new(level, ty, &limit.to_ne_bytes()));
        }
        ancillary
    })
}

/// Runs `test` on a current-thread runtime, holding `fd_lock` (one test counts this
/// process's descriptors, so every test of the binary takes it).
fn run(test: impl std::future::Future<Output = ()>) {
    let _guard = fd_lock();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    runtime.expect("a runtime").block_on(test);
}

/// `std`'s `socket`, registered with tokio's reactor.
fn registered<T: std::os::fd::AsRawFd>(socket: T) -> AsyncFd<T> {
    // SAFETY: std's sockets own their descriptor, return it from every `as_raw_fd`, and
    // keep it open until the `AsyncFd` drops them.
    unsafe { AsyncFd::register(socket) }.expect("register")
}

/// A waker that records that it was woken.
struct Flag(AtomicBool);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Waits (driving the runtime) until `flag` is set, for at most ten seconds.
async fn woken(flag: &Flag) {
    let wait = async {
        while !flag.0.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(10), wait)
        .await
        .expect("woken within ten seconds");
}

/// What each round checks of one received datagram: its bytes, its sender, its
/// destination and its hop limit (TTL).
struct Expect {
    from: SocketAddr,
    round: i32,
    v6: bool,
}

/// One round over `sender` and `receiver`: `N` datagrams in one `poll_send_mmsg_to`, each
/// with its own hop limit, then `poll_recv_batch` (after a `Pending` poll on the empty
/// socket that must be woken) until all have arrived, into the same `batch`.
async fn round(
    sender: &UdpSocket,
    receiver: &UdpSocket,
    batch: &mut RecvBatch<'_>,
    expect: &Expect,
) {
    let mut bufs = [[0u8; 64]; N];
    let mut slices = bufs.each_mut().map(|buf| IoSliceMut::new(buf));
    let options = RecvOptions::new();

    // Nothing queued: the try form fails, the poll form is pending and wakes on arrival.
    let err = receiver
        .try_recv_batch(batch, &mut slices, options)
        .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
    assert!(batch.is_empty(), "a failed receive shows no message");
    let flag = Arc::new(Flag(AtomicBool::new(false)));
    let waker = Waker::from(Arc::clone(&flag));
    let mut cx = Context::from_waker(&waker);
    assert!(receiver
        .poll_recv_batch(&mut cx, batch, &mut slices, options)
        .is_pending());

    let (level, ty) = if expect.v6 {
        (libc::IPPROTO_IPV6, libc::IPV6_HOPLIMIT)
    } else {
        (libc::IPPROTO_IP, libc::IP_TTL)
    };
    let controls = hop_limits(expect.round, level, ty);
    let payloads: [Vec<u8>; N] = std::array::from_fn(|i| vec![b'a' + i as u8; i + 1]);
    let mut messages: [SendMmsg<'_, '_>; N] =
        std::array::from_fn(|i| SendMmsg::new(&payloads[i]).ancillary_data(&controls[i]));
    let to = [receiver.local_addr().unwrap(); N];
    let sent = std::future::poll_fn(|cx| {
        sender.poll_send_mmsg_to(cx, &mut messages, &to, SendOptions::new())
    })
    .await
    .unwrap();
    assert_eq!(sent, N);
    woken(&flag).await;

    let mut received = 0;
    while received < N {
        let n = std::future::poll_fn(|cx| {
            receiver.poll_recv_batch(cx, batch, &mut slices[received..], options)
        })
        .await
        .unwrap();
        for (j, message) in batch.messages().iter().enumerate() {
            check(message, received + j, &slices[received + j], expect);
        }
        received += n;
    }
}

fn check(
    message: &ancillary::os::linux::RecvBatchMessage<'_>,
    i: usize,
    buf: &[u8],
    expect: &Expect,
) {
    assert_eq!(message.len(), i + 1);
    assert_eq!(&buf[..=i], &vec![b'a' + i as u8; i + 1][..]);
    assert!(!message.result().control_data_truncated());
    assert_eq!(message.addr::<SocketAddr>().unwrap(), expect.from);
    let messages = message.ancillary_data().control_messages();
    let (dst, limit) = if expect.v6 {
        let dst = messages.find::<In6Pktinfo>().unwrap().unwrap().addr();
        let limit = messages
            .find::<Ipv6HopLimit>()
            .unwrap()
            .unwrap()
            .hop_limit();
        (IpAddr::V6(dst), limit)
    } else {
        let dst = messages.find::<InPktinfo>().unwrap().unwrap().addr();
        let limit = messages.find::<IpTtl>().unwrap().unwrap().ttl();
        (IpAddr::V4(dst), limit)
    };
    assert_eq!(dst, expect.from.ip());
    if !under_qemu_cross_endian() {
        assert_eq!(i32::from(limit), 10 * expect.round + i as i32);
    }
}

fn report_skips() {
    if under_qemu_cross_endian() {
        skipped(
            "hop limits sent as control messages",
            QEMU_CROSS_ENDIAN_CMSG,
        );
    }
}

#[test]
fn udp_v4_batches_with_control_messages_reuse_one_batch() {
    run(udp_v4_batches_with_control_messages_reuse_one_batch_body());
}

async fn udp_v4_batches_with_control_messages_reuse_one_batch_body() {
    report_skips();
    let sender = tokio_socket(udp_bind("127.0.0.1:0"));
    let receiver = udp_bind("127.0.0.1:0");
    receiver.set_recv_ttl_v4(true).unwrap();
    receiver.set_recv_pktinfo_v4(true).unwrap();
    let receiver = tokio_socket(receiver);
    let mut batch = RecvBatch::new(N, IpTtl::SPACE + InPktinfo::SPACE);
    let from = sender.local_addr().unwrap();
    for round_number in 1..=2 {
        let expect = Expect {
            from,
            round: round_number,
            v6: false,
        };
        round(&sender, &receiver, &mut batch, &expect).await;
    }
}

#[test]
fn udp_v6_batches_with_control_messages_reuse_one_batch() {
    run(udp_v6_batches_with_control_messages_reuse_one_batch_body());
}

async fn udp_v6_batches_with_control_messages_reuse_one_batch_body() {
    report_skips();
    let (Some(sender), Some(receiver)) = (udp_bind_v6("[::1]:0"), udp_bind_v6("[::1]:0")) else {
        return;
    };
    receiver.set_recv_hoplimit_v6(true).unwrap();
    receiver.set_recv_pktinfo_v6(true).unwrap();
    let (sender, receiver) = (tokio_socket(sender), tokio_socket(receiver));
    // Stack storage this time: a batch over caller-made `AncillaryData`.
    let mut storage = [const { ancillary::AncillaryStorage::<64>::new() }; N];
    let mut batch: RecvBatch<'_> = storage
        .iter_mut()
        .map(AncillaryData::with_storage)
        .collect();
    let from = sender.local_addr().unwrap();
    for round_number in 1..=2 {
        let expect = Expect {
            from,
            round: round_number,
            v6: true,
        };
        round(&sender, &receiver, &mut batch, &expect).await;
    }
}

/// tokio's rule on a `UdpSocket`: the try form makes no call before the reactor has seen
/// the socket readable, then receives what is queued.
#[test]
fn try_recv_batch_after_readable() {
    run(try_recv_batch_after_readable_body());
}

async fn try_recv_batch_after_readable_body() {
    let sender = udp_bind("127.0.0.1:0");
    let receiver = tokio_socket(udp_bind("127.0.0.1:0"));
    let mut batch = RecvBatch::new(N, 0);
    let mut bufs = [[0u8; 8]; N];
    let mut slices = bufs.each_mut().map(|buf| IoSliceMut::new(buf));
    for datagram in [&b"x"[..], b"yy"] {
        sender
            .send_to(datagram, receiver.local_addr().unwrap())
            .unwrap();
    }
    let mut received = 0;
    while received < 2 {
        receiver.readable().await.unwrap();
        match receiver.try_recv_batch(&mut batch, &mut slices[received..], RecvOptions::new()) {
            Ok(n) => received += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(batch.messages().last().unwrap().len(), 2);
    assert_eq!(&slices[1][..2], b"yy");
}

/// The same over an `AsyncFd`: its try forms always make the call; `recv_mmsg` over a
/// `[RecvMmsg]`, and a send without addresses on a connected socket.
#[test]
fn async_fd_batches() {
    run(async_fd_batches_body());
}

async fn async_fd_batches_body() {
    let sender = udp_bind("127.0.0.1:0");
    let receiver = udp_bind("127.0.0.1:0");
    receiver.set_recv_ttl_v4(true).unwrap();
    sender.connect(receiver.local_addr().unwrap()).unwrap();
    for socket in [&sender, &receiver] {
        socket.set_nonblocking(true).unwrap();
    }
    let sender = registered(sender);
    let receiver = registered(receiver);

    let mut bufs = [[0u8; 8]; N];
    let mut controls: [AncillaryData<'static>; N] =
        std::array::from_fn(|_| AncillaryData::with_capacity(IpTtl::SPACE));
    let mut messages: Vec<RecvMmsg<'_, '_>> = bufs
        .iter_mut()
        .zip(controls.iter_mut())
        .map(|(buf, control)| RecvMmsg::new(buf).ancillary_data(control))
        .collect();
    let err = receiver
        .try_recv_mmsg(&mut messages, RecvOptions::new())
        .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock);

    let mut out = [
        SendMmsg::new(b"one"),
        SendMmsg::new(b"two"),
        SendMmsg::new(b"three"),
    ];
    assert_eq!(
        sender.try_send_mmsg(&mut out, SendOptions::new()).unwrap(),
        3
    );
    let mut received = 0;
    while received < 3 {
        received += std::future::poll_fn(|cx| {
            receiver.poll_recv_mmsg(cx, &mut messages[received..], RecvOptions::new())
        })
        .await
        .unwrap();
    }
    for message in &mut messages[..3] {
        let ttl = message
            .ancillary_data_mut()
            .unwrap()
            .control_messages()
            .find::<IpTtl>();
        assert_eq!(ttl.unwrap().unwrap().ttl(), 64);
    }
    drop(messages);
    assert_eq!(&bufs[2][..5], b"three");

    // A batch, polled before anything is queued: pending, then woken by the send.
    let mut batch = RecvBatch::new(N, 0);
    let mut slices = bufs.each_mut().map(|buf| IoSliceMut::new(buf));
    let flag = Arc::new(Flag(AtomicBool::new(false)));
    let waker = Waker::from(Arc::clone(&flag));
    let mut cx = Context::from_waker(&waker);
    let options = RecvOptions::new();
    assert!(receiver
        .poll_recv_batch(&mut cx, &mut batch, &mut slices, options)
        .is_pending());
    let to = [receiver.get_ref().local_addr().unwrap()];
    let mut out = [SendMmsg::new(b"four")];
    let sent =
        std::future::poll_fn(|cx| sender.poll_send_mmsg_to(cx, &mut out, &to, SendOptions::new()));
    assert_eq!(sent.await.unwrap(), 1);
    woken(&flag).await;
    let n = match receiver.poll_recv_batch(&mut cx, &mut batch, &mut slices, options) {
        Poll::Ready(n) => n.unwrap(),
        Poll::Pending => panic!("readable once woken"),
    };
    assert_eq!((n, batch.messages()[0].len()), (1, 4));
    assert_eq!(&slices[0][..4], b"four");
}

/// Descriptors received into a batch are owned by it: those not taken are closed by the
/// next receive (and by `clear`), and a taken one stays open.
#[test]
fn batch_owns_received_descriptors() {
    run(batch_owns_received_descriptors_body());
}

async fn batch_owns_received_descriptors_body() {
    let (left, right) = UnixDatagram::pair().unwrap();
    right.set_nonblocking(true).unwrap();
    let right = registered(right);
    let fds = distinct_fds(2);
    let before = open_fd_count();
    let mut ancillary = AncillaryData::new();
    ancillary.add_file_descriptors(&borrow_all(&fds));
    let mut batch = RecvBatch::new(2, AncillaryData::space_for_fds(2));
    let mut bufs = [[0u8; 1]; 2];
    let mut slices = bufs.each_mut().map(|buf| IoSliceMut::new(buf));
    for _ in 0..2 {
        let mut out = [
            SendMmsg::new(b"a").ancillary_data(&ancillary),
            SendMmsg::new(b"b").ancillary_data(&ancillary),
        ];
        assert_eq!(
            ancillary::os::linux::send_mmsg(left.as_fd(), &mut out, SendOptions::new()).unwrap(),
            2
        );
        let n = std::future::poll_fn(|cx| {
            right.poll_recv_batch(cx, &mut batch, &mut slices, RecvOptions::new())
        })
        .await
        .unwrap();
        assert_eq!(n, 2);
        assert_eq!(
            open_fd_count(),
            before + 4,
            "the earlier round's are closed"
        );
    }
    let kept = batch.messages_mut()[0]
        .ancillary_data_mut()
        .drain_fds()
        .next()
        .unwrap();
    batch.clear();
    assert_eq!(open_fd_count(), before + 1);
    drop(kept);
    assert_eq!(open_fd_count(), before);
}
