//! `sendmmsg`/`recvmmsg` with per-message control data against the real kernel: UDP
//! datagrams each with its own `IP_TTL`/`IP_TOS` (sent as control messages, read back with
//! `IP_RECVTTL`/`IP_RECVTOS`), descriptors over a Unix datagram pair with each message's
//! descriptors owned by its own `AncillaryData`, partial batches, truncation, and the
//! batch limit.
#![cfg(any(target_os = "linux", target_os = "android"))]

use std::io::{self, IoSlice, IoSliceMut};
use std::net::{SocketAddr, UdpSocket};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::net::UnixDatagram;

use ancillary::os::linux::{
    recv_batch, recv_mmsg, send_mmsg, send_mmsg_to, RecvBatch, RecvMmsg, RecvOptionsExt, SendMmsg,
    MMSG_BATCH_MAX,
};
use ancillary::{AncillaryData, ControlMessage, RecvOptions, SendOptions};
use tests::{
    borrow_all, distinct_fds, fd_lock, file_ids, is_cloexec, open_fd_count, raw_rights, skipped,
    under_qemu, under_qemu_cross_endian, QEMU_CROSS_ENDIAN_CMSG, QEMU_LOSES_CTRUNC,
};

fn int_of(ancillary: &AncillaryData<'_>, level: libc::c_int, ty: libc::c_int) -> Option<i64> {
    ancillary
        .control_messages()
        .iter()
        .find(|m| m.cmsg_level() == level && m.cmsg_type() == ty)
        .map(|m| match m.data().len() {
            1 => i64::from(m.data()[0]),
            _ => i64::from(libc::c_int::from_ne_bytes(
                m.data()[..4].try_into().unwrap(),
            )),
        })
}

fn ttl_and_tos(ttl: libc::c_int, tos: libc::c_int) -> AncillaryData<'static> {
    let mut ancillary = AncillaryData::new();
    ancillary.add_control_message(ControlMessage::new(
        libc::IPPROTO_IP,
        libc::IP_TTL,
        &ttl.to_ne_bytes(),
    ));
    ancillary.add_control_message(ControlMessage::new(
        libc::IPPROTO_IP,
        libc::IP_TOS,
        &tos.to_ne_bytes(),
    ));
    ancillary
}

/// Receives exactly `count` messages into `messages`, in as many calls as it takes.
fn recv_all(socket: impl AsFd, messages: &mut [RecvMmsg<'_, '_>], count: usize) {
    let options = *RecvOptions::new().wait_for_one(true);
    let mut received = 0;
    while received < count {
        received += recv_mmsg(socket.as_fd(), &mut messages[received..count], options).unwrap();
    }
}

#[test]
fn udp_batch_with_per_datagram_ttl_and_tos() {
    let _guard = fd_lock();
    let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
    let receiver = UdpSocket::bind("127.0.0.1:0").unwrap();
    ancillary::os::linux::SocketOptionsExt::set_recv_ttl_v4(&receiver, true).unwrap();
    ancillary::os::linux::SocketOptionsExt::set_recv_tos_v4(&receiver, true).unwrap();
    let to = receiver.local_addr().unwrap();

    const N: usize = 8;
    // Under qemu-user for a big-endian target the host kernel refuses these control
    // messages (EINVAL): send the batch without them, and check the rest.
    let cross_endian = under_qemu_cross_endian();
    if cross_endian {
        skipped(
            "IP_TTL/IP_TOS sent as control messages",
            QEMU_CROSS_ENDIAN_CMSG,
        );
    }
    let controls: [AncillaryData<'static>; N] = std::array::from_fn(|i| {
        if cross_endian {
            AncillaryData::new()
        } else {
            ttl_and_tos(10 + i as libc::c_int, (i as libc::c_int) << 2)
        }
    });
    let payloads: [Vec<u8>; N] = std::array::from_fn(|i| vec![b'a' + i as u8; i + 1]);
    let mut messages: [SendMmsg<'_, '_>; N] =
        std::array::from_fn(|i| SendMmsg::new(&payloads[i]).ancillary_data(&controls[i]));
    let sent = send_mmsg_to(sender.as_fd(), &mut messages, &[to; N], SendOptions::new()).unwrap();
    assert_eq!(sent, N);
    for (i, message) in messages.iter().enumerate() {
        assert_eq!(message.sent(), i + 1);
    }

    let mut bufs = [[0u8; 32]; N];
    let mut received: [AncillaryData<'static>; N] =
        std::array::from_fn(|_| AncillaryData::with_capacity(128));
    let mut messages: Vec<RecvMmsg<'_, '_>> = bufs
        .iter_mut()
        .zip(received.iter_mut())
        .map(|(buf, ancillary)| RecvMmsg::new(buf).ancillary_data(ancillary))
        .collect();
    recv_all(&receiver, &mut messages, N);
    for (i, message) in messages.iter_mut().enumerate() {
        assert_eq!(message.len(), i + 1);
        assert!(!message.result().control_data_truncated());
        assert!(!message.result().normal_data_truncated());
        assert_eq!(
            message.addr::<SocketAddr>().unwrap(),
            sender.local_addr().unwrap()
        );
        let ancillary = message.ancillary_data_mut().unwrap();
        let ttl = int_of(ancillary, libc::IPPROTO_IP, libc::IP_TTL);
        let tos = int_of(ancillary, libc::IPPROTO_IP, libc::IP_TOS);
        if cross_endian {
            assert!(ttl.is_some() && tos.is_some(), "the defaults are received");
        } else {
            assert_eq!(ttl, Some(10 + i as i64));
            assert_eq!(tos, Some((i as i64) << 2));
        }
    }
    drop(messages);
    for (i, buf) in bufs.iter().enumerate() {
        assert_eq!(&buf[..=i], &payloads[i][..]);
    }
}

#[test]
fn connected_udp_send_mmsg_vectored() {
    let _guard = fd_lock();
    let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
    let receiver = UdpSocket::bind("127.0.0.1:0").unwrap();
    ancillary::os::linux::SocketOptionsExt::set_recv_ttl_v4(&receiver, true).unwrap();
    sender.connect(receiver.local_addr().unwrap()).unwrap();

    // Under qemu-user for a big-endian target the host kernel refuses these control
    // messages (EINVAL): send without them, and check the vectored data.
    let cross_endian = under_qemu_cross_endian();
    if cross_endian {
        skipped(
            "IP_TTL/IP_TOS sent as control messages",
            QEMU_CROSS_ENDIAN_CMSG,
        );
    }
    let with_ttl = |ttl| {
        if cross_endian {
            AncillaryData::new()
        } else {
            ttl_and_tos(ttl, 0)
        }
    };
    let one = with_ttl(3);
    let two = with_ttl(4);
    let first = [IoSlice::new(b"he"), IoSlice::new(b"llo")];
    let second = [IoSlice::new(b"wor"), IoSlice::new(b"ld!")];
    let mut messages = [
        SendMmsg::new_vectored(&first).ancillary_data(&one),
        SendMmsg::new_vectored(&second).ancillary_data(&two),
        SendMmsg::new(b"plain"),
    ];
    assert_eq!(
        send_mmsg(sender.as_fd(), &mut messages, SendOptions::new()).unwrap(),
        3
    );
    assert_eq!(
        messages.iter().map(SendMmsg::sent).collect::<Vec<_>>(),
        [5, 6, 5]
    );

    let (mut h0, mut t0) = ([0u8; 2], [0u8; 8]);
    let (mut h1, mut t1) = ([0u8; 2], [0u8; 8]);
    let mut buf2 = [0u8; 8];
    let mut iov0 = [IoSliceMut::new(&mut h0), IoSliceMut::new(&mut t0)];
    let mut iov1 = [IoSliceMut::new(&mut h1), IoSliceMut::new(&mut t1)];
    let mut a0 = AncillaryData::with_capacity(64);
    let mut a1 = AncillaryData::with_capacity(64);
    let mut a2 = AncillaryData::with_capacity(64);
    let mut messages = [
        RecvMmsg::new_vectored(&mut iov0).ancillary_data(&mut a0),
        RecvMmsg::new_vectored(&mut iov1).ancillary_data(&mut a1),
        RecvMmsg::new(&mut buf2).ancillary_data(&mut a2),
    ];
    recv_all(&receiver, &mut messages, 3);
    assert_eq!(
        messages.iter().map(RecvMmsg::len).collect::<Vec<_>>(),
        [5, 6, 5]
    );
    assert_eq!((&h0, &t0[..3]), (b"he", &b"llo"[..]));
    assert_eq!((&h1, &t1[..4]), (b"wo", &b"rld!"[..]));
    assert_eq!(&buf2[..5], b"plain");
    if !cross_endian {
        assert_eq!(int_of(&a0, libc::IPPROTO_IP, libc::IP_TTL), Some(3));
        assert_eq!(int_of(&a1, libc::IPPROTO_IP, libc::IP_TTL), Some(4));
    }
    assert!(
        int_of(&a2, libc::IPPROTO_IP, libc::IP_TTL).is_some(),
        "the default TTL"
    );
}

#[test]
fn fd_batch_over_unix_datagram_pair() {
    let _guard = fd_lock();
    let (left, right) = UnixDatagram::pair().unwrap();
    let before = open_fd_count();
    {
        // Message i carries i + 1 descriptors (1 to 5), each message its own.
        let sets: Vec<Vec<OwnedFd>> = (1..=5).map(distinct_fds).collect();
        let borrowed: Vec<_> = sets.iter().map(|set| borrow_all(set)).collect();
        let controls: Vec<AncillaryData<'_>> = borrowed
            .iter()
            .map(|fds| {
                let mut ancillary = AncillaryData::new();
                ancillary.add_file_descriptors(fds);
                ancillary
            })
            .collect();
        let tags: Vec<[u8; 1]> = (0..5u8).map(|i| [i]).collect();
        let mut messages: Vec<SendMmsg<'_, '_>> = tags
            .iter()
            .zip(&controls)
            .map(|(tag, ancillary)| SendMmsg::new(tag).ancillary_data(ancillary))
            .collect();
        assert_eq!(
            send_mmsg(left.as_fd(), &mut messages, SendOptions::new()).unwrap(),
            5
        );
        let opened = open_fd_count();

        // Room for 5 in every message; a sixth entry stays empty.
        let mut bufs = [[0u8; 4]; 6];
        let mut received: Vec<AncillaryData<'static>> = (0..6)
            .map(|_| AncillaryData::with_capacity(AncillaryData::space_for_fds(5)))
            .collect();
        let mut messages: Vec<RecvMmsg<'_, '_>> = bufs
            .iter_mut()
            .zip(received.iter_mut())
            .map(|(buf, ancillary)| RecvMmsg::new(buf).ancillary_data(ancillary))
            .collect();
        let n = recv_mmsg(
            right.as_fd(),
            &mut messages,
            *RecvOptions::new().custom_flags(libc::MSG_DONTWAIT),
        )
        .unwrap();
        assert_eq!(n, 5);
        assert_eq!(messages[5].len(), 0);
        drop(messages);
        // 1 + 2 + 3 + 4 + 5 descriptors were installed.
        assert_eq!(open_fd_count(), opened + 15);
        for (i, ancillary) in received.iter_mut().take(5).enumerate() {
            assert_eq!(bufs[i][0], i as u8);
            let fds = ancillary.take_owned_fds().unwrap();
            assert_eq!(file_ids(&fds), file_ids(&sets[i]));
            assert!(fds.iter().all(|fd| is_cloexec(fd.as_fd())));
        }
        assert!(
            received[5].take_owned_fds().is_none(),
            "no message for the sixth"
        );
        assert_eq!(open_fd_count(), opened);
    }
    assert_eq!(open_fd_count(), before, "descriptors leaked");
}

/// Descriptors not taken are closed when the next batch reuses the same entries, and on
/// drop; a message with too little room gets `MSG_CTRUNC` and only what fit.
#[test]
fn untaken_fds_closed_and_truncation_per_message() {
    let _guard = fd_lock();
    let (left, right) = UnixDatagram::pair().unwrap();
    let fds = distinct_fds(3);
    let before = open_fd_count();
    let send_batch = || {
        let mut ancillary = AncillaryData::new();
        ancillary.add_file_descriptors(&borrow_all(&fds));
        let mut messages = [
            SendMmsg::new(b"a").ancillary_data(&ancillary),
            SendMmsg::new(b"b").ancillary_data(&ancillary),
        ];
        assert_eq!(
            send_mmsg(left.as_fd(), &mut messages, SendOptions::new()).unwrap(),
            2
        );
    };

    let mut bufs = [[0u8; 1]; 2];
    let mut roomy = AncillaryData::with_capacity(AncillaryData::space_for_fds(3));
    let mut tight = AncillaryData::with_capacity(AncillaryData::space_for_fds(1));
    let [b0, b1] = &mut bufs;
    let mut messages = [
        RecvMmsg::new(b0).ancillary_data(&mut roomy),
        RecvMmsg::new(b1).ancillary_data(&mut tight),
    ];
    // qemu-user receives each message into a larger control buffer than ours: the tight
    // message is not flagged, and the descriptors that did not fit stay open.
    let qemu = under_qemu();
    if qemu {
        skipped("MSG_CTRUNC and the counts of open fds", QEMU_LOSES_CTRUNC);
    }
    let mut in_tight = 0;
    for _ in 0..3 {
        send_batch();
        let n = recv_mmsg(right.as_fd(), &mut messages, RecvOptions::new()).unwrap();
        assert_eq!(n, 2);
        assert!(!messages[0].result().control_data_truncated());
        if !qemu {
            assert!(messages[1].result().control_data_truncated());
        }
        // 3 for the roomy one, and what fit the tight one (the padding of
        // `CMSG_SPACE(4)` fits a second one on 64-bit); the kernel closed the rest.
        in_tight = raw_rights(messages[1].ancillary_data_mut().unwrap().control_messages()).len();
        assert!((1..3).contains(&in_tight), "{in_tight}");
        if !qemu {
            assert_eq!(open_fd_count(), before + 3 + in_tight);
        }
    }
    drop(roomy);
    if !qemu {
        assert_eq!(open_fd_count(), before + in_tight);
    }
    assert_eq!(tight.drain_fds().count(), in_tight);
    if !qemu {
        assert_eq!(open_fd_count(), before);
    }
}

#[test]
fn would_block_and_empty_batches() {
    let _guard = fd_lock();
    let (_left, right) = UnixDatagram::pair().unwrap();
    right.set_nonblocking(true).unwrap();
    let mut buf = [0u8; 4];
    let mut ancillary = AncillaryData::with_capacity(64);
    let mut messages = [RecvMmsg::new(&mut buf).ancillary_data(&mut ancillary)];
    let err = recv_mmsg(right.as_fd(), &mut messages, RecvOptions::new()).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
    assert_eq!(
        recv_mmsg(right.as_fd(), &mut [], RecvOptions::new()).unwrap(),
        0
    );
    assert_eq!(
        send_mmsg(right.as_fd(), &mut [], SendOptions::new()).unwrap(),
        0
    );
}

#[test]
fn overflowed_storage_sends_nothing() {
    let _guard = fd_lock();
    let (left, right) = UnixDatagram::pair().unwrap();
    right.set_nonblocking(true).unwrap();
    let fds = distinct_fds(4);
    let mut storage = [std::mem::MaybeUninit::uninit(); 24];
    let mut full = AncillaryData::with_storage(&mut storage);
    full.add_file_descriptors(&borrow_all(&fds));
    let fine = AncillaryData::new();
    let mut messages = [
        SendMmsg::new(b"ok").ancillary_data(&fine),
        SendMmsg::new(b"too much").ancillary_data(&full),
    ];
    let err = send_mmsg(left.as_fd(), &mut messages, SendOptions::new()).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    assert_eq!(messages[0].sent(), 0);
    assert_eq!(
        right.recv(&mut [0; 8]).unwrap_err().kind(),
        io::ErrorKind::WouldBlock,
        "nothing was sent"
    );
}

#[test]
fn batch_limit() {
    let _guard = fd_lock();
    let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
    let receiver = UdpSocket::bind("127.0.0.1:0").unwrap();
    let to = receiver.local_addr().unwrap();
    let count = MMSG_BATCH_MAX + 6;
    let mut messages: Vec<SendMmsg<'_, '_>> = (0..count).map(|_| SendMmsg::new(b"x")).collect();
    let addrs = vec![to; count];
    assert_eq!(
        send_mmsg_to(sender.as_fd(), &mut messages, &addrs, SendOptions::new()).unwrap(),
        MMSG_BATCH_MAX
    );
    assert_eq!(messages[count - 1].sent(), 0);
    // Fewer addresses than messages: only as many messages are sent.
    assert_eq!(
        send_mmsg_to(
            sender.as_fd(),
            &mut messages,
            &addrs[..6],
            SendOptions::new()
        )
        .unwrap(),
        6
    );

    let mut bufs = vec![[0u8; 1]; count];
    let mut messages: Vec<RecvMmsg<'_, '_>> = bufs.iter_mut().map(|b| RecvMmsg::new(b)).collect();
    let options = *RecvOptions::new().wait_for_one(true);
    let mut total = 0;
    while total < count {
        let n = recv_mmsg(receiver.as_fd(), &mut messages, options).unwrap();
        assert!(n <= MMSG_BATCH_MAX);
        total += n;
    }
    assert_eq!(total, count);
}

/// Every message passed is reset first, also those past `MMSG_BATCH_MAX` that the call
/// cannot receive into: one that held an earlier call's datagram and descriptor is emptied
/// and the descriptor closed.
#[test]
fn messages_past_the_batch_limit_are_reset_too() {
    let _guard = fd_lock();
    let (left, right) = UnixDatagram::pair().unwrap();
    right.set_nonblocking(true).unwrap();
    let fds = distinct_fds(1);
    let send_one = || {
        let mut ancillary = AncillaryData::new();
        ancillary.add_file_descriptors(&borrow_all(&fds));
        let mut messages = [SendMmsg::new(b"x").ancillary_data(&ancillary)];
        assert_eq!(
            send_mmsg(left.as_fd(), &mut messages, SendOptions::new()).unwrap(),
            1
        );
    };
    let before = open_fd_count();
    let count = MMSG_BATCH_MAX + 1;
    let mut bufs = vec![[0u8; 1]; count];
    let mut controls: Vec<AncillaryData<'_>> = (0..count)
        .map(|_| AncillaryData::with_capacity(AncillaryData::space_for_fds(1)))
        .collect();
    let mut messages: Vec<RecvMmsg<'_, '_>> = bufs
        .iter_mut()
        .zip(controls.iter_mut())
        .map(|(buf, control)| RecvMmsg::new(buf).ancillary_data(control))
        .collect();

    // The last message gets a datagram and a descriptor, through a call on the tail alone.
    send_one();
    let n = recv_mmsg(
        right.as_fd(),
        &mut messages[MMSG_BATCH_MAX..],
        RecvOptions::new(),
    );
    assert_eq!(n.unwrap(), 1);
    assert_eq!(messages[MMSG_BATCH_MAX].len(), 1);
    assert_eq!(open_fd_count(), before + 1);

    // A call on all of them receives into the first only, and resets the last one.
    send_one();
    assert_eq!(
        recv_mmsg(right.as_fd(), &mut messages, RecvOptions::new()).unwrap(),
        1
    );
    assert_eq!(messages[0].len(), 1);
    let last = &mut messages[MMSG_BATCH_MAX];
    assert_eq!(last.len(), 0);
    let last_control = last.ancillary_data_mut().unwrap();
    assert!(last_control.control_messages().is_empty());
    assert_eq!(last_control.drain_fds().count(), 0);
    assert_eq!(
        open_fd_count(),
        before + 1,
        "the tail's descriptor was closed"
    );

    // And when the call fails (nothing queued on a non-blocking socket), all are reset.
    let err = recv_mmsg(right.as_fd(), &mut messages, RecvOptions::new()).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
    assert_eq!(messages[0].len(), 0);
    drop(messages);
    assert_eq!(open_fd_count(), before);
}

/// Each message goes to its own address: three receivers, IPv4 and (where the machine has
/// it) IPv6 in one batch, each getting the one datagram meant for it.
#[test]
fn each_message_goes_to_its_own_address() {
    let _guard = fd_lock();
    let mut receivers = vec![
        UdpSocket::bind("127.0.0.1:0").unwrap(),
        UdpSocket::bind("127.0.0.1:0").unwrap(),
    ];
    let sender = match UdpSocket::bind("[::1]:0") {
        Ok(v6) => {
            receivers.push(v6);
            // A dual-stack sender reaches both families.
            UdpSocket::bind("[::]:0").unwrap()
        }
        Err(_) => UdpSocket::bind("127.0.0.1:0").unwrap(),
    };
    let addrs: Vec<SocketAddr> = receivers.iter().map(|r| r.local_addr().unwrap()).collect();
    let payloads: Vec<Vec<u8>> = (0..receivers.len())
        .map(|i| vec![b'a' + i as u8; i + 1])
        .collect();
    let mut messages: Vec<SendMmsg<'_, '_>> = payloads.iter().map(|p| SendMmsg::new(p)).collect();
    let addrs: Vec<SocketAddr> = addrs
        .into_iter()
        .map(|a| match (a, sender.local_addr().unwrap()) {
            // From a v6 socket, an IPv4 destination is its IPv4-mapped address.
            (SocketAddr::V4(v4), SocketAddr::V6(_)) => {
                SocketAddr::new(v4.ip().to_ipv6_mapped().into(), v4.port())
            }
            (a, _) => a,
        })
        .collect();
    let sent = send_mmsg_to(sender.as_fd(), &mut messages, &addrs, SendOptions::new()).unwrap();
    assert_eq!(sent, receivers.len());
    for (receiver, payload) in receivers.iter().zip(&payloads) {
        let mut buf = [0u8; 8];
        let n = receiver.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], &payload[..]);
    }
}

/// An address type whose `sockaddr` is longer than a `sockaddr_storage` is refused before
/// anything is sent.
#[test]
fn an_address_longer_than_sockaddr_storage_is_refused() {
    struct Huge([u8; 200]);
    // SAFETY: `f` gets a pointer to 200 initialised bytes of `self`, for the whole call.
    unsafe impl ancillary::SocketAddress for Huge {
        fn with_sockaddr<R>(
            &self,
            f: impl FnOnce(*const libc::sockaddr, libc::socklen_t) -> R,
        ) -> io::Result<R> {
            Ok(f(self.0.as_ptr().cast(), 200))
        }
        fn from_sockaddr(_: &ancillary::RawSocketAddr) -> io::Result<Huge> {
            Err(io::Error::other("not read back"))
        }
    }
    let _guard = fd_lock();
    let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
    let mut messages = [SendMmsg::new(b"x")];
    let err = send_mmsg_to(
        sender.as_fd(),
        &mut messages,
        &[Huge([0; 200])],
        SendOptions::new(),
    )
    .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    assert_eq!(messages[0].sent(), 0);
}

/// A `RecvBatch` lent fewer buffers than it has messages receives only that many, and
/// forgets the messages of the last call that this one does not reach: their descriptors
/// are closed, and only what this call received is visible. A batch lent no buffer makes
/// no system call.
#[test]
fn recv_batch_forgets_what_a_shorter_call_does_not_reach() {
    let _guard = fd_lock();
    let (left, right) = UnixDatagram::pair().unwrap();
    right.set_nonblocking(true).unwrap();
    let fds = distinct_fds(1);
    let before = open_fd_count();
    let mut ancillary = AncillaryData::new();
    ancillary.add_file_descriptors(&borrow_all(&fds));
    let mut batch = RecvBatch::new(3, AncillaryData::space_for_fds(1));
    let mut bufs = [[0u8; 2]; 3];
    let mut slices = bufs.each_mut().map(|buf| IoSliceMut::new(buf));
    let send = |payloads: &[&[u8]]| {
        let mut out: Vec<SendMmsg<'_, '_>> = payloads
            .iter()
            .map(|payload| SendMmsg::new(payload).ancillary_data(&ancillary))
            .collect();
        let sent = send_mmsg(left.as_fd(), &mut out, SendOptions::new()).unwrap();
        assert_eq!(sent, payloads.len());
    };

    send(&[b"a", b"bb", b"c"]);
    assert_eq!(
        recv_batch(right.as_fd(), &mut batch, &mut slices, RecvOptions::new()).unwrap(),
        3
    );
    assert_eq!((batch.len(), batch.capacity()), (3, 3));
    assert_eq!(batch.messages()[1].len(), 2);
    assert_eq!(&slices[1][..2], b"bb");
    assert_eq!(open_fd_count(), before + 3);

    send(&[b"d", b"e"]);
    let n = recv_batch(
        right.as_fd(),
        &mut batch,
        &mut slices[..1],
        RecvOptions::new(),
    )
    .unwrap();
    assert_eq!((n, batch.len()), (1, 1));
    assert_eq!(
        open_fd_count(),
        before + 1,
        "only the new message's descriptor is open"
    );
    assert_eq!(&slices[0][..1], b"d");

    assert_eq!(
        recv_batch(right.as_fd(), &mut batch, &mut [], RecvOptions::new()).unwrap(),
        0
    );
    assert!(batch.is_empty());
    assert_eq!(
        open_fd_count(),
        before,
        "forgotten: its descriptor is closed"
    );
    let n = recv_batch(right.as_fd(), &mut batch, &mut slices, RecvOptions::new()).unwrap();
    assert_eq!((n, batch.messages()[0].len()), (1, 1));
    let [fd] = batch.messages_mut()[0]
        .ancillary_data_mut()
        .take_exact_fds()
        .unwrap();
    assert_eq!(file_ids(&[&fd]), file_ids(&fds));
    let err = recv_batch(right.as_fd(), &mut batch, &mut slices, RecvOptions::new()).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
    assert!(batch.is_empty());
    drop(fd);
    assert_eq!(open_fd_count(), before);
}
