//! The error queue (`IP_RECVERR`/`IPV6_RECVERR` + `MSG_ERRQUEUE`) read through the typed
//! `sock_extended_err` messages of `ancillary::os::linux`, against the real kernel: a
//! datagram to a closed loopback port comes back as an ICMP port unreachable.
#![cfg(target_os = "linux")]

use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use ancillary::os::linux::{
    ExtendedErrorKind, InPktinfo, IpRecvErr, IpTos, Ipv6RecvErr, RecvOptionsExt, RecvResultExt,
    SocketOptionsExt, TimestampNs, ERR_QUEUE_SPACE,
};
use ancillary::{
    AncillaryData, ControlMessagePayload, MessageReceiver, PayloadError, RecvOptions, RecvResult,
};
use tests::{skipped, under_qemu, under_qemu_i386, QEMU_I386_RECVERR_OFFENDER, QEMU_LOSES_CTRUNC};

/// Sends to a port nobody listens on and reads the error queue until the error is there.
fn provoke_and_read(
    socket: &UdpSocket,
    closed: SocketAddr,
    ancillary: &mut AncillaryData<'_>,
) -> io::Result<RecvResult> {
    socket.send_to(b"anyone there?", closed)?;
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut buf = [0u8; 64];
    loop {
        let attempt = MessageReceiver::new(socket, &mut buf)
            .ancillary_data(ancillary)
            .options(*RecvOptions::new().err_queue(true))
            .recv();
        match attempt {
            Ok((n, result)) => {
                // The error queue returns the offending datagram's payload as data.
                assert_eq!(&buf[..n], b"anyone there?");
                return Ok(result);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => return Err(e),
        }
    }
}

#[test]
fn ipv4_port_unreachable_arrives_as_econnrefused() {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_recv_err_v4(true).unwrap();
    let closed = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();

    let mut ancillary = AncillaryData::with_capacity(IpRecvErr::SPACE);
    let result = provoke_and_read(&socket, closed, &mut ancillary).unwrap();
    assert!(result.err_queue(), "MSG_ERRQUEUE is set in msg_flags");

    let err = ancillary
        .control_messages()
        .find::<IpRecvErr>()
        .expect("an IP_RECVERR message")
        .unwrap();
    assert_eq!(err.errno(), libc::ECONNREFUSED);
    assert_eq!(err.error().kind(), io::ErrorKind::ConnectionRefused);
    assert_eq!(err.origin(), libc::SO_EE_ORIGIN_ICMP);
    assert_eq!(err.icmp_type(), 3, "ICMP destination unreachable");
    assert_eq!(err.icmp_code(), 3, "port unreachable");
    if under_qemu_i386() {
        skipped("the offender address", QEMU_I386_RECVERR_OFFENDER);
    } else {
        let offender = err.offender().expect("ICMP errors name the reporting node");
        assert_eq!(*offender.ip(), std::net::Ipv4Addr::LOCALHOST);
    }
    // The queue is now empty again.
    let mut buf = [0u8; 8];
    let empty = MessageReceiver::new(&socket, &mut buf)
        .ancillary_data(&mut ancillary)
        .options(*RecvOptions::new().err_queue(true))
        .recv();
    assert_eq!(empty.unwrap_err().kind(), io::ErrorKind::WouldBlock);
}

#[test]
fn ipv6_port_unreachable_arrives_as_econnrefused() {
    let Ok(socket) = UdpSocket::bind("[::1]:0") else {
        println!("skipped: no IPv6 loopback (::1) on this machine");
        return;
    };
    socket.set_recv_err_v6(true).unwrap();
    let closed = UdpSocket::bind("[::1]:0").unwrap().local_addr().unwrap();

    let mut ancillary = AncillaryData::with_capacity(Ipv6RecvErr::SPACE);
    let result = provoke_and_read(&socket, closed, &mut ancillary).unwrap();
    assert!(result.err_queue());
    let err = ancillary
        .control_messages()
        .find::<Ipv6RecvErr>()
        .expect("an IPV6_RECVERR message")
        .unwrap();
    assert_eq!(err.errno(), libc::ECONNREFUSED);
    assert_eq!(err.origin(), libc::SO_EE_ORIGIN_ICMP6);
    assert_eq!(err.icmp_type(), 1, "ICMPv6 destination unreachable");
    assert_eq!(err.icmp_code(), 4, "port unreachable");
    if under_qemu_i386() {
        skipped("the offender address", QEMU_I386_RECVERR_OFFENDER);
    } else {
        assert_eq!(
            err.offender().map(|a| *a.ip()),
            Some(std::net::Ipv6Addr::LOCALHOST)
        );
    }
}

#[test]
fn a_too_small_buffer_truncates_instead_of_misparsing() {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_recv_err_v4(true).unwrap();
    let closed = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();

    // Room for the header and half the payload only.
    let mut ancillary = AncillaryData::with_capacity(ancillary::cmsg_len(16));
    let result = provoke_and_read(&socket, closed, &mut ancillary).unwrap();
    if under_qemu() {
        skipped("MSG_CTRUNC", QEMU_LOSES_CTRUNC);
    } else {
        assert!(result.control_data_truncated());
    }
    // Linux shrinks `cmsg_len` to what it wrote, so the message looks complete but short:
    // the typed view must refuse it with a length error, never panic or read past it.
    let parsed = ancillary
        .control_messages()
        .find::<IpRecvErr>()
        .expect("the cut message is still there");
    match parsed {
        Err(PayloadError::Length {
            expected, found, ..
        }) => {
            assert_eq!(expected, size_of::<IpRecvErr>());
            assert!(found < expected, "found {found}");
        }
        other => panic!("a cut IP_RECVERR parsed as {other:?}"),
    }
    assert!(!IpRecvErr::matches(
        &ancillary.control_messages().iter().next().unwrap()
    ));
}

/// A socket with `IP_RECVERR` and a closed port on 127.0.0.1 to send to.
fn ipv4_with_closed_port() -> (UdpSocket, SocketAddr) {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_recv_err_v4(true).unwrap();
    let closed = UdpSocket::bind("127.0.0.1:0").unwrap();
    (socket, closed.local_addr().unwrap())
}

#[test]
fn port_unreachable_is_classified_with_its_code() {
    let (socket, closed) = ipv4_with_closed_port();
    let mut ancillary = AncillaryData::with_capacity(ERR_QUEUE_SPACE);
    provoke_and_read(&socket, closed, &mut ancillary).unwrap();
    let err = ancillary.control_messages().find::<IpRecvErr>().unwrap();
    // ICMP type 3 (destination unreachable), code 3 (port unreachable).
    let kind = ExtendedErrorKind::Unreachable { code: 3 };
    assert_eq!(err.unwrap().kind(), kind);

    let Ok(socket) = UdpSocket::bind("[::1]:0") else {
        skipped("the IPv6 half", "no IPv6 loopback here");
        return;
    };
    socket.set_recv_err_v6(true).unwrap();
    let closed = UdpSocket::bind("[::1]:0").unwrap().local_addr().unwrap();
    provoke_and_read(&socket, closed, &mut ancillary).unwrap();
    let err = ancillary.control_messages().find::<Ipv6RecvErr>().unwrap();
    // ICMPv6 type 1 (destination unreachable), code 4 (port unreachable).
    let kind = ExtendedErrorKind::Unreachable { code: 4 };
    assert_eq!(err.unwrap().kind(), kind);
}

#[test]
fn err_queue_space_holds_an_error_with_the_quic_receive_options() {
    let (socket, closed) = ipv4_with_closed_port();
    socket.set_recv_pktinfo_v4(true).unwrap();
    socket.set_recv_tos_v4(true).unwrap();
    if let Err(err) = socket.set_timestamp_ns(true) {
        assert!(tests::qemu_sockopt_gap("SO_TIMESTAMPNS", &err), "{err}");
        return;
    }
    let mut ancillary = AncillaryData::with_capacity(ERR_QUEUE_SPACE);
    let result = provoke_and_read(&socket, closed, &mut ancillary).unwrap();
    assert!(!result.control_data_truncated());
    let messages = ancillary.control_messages();
    assert_eq!(
        messages.find::<IpRecvErr>().unwrap().unwrap().errno(),
        libc::ECONNREFUSED
    );
    assert!(messages.find::<InPktinfo>().unwrap().is_ok());
    assert!(messages.find::<IpTos>().unwrap().is_ok());
    assert!(messages.find::<TimestampNs>().unwrap().is_ok());
    // Room for the error alone cuts the others off.
    if under_qemu() {
        skipped("the truncated receive", QEMU_LOSES_CTRUNC);
        return;
    }
    let mut ancillary = AncillaryData::with_capacity(IpRecvErr::SPACE);
    let result = provoke_and_read(&socket, closed, &mut ancillary).unwrap();
    assert!(result.control_data_truncated());
}
