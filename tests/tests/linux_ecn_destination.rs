//! `DestinationExt`: ECN and source addresses chosen by destination, through the real
//! kernel on loopback: an IPv4 socket, an IPv6 socket to `::1`, and a dual-stack IPv6
//! socket sending to `::ffff:127.0.0.1`, whose ECN bits Linux drops from `IPV6_TCLASS`.
#![cfg(target_os = "linux")]

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};

use ancillary::os::linux::{
    DestinationExt, Ecn, In6Pktinfo, InPktinfo, IpTos, IpTosSend, Ipv6Tclass, SocketOptionsExt,
};
use ancillary::{
    AncillaryData, AncillaryStorage, ControlMessagePayload, ControlMessagesBuf, MessageReceiver,
    MessageSender,
};
use tests::{udp_bind, udp_bind_v6};

/// Whether the ECN sends cannot be checked here (qemu-user on a big-endian guest passes
/// `IP_TOS` unswapped, and the kernel refuses it).
fn ecn_send_gap() -> bool {
    let gap = tests::under_qemu_cross_endian();
    if gap {
        tests::skipped("the whole test", tests::QEMU_CROSS_ENDIAN_CMSG);
    }
    gap
}

/// Sends one datagram to `to` with `ancillary`; returns the receiver's control data and the
/// sender address it saw.
fn round_trip(
    sender: &UdpSocket,
    receiver: &UdpSocket,
    to: SocketAddr,
    ancillary: &mut AncillaryData<'_>,
) -> (AncillaryData<'static>, SocketAddr) {
    MessageSender::new(sender, b"ecn")
        .ancillary_data(ancillary)
        .send_to(&to)
        .unwrap();
    let mut received = AncillaryData::with_capacity(256);
    let (n, _, from) = MessageReceiver::new(receiver, &mut [0; 16])
        .ancillary_data(&mut received)
        .recv_from()
        .unwrap();
    assert_eq!(n, 3);
    (received, from)
}

fn mapped(addr: SocketAddr) -> SocketAddr {
    let SocketAddr::V4(v4) = addr else {
        panic!("{addr} is not IPv4")
    };
    SocketAddr::from((v4.ip().to_ipv6_mapped(), v4.port()))
}

#[test]
fn ipv4_socket_gets_ip_tos() {
    if ecn_send_gap() {
        return;
    }
    let (receiver, sender) = (udp_bind("127.0.0.1:0"), udp_bind("0.0.0.0:0"));
    let to = receiver.local_addr().unwrap();
    let source = Ipv4Addr::new(127, 0, 0, 2);
    check_ipv4_path(&sender, &receiver, to, source.into(), source);
}

/// Sends each ECN codepoint from `source` to `to` (an IPv4 receiver's address, mapped or
/// not) and checks that `IP_TOS` and `IP_PKTINFO` were used and the receiver saw them.
fn check_ipv4_path(
    sender: &UdpSocket,
    receiver: &UdpSocket,
    to: SocketAddr,
    source: IpAddr,
    seen_from: Ipv4Addr,
) {
    receiver.set_recv_tos_v4(true).unwrap();
    for ecn in [Ecn::Ect0, Ecn::Ect1, Ecn::Ce] {
        let mut ancillary = AncillaryData::new();
        ancillary.add_ecn_for(&to, ecn);
        ancillary.try_add_source_for(&to, source).unwrap();
        let sent = ancillary.control_messages();
        assert_eq!(sent.find::<IpTosSend>().unwrap().unwrap().tos(), ecn.bits());
        assert!(sent.find::<Ipv6Tclass>().is_none());
        assert!(sent.find::<InPktinfo>().is_some());

        let (received, from) = round_trip(sender, receiver, to, &mut ancillary);
        let tos = received.control_messages().find::<IpTos>().unwrap();
        assert_eq!(tos.unwrap().ecn(), ecn);
        assert_eq!(from.ip(), IpAddr::from(seen_from));
    }
}

#[test]
fn ipv6_socket_gets_ipv6_tclass() {
    if ecn_send_gap() {
        return;
    }
    let (Some(receiver), Some(sender)) = (udp_bind_v6("[::1]:0"), udp_bind_v6("[::1]:0")) else {
        return;
    };
    receiver.set_recv_tclass_v6(true).unwrap();
    let to = receiver.local_addr().unwrap();
    for ecn in [Ecn::Ect0, Ecn::Ect1, Ecn::Ce] {
        let mut ancillary = AncillaryData::new();
        ancillary.try_add_ecn_for(&to, ecn).unwrap();
        ancillary
            .try_add_source_for(&to, Ipv6Addr::LOCALHOST.into())
            .unwrap();
        let sent = ancillary.control_messages();
        assert_eq!(sent.find::<Ipv6Tclass>().unwrap().unwrap().ecn(), ecn);
        assert!(sent.find::<IpTosSend>().is_none());
        assert!(sent.find::<In6Pktinfo>().is_some());

        let (received, from) = round_trip(&sender, &receiver, to, &mut ancillary);
        let tclass = received.control_messages().find::<Ipv6Tclass>().unwrap();
        assert_eq!(tclass.unwrap().ecn(), ecn);
        assert_eq!(from.ip(), IpAddr::from(Ipv6Addr::LOCALHOST));
    }
}

#[test]
fn dual_stack_socket_to_mapped_address_gets_ip_tos() {
    if ecn_send_gap() {
        return;
    }
    let Some(sender) = udp_bind_v6("[::]:0") else {
        return;
    };
    let receiver = udp_bind("127.0.0.1:0");
    let to = mapped(receiver.local_addr().unwrap());
    // The source as an IPv4-mapped address, as a dual-stack socket reports it.
    let source = Ipv4Addr::new(127, 0, 0, 3);
    check_ipv4_path(
        &sender,
        &receiver,
        to,
        source.to_ipv6_mapped().into(),
        source,
    );
}

#[test]
fn source_of_the_other_family_is_refused() {
    let v4: SocketAddr = (Ipv4Addr::LOCALHOST, 9).into();
    let v6: SocketAddr = (Ipv6Addr::LOCALHOST, 9).into();
    let mut buf = ControlMessagesBuf::new();
    for (dest, source) in [
        (v4, IpAddr::from(Ipv6Addr::LOCALHOST)),
        (mapped(v4), IpAddr::from(Ipv6Addr::LOCALHOST)),
        (v6, IpAddr::from(Ipv4Addr::LOCALHOST)),
        (v6, IpAddr::from(Ipv4Addr::LOCALHOST.to_ipv6_mapped())),
    ] {
        let err = buf.try_add_source_for(&dest, source).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{dest} {source}");
    }
    assert!(buf.is_empty());
}

#[test]
fn full_storage_adds_nothing() {
    let to: SocketAddr = (Ipv4Addr::LOCALHOST, 9).into();
    let mut storage = AncillaryStorage::<{ IpTosSend::SPACE }>::new();
    let mut ancillary = AncillaryData::with_storage(&mut storage);
    ancillary.try_add_ecn_for(&to, Ecn::Ect0).unwrap();
    assert!(ancillary.try_add_ecn_for(&to, Ecn::Ect0).is_err());
    let err = ancillary
        .try_add_source_for(&to, Ipv4Addr::LOCALHOST.into())
        .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    assert_eq!(ancillary.control_messages().iter().count(), 1);
}
