//! The `socket2` feature against the real kernel: descriptors over a `SOCK_SEQPACKET`
//! pair (record boundaries kept, `MSG_EOR`, truncation flags), `send_to`/`recv_from` over
//! UDP with `SockAddr`, and Unix datagram addresses read back as `SockAddr`.

use std::net::SocketAddr;

use ancillary::{AncillaryData, MessageReceiver, MessageSender, RecvOptions, SendOptions};
use socket2::{Domain, SockAddr, Socket, Type};
use tests::{borrow_all, distinct_fds, fd_lock, file_ids, open_fd_count, TempDir};

#[test]
fn seqpacket_pair_passes_fds_and_keeps_records() {
    let _guard = fd_lock();
    let before = open_fd_count();
    {
        let (left, right) = Socket::pair(Domain::UNIX, Type::SEQPACKET, None).unwrap();
        let fds = distinct_fds(3);

        let mut ancillary = AncillaryData::new();
        ancillary.add_file_descriptors(&borrow_all(&fds));
        let sent = MessageSender::new(&left, b"first record")
            .ancillary_data(&mut ancillary)
            .options(*SendOptions::new().end_of_record(true))
            .send()
            .unwrap();
        assert_eq!(sent, 12);
        MessageSender::new(&left, b"second").send().unwrap();

        // A 5-byte buffer cuts the first record: the rest of it is discarded, not
        // delivered with the next receive.
        let mut received = AncillaryData::with_capacity(AncillaryData::space_for_fds(3));
        let mut buf = [0; 5];
        let (n, result) = MessageReceiver::new(&right, &mut buf)
            .ancillary_data(&mut received)
            .recv()
            .unwrap();
        assert_eq!(&buf[..n], b"first");
        assert!(result.normal_data_truncated());
        assert!(!result.control_data_truncated());
        let got = received.take_owned_fds().unwrap();
        assert_eq!(file_ids(&got), file_ids(&fds));
        for fd in &got {
            assert!(tests::is_cloexec(std::os::fd::AsFd::as_fd(fd)));
        }

        let mut buf = [0; 16];
        let (n, result) = MessageReceiver::new(&right, &mut buf)
            .ancillary_data(&mut received)
            .recv()
            .unwrap();
        assert_eq!(&buf[..n], b"second");
        assert!(!result.normal_data_truncated());
        assert_eq!(received.take_owned_fds().map(|fds| fds.len()), Some(0));
    }
    assert_eq!(open_fd_count(), before, "descriptors leaked");
}

#[test]
fn seqpacket_received_fds_closed_unless_taken() {
    let _guard = fd_lock();
    let (left, right) = Socket::pair(Domain::UNIX, Type::SEQPACKET, None).unwrap();
    let fds = distinct_fds(2);
    let before = open_fd_count();
    let mut ancillary = AncillaryData::new();
    ancillary.add_file_descriptors(&borrow_all(&fds));
    MessageSender::new(&left, b"x")
        .ancillary_data(&mut ancillary)
        .send()
        .unwrap();
    let mut received = AncillaryData::with_capacity(AncillaryData::space_for_fds(2));
    MessageReceiver::new(&right, &mut [0; 1])
        .ancillary_data(&mut received)
        .options(RecvOptions::new())
        .recv()
        .unwrap();
    assert_eq!(open_fd_count(), before + 2);
    drop(received);
    assert_eq!(open_fd_count(), before);
}

#[test]
fn udp_send_to_recv_from_with_sockaddr() {
    let _guard = fd_lock();
    let bind = |socket: &Socket| {
        let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
        socket.bind(&any.into()).unwrap();
        socket.local_addr().unwrap()
    };
    let a = Socket::new(Domain::IPV4, Type::DGRAM, None).unwrap();
    let b = Socket::new(Domain::IPV4, Type::DGRAM, None).unwrap();
    let a_addr = bind(&a);
    let b_addr = bind(&b);

    // With a control message: IP_TTL on the send side, IP_RECVTTL on the receive side.
    ancillary::os::linux::SocketOptionsExt::set_recv_ttl_v4(&b, true).unwrap();
    let ttl: libc::c_int = 17;
    let mut ancillary = AncillaryData::new();
    // Under qemu-user for a big-endian target the host kernel refuses it (EINVAL): send
    // without it, and check the addresses.
    let cross_endian = tests::under_qemu_cross_endian();
    if cross_endian {
        tests::skipped(
            "IP_TTL sent as a control message",
            tests::QEMU_CROSS_ENDIAN_CMSG,
        );
    } else {
        ancillary.add_control_message(ancillary::ControlMessage::new(
            libc::IPPROTO_IP,
            libc::IP_TTL,
            &ttl.to_ne_bytes(),
        ));
    }
    let sent = MessageSender::new(&a, b"datagram")
        .ancillary_data(&mut ancillary)
        .send_to(&b_addr)
        .unwrap();
    assert_eq!(sent, 8);

    let mut received = AncillaryData::with_capacity(128);
    let mut buf = [0; 16];
    let (n, result, from) = MessageReceiver::new(&b, &mut buf)
        .ancillary_data(&mut received)
        .recv_from()
        .unwrap();
    assert_eq!(&buf[..n], b"datagram");
    assert!(!result.control_data_truncated());
    assert_eq!(from.as_socket(), a_addr.as_socket());
    assert!(from.is_ipv4());
    let got_ttl = received
        .control_messages()
        .iter()
        .find(|m| m.cmsg_level() == libc::IPPROTO_IP && m.cmsg_type() == libc::IP_TTL)
        .map(|m| libc::c_int::from_ne_bytes(m.data()[..4].try_into().unwrap()));
    if cross_endian {
        assert!(got_ttl.is_some(), "the default TTL is received");
    } else {
        assert_eq!(got_ttl, Some(17));
    }
}

#[test]
fn udp_v6_addresses_round_trip() {
    let _guard = fd_lock();
    let Ok(socket) = Socket::new(Domain::IPV6, Type::DGRAM, None) else {
        eprintln!("no IPv6 here; skipped");
        return;
    };
    let any: SocketAddr = "[::1]:0".parse().unwrap();
    if socket.bind(&any.into()).is_err() {
        eprintln!("no IPv6 loopback here; skipped");
        return;
    }
    let addr = socket.local_addr().unwrap();
    MessageSender::new(&socket, b"six").send_to(&addr).unwrap();
    let mut buf = [0; 4];
    let (n, _, from) = MessageReceiver::new(&socket, &mut buf).recv_from().unwrap();
    assert_eq!(&buf[..n], b"six");
    assert_eq!(from.as_socket(), addr.as_socket());
    assert!(from.is_ipv6());
}

#[test]
fn unix_datagram_sockaddr_paths() {
    let _guard = fd_lock();
    let dir = TempDir::new("socket2-unix");
    let a_path = dir.path().join("a");
    let b_path = dir.path().join("b");
    let a = Socket::new(Domain::UNIX, Type::DGRAM, None).unwrap();
    let b = Socket::new(Domain::UNIX, Type::DGRAM, None).unwrap();
    a.bind(&SockAddr::unix(&a_path).unwrap()).unwrap();
    b.bind(&SockAddr::unix(&b_path).unwrap()).unwrap();

    let fds = distinct_fds(1);
    let mut ancillary = AncillaryData::new();
    ancillary.add_file_descriptors(&borrow_all(&fds));
    MessageSender::new(&a, b"hi")
        .ancillary_data(&mut ancillary)
        .send_to(&SockAddr::unix(&b_path).unwrap())
        .unwrap();
    let mut received = AncillaryData::with_capacity(AncillaryData::space_for_fds(1));
    let mut buf = [0; 4];
    let (n, _, from) = MessageReceiver::new(&b, &mut buf)
        .ancillary_data(&mut received)
        .recv_from()
        .unwrap();
    assert_eq!(&buf[..n], b"hi");
    assert!(from.is_unix());
    assert_eq!(from.as_pathname(), Some(a_path.as_path()));
    let [fd] = received.take_exact_fds().unwrap();
    assert_eq!(file_ids(&[fd]), file_ids(&fds));

    // An unbound sender has no address: Linux returns none at all (length 0), other
    // systems an unnamed `AF_UNIX` one.
    let c = Socket::new(Domain::UNIX, Type::DGRAM, None).unwrap();
    MessageSender::new(&c, b"anon")
        .send_to(&SockAddr::unix(&b_path).unwrap())
        .unwrap();
    let (_, _, from) = MessageReceiver::new(&b, &mut buf).recv_from().unwrap();
    assert!(from.len() == 0 || from.is_unnamed(), "{from:?}");
}
