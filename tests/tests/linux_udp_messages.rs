//! The built-in UDP messages of `ancillary::os::linux` through real loopback sockets, each
//! enabled with `SocketOptionsExt`: IPv4, IPv6, and a dual-stack IPv6 socket receiving
//! IPv4 traffic (which arrives with the IPv4 messages, level `IPPROTO_IP`).
#![cfg(target_os = "linux")]

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::time::{Duration, SystemTime};

use ancillary::os::linux::{
    Ecn, In6Pktinfo, InPktinfo, IpOrigDstAddr, IpTos, IpTosSend, IpTtl, Ipv6HopLimit,
    Ipv6OrigDstAddr, Ipv6Tclass, RxqOvfl, SocketOptionsExt, TimestampNs, Timestamping, TxTime,
};
use ancillary::{
    AncillaryData, ControlMessage, ControlMessagePayload, MessageReceiver, MessageSender,
    PayloadError,
};

const ROOM: usize = 512;

use tests::{udp_bind as bind, udp_bind_v6 as bind_v6};

/// Sends `payload` with `ancillary` from `sender` to `to`.
fn send(sender: &UdpSocket, to: SocketAddr, payload: &[u8], ancillary: &mut AncillaryData<'_>) {
    MessageSender::new(sender, payload)
        .ancillary_data(ancillary)
        .send_to(&to)
        .unwrap();
}

/// Receives one datagram; returns its length, sender and control data.
fn receive(socket: &UdpSocket) -> (usize, SocketAddr, AncillaryData<'static>) {
    let mut ancillary = AncillaryData::with_capacity(ROOM);
    let mut buf = [0u8; 2048];
    let (n, result, from) = MessageReceiver::new(socket, &mut buf)
        .ancillary_data(&mut ancillary)
        .recv_from()
        .unwrap();
    assert!(!result.control_data_truncated());
    (n, from, ancillary)
}

/// Whether a socket option could be set: natively it must be; under qemu-user, which has
/// no translation for some (`ENOPROTOOPT`), a failure skips the checks that depend on it.
fn enabled(result: io::Result<()>, option: &str) -> bool {
    match result {
        Ok(()) => true,
        Err(err) if tests::under_qemu() => {
            tests::skipped(option, &format!("qemu-user cannot set {option}: {err}"));
            false
        }
        Err(err) => panic!("setsockopt({option}): {err}"),
    }
}

/// Whether send-side messages with integers can be tested here (qemu-user passes them to
/// a little-endian host unswapped from a big-endian guest); prints the skip if not.
fn can_send_int_messages(what: &str) -> bool {
    if tests::under_qemu_cross_endian() {
        tests::skipped(what, tests::QEMU_CROSS_ENDIAN_CMSG);
        return false;
    }
    true
}

#[test]
fn ipv4_tos_pktinfo_ttl_and_orig_dst_addr() {
    let receiver = bind("127.0.0.1:0");
    receiver.set_recv_tos_v4(true).unwrap();
    receiver.set_recv_pktinfo_v4(true).unwrap();
    receiver.set_recv_ttl_v4(true).unwrap();
    let orig_dst = enabled(
        receiver.set_recv_orig_dst_addr_v4(true),
        "IP_RECVORIGDSTADDR",
    );
    let to = receiver.local_addr().unwrap();
    let sender = bind("0.0.0.0:0");

    let sends_ints = can_send_int_messages("ECN, TTL and source address on send");
    let mut ancillary = AncillaryData::new();
    if sends_ints {
        ancillary.add_control_message(&IpTosSend::from_ecn(Ecn::Ect0));
        ancillary.add_control_message(&IpTtl::new(7));
        ancillary.add_control_message(&InPktinfo::from_source(Ipv4Addr::new(127, 0, 0, 3)));
    }
    send(&sender, to, b"four", &mut ancillary);

    let (n, from, ancillary) = receive(&receiver);
    assert_eq!(n, 4);
    let messages = ancillary.control_messages();
    let tos = messages.find::<IpTos>().expect("IP_TOS").unwrap();
    let info = messages.find::<InPktinfo>().expect("IP_PKTINFO").unwrap();
    let ttl = messages.find::<IpTtl>().expect("IP_TTL").unwrap();
    assert_eq!(info.addr(), Ipv4Addr::LOCALHOST);
    assert_eq!(info.spec_dst(), Ipv4Addr::LOCALHOST);
    assert!(info.ifindex() > 0, "{info:?}");
    if orig_dst {
        let orig = messages
            .find::<IpOrigDstAddr>()
            .expect("IP_ORIGDSTADDR")
            .unwrap();
        assert_eq!(orig.addr(), to.to_string().parse().unwrap());
    }
    if sends_ints {
        assert_eq!(tos.ecn(), Ecn::Ect0);
        assert_eq!(tos.tos(), 0b10);
        assert_eq!(ttl.ttl(), 7);
        assert_eq!(from.ip(), Ipv4Addr::new(127, 0, 0, 3));
    } else {
        assert_eq!(ttl.ttl(), 64);
    }
}

#[test]
fn ip_tos_send_layout_is_passed_over_on_receive() {
    let receiver = bind("127.0.0.1:0");
    receiver.set_recv_tos_v4(true).unwrap();
    let sender = bind("127.0.0.1:0");
    send(
        &sender,
        receiver.local_addr().unwrap(),
        b"x",
        &mut AncillaryData::new(),
    );
    let (_, _, ancillary) = receive(&receiver);
    let messages = ancillary.control_messages();
    // Linux delivers one byte: the receive layout parses, the send layout is not there.
    assert_eq!(
        messages.find::<IpTos>().unwrap().unwrap().ecn(),
        Ecn::NotEct
    );
    assert!(messages.find::<IpTosSend>().is_none());
    assert_eq!(messages.of_type::<IpTosSend>().count(), 0);
    // An explicit conversion still says why it does not fit.
    let raw = messages.iter().next().unwrap();
    assert!(matches!(
        IpTosSend::try_from(raw),
        Err(PayloadError::Length { found: 1, .. })
    ));
    assert!(!IpTosSend::matches(&raw));
}

#[test]
fn ipv4_timestamps_and_txtime() {
    let socket = bind("127.0.0.1:0");
    let to = socket.local_addr().unwrap();
    if let Err(err) = socket.set_timestamp_ns(true) {
        assert!(tests::under_qemu(), "SO_TIMESTAMPNS: {err}");
        return tests::skipped(
            "the whole test",
            &format!("qemu-user: SO_TIMESTAMPNS: {err}"),
        );
    }
    let flags = libc::SOF_TIMESTAMPING_RX_SOFTWARE | libc::SOF_TIMESTAMPING_SOFTWARE;
    socket.set_timestamping(flags).unwrap();
    let sends_txtime = match socket.set_txtime(libc::CLOCK_MONOTONIC, 0) {
        Ok(()) => can_send_int_messages("SCM_TXTIME"),
        Err(err) => {
            tests::skipped(
                "SCM_TXTIME",
                &format!("SO_TXTIME cannot be set here: {err}"),
            );
            false
        }
    };
    let mut ancillary = AncillaryData::new();
    if sends_txtime {
        ancillary.add_control_message(&TxTime::new(0));
    }
    send(&socket, to, b"when", &mut ancillary);

    let (_, _, ancillary) = receive(&socket);
    let messages = ancillary.control_messages();
    let ns = messages
        .find::<TimestampNs>()
        .expect("SCM_TIMESTAMPNS")
        .unwrap();
    let age = SystemTime::now()
        .duration_since(ns.system_time().unwrap())
        .unwrap();
    assert!(age < Duration::from_secs(60), "{ns:?}");
    let stamps = messages
        .find::<Timestamping>()
        .expect("SCM_TIMESTAMPING")
        .unwrap();
    let software = stamps.software().expect("a software timestamp");
    let epoch = ns.since_epoch().unwrap();
    assert!(
        software.abs_diff(epoch) < Duration::from_secs(1),
        "{stamps:?} {ns:?}"
    );
    assert_eq!(stamps.hardware(), None);
}

#[test]
fn rxq_ovfl_counts_dropped_datagrams() {
    let receiver = bind("127.0.0.1:0");
    if !enabled(receiver.set_rxq_ovfl(true), "SO_RXQ_OVFL") {
        return;
    }
    socket2::SockRef::from(&receiver)
        .set_recv_buffer_size(1)
        .unwrap();
    let to = receiver.local_addr().unwrap();
    let sender = bind("127.0.0.1:0");
    // Far more than the smallest receive buffer holds: most are dropped.
    for _ in 0..64 {
        sender.send_to(&[0u8; 1000], to).unwrap();
    }
    receiver.set_nonblocking(true).unwrap();
    let mut buf = [0u8; 2048];
    let mut queued = 0;
    loop {
        match receiver.recv(&mut buf) {
            Ok(_) => queued += 1,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) => panic!("{e}"),
        }
    }
    assert!(queued < 64, "nothing was dropped");
    receiver.set_nonblocking(false).unwrap();
    // Queued after the drops: it carries their count.
    sender.send_to(b"after", to).unwrap();
    let (_, _, ancillary) = receive(&receiver);
    let ovfl = ancillary
        .control_messages()
        .find::<RxqOvfl>()
        .expect("SO_RXQ_OVFL")
        .unwrap();
    assert_eq!(ovfl.dropped(), 64 - queued);
}

#[test]
fn ipv6_tclass_pktinfo_hoplimit_and_orig_dst_addr() {
    let Some(receiver) = bind_v6("[::1]:0") else {
        return;
    };
    receiver.set_recv_tclass_v6(true).unwrap();
    receiver.set_recv_pktinfo_v6(true).unwrap();
    receiver.set_recv_hoplimit_v6(true).unwrap();
    let orig_dst = enabled(
        receiver.set_recv_orig_dst_addr_v6(true),
        "IPV6_RECVORIGDSTADDR",
    );
    let to = receiver.local_addr().unwrap();
    let sender = bind("[::]:0");

    let sends_ints = can_send_int_messages("traffic class and hop limit on send");
    let mut ancillary = AncillaryData::new();
    ancillary.add_control_message(&In6Pktinfo::from_source(Ipv6Addr::LOCALHOST));
    if sends_ints {
        ancillary.add_control_message(&Ipv6Tclass::from_ecn(Ecn::Ce));
        ancillary.add_control_message(&Ipv6HopLimit::new(9));
    }
    send(&sender, to, b"six", &mut ancillary);

    let (n, from, ancillary) = receive(&receiver);
    assert_eq!(n, 3);
    assert_eq!(from.ip(), Ipv6Addr::LOCALHOST);
    let messages = ancillary.control_messages();
    let tclass = messages.find::<Ipv6Tclass>().expect("IPV6_TCLASS").unwrap();
    let info = messages
        .find::<In6Pktinfo>()
        .expect("IPV6_PKTINFO")
        .unwrap();
    let hops = messages
        .find::<Ipv6HopLimit>()
        .expect("IPV6_HOPLIMIT")
        .unwrap();
    assert_eq!(info.addr(), Ipv6Addr::LOCALHOST);
    assert!(info.ifindex() > 0);
    if orig_dst {
        let orig = messages
            .find::<Ipv6OrigDstAddr>()
            .expect("IPV6_ORIGDSTADDR")
            .unwrap();
        assert_eq!(SocketAddr::V6(orig.addr()), to);
    }
    if sends_ints {
        assert_eq!(tclass.ecn(), Ecn::Ce);
        assert_eq!(hops.hop_limit(), 9);
    } else {
        assert_eq!(tclass.ecn(), Ecn::NotEct);
    }
}

#[test]
fn dual_stack_socket_gets_ipv4_messages_for_ipv4_traffic() {
    if bind_v6("[::1]:0").is_none() {
        return;
    }
    // IPv4-mapped traffic reaches a socket with IPV6_V6ONLY off (set before `bind`) and
    // carries the IPv4 messages, if the IPv4 options are on.
    let socket = socket2::Socket::new(socket2::Domain::IPV6, socket2::Type::DGRAM, None).unwrap();
    socket.set_only_v6(false).unwrap();
    socket
        .bind(&SocketAddr::from((Ipv6Addr::UNSPECIFIED, 0)).into())
        .unwrap();
    let receiver = UdpSocket::from(socket);
    receiver
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    receiver.set_recv_tos_v4(true).unwrap();
    receiver.set_recv_pktinfo_v4(true).unwrap();
    receiver.set_recv_tclass_v6(true).unwrap();
    receiver.set_recv_pktinfo_v6(true).unwrap();
    let port = receiver.local_addr().unwrap().port();

    let sender4 = bind("127.0.0.1:0");
    let sends_ints = can_send_int_messages("ECN on send");
    let mut ancillary = AncillaryData::new();
    if sends_ints {
        ancillary.add_control_message(&IpTosSend::from_ecn(Ecn::Ect1));
    }
    send(
        &sender4,
        (Ipv4Addr::LOCALHOST, port).into(),
        b"v4",
        &mut ancillary,
    );
    let (_, from, ancillary) = receive(&receiver);
    let mapped = Ipv4Addr::LOCALHOST.to_ipv6_mapped();
    assert_eq!(from.ip(), mapped);
    let messages = ancillary.control_messages();
    let tos = messages.find::<IpTos>().expect("IP_TOS").unwrap();
    let info = messages.find::<InPktinfo>().expect("IP_PKTINFO").unwrap();
    assert_eq!(info.addr(), Ipv4Addr::LOCALHOST);
    // `IPV6_PKTINFO` comes too, with the IPv4-mapped destination; the ECN bits come only
    // in `IP_TOS`.
    let info6 = messages
        .find::<In6Pktinfo>()
        .expect("IPV6_PKTINFO")
        .unwrap();
    assert_eq!(info6.addr(), mapped);
    assert!(messages.find::<Ipv6Tclass>().is_none());
    if sends_ints {
        assert_eq!(tos.ecn(), Ecn::Ect1);
    }

    // IPv6 traffic on the same socket carries the IPv6 messages.
    let sender6 = bind("[::1]:0");
    sender6.send_to(b"v6", (Ipv6Addr::LOCALHOST, port)).unwrap();
    let (_, from, ancillary) = receive(&receiver);
    assert_eq!(from.ip(), Ipv6Addr::LOCALHOST);
    let messages = ancillary.control_messages();
    let info = messages
        .find::<In6Pktinfo>()
        .expect("IPV6_PKTINFO")
        .unwrap();
    assert_eq!(info.addr(), Ipv6Addr::LOCALHOST);
    assert!(messages.find::<Ipv6Tclass>().is_some());
    assert!(messages.find::<InPktinfo>().is_none());

    // Answering the IPv4 client from its destination: an IPv4 source address on an IPv6
    // socket is given as `IP_PKTINFO` too.
    if sends_ints {
        let mut reply = AncillaryData::new();
        reply.add_control_message(&InPktinfo::from_source(Ipv4Addr::LOCALHOST));
        let to = SocketAddr::from((mapped, sender4.local_addr().unwrap().port()));
        send(&receiver, to, b"back", &mut reply);
        let mut buf = [0u8; 8];
        let (n, from) = sender4.recv_from(&mut buf).unwrap();
        assert_eq!((&buf[..n], from.port()), (&b"back"[..], port));
    }
}

#[test]
fn built_in_messages_have_the_c_layouts() {
    assert_eq!(IpTos::SPACE, ancillary::cmsg_space(1));
    assert_eq!(IpTosSend::SPACE, ancillary::cmsg_space(4));
    assert_eq!(
        InPktinfo::SPACE,
        ancillary::cmsg_space(size_of::<libc::in_pktinfo>())
    );
    assert_eq!(
        In6Pktinfo::SPACE,
        ancillary::cmsg_space(size_of::<libc::in6_pktinfo>())
    );
    assert_eq!(
        Timestamping::SPACE,
        ancillary::cmsg_space(3 * size_of::<libc::timespec>())
    );
    // A constructed message reads back through the raw form.
    let info = InPktinfo::new(Ipv4Addr::new(10, 1, 2, 3), 3);
    let message = ControlMessage::from(&info);
    assert_eq!(&message.data()[4..8], &[10, 1, 2, 3]);
    assert_eq!(InPktinfo::try_from(message).unwrap(), info);
}
