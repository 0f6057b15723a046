//! `#[derive(ControlMessage)]` against the real kernel: this crate defines its own message
//! types, as any downstream crate would, and receives (or sends) them over loopback.

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::os::fd::{AsFd, AsRawFd};
use std::os::unix::net::UnixDatagram;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ancillary::os::linux::{ScmCredentials, ScmSecurity, SocketOptionsExt, SCM_SECURITY};
use ancillary::{
    AncillaryData, ControlMessage, ControlMessagePayload, ControlMessages, ControlMessagesBuf,
    MessageReceiver, MessageSender, PayloadError, ScmRights,
};

/// `IP_TTL`: the TTL of a received packet (with `IP_RECVTTL`), or of one to send.
#[derive(ControlMessage, Clone, Copy, Debug, PartialEq, Eq)]
#[cmsg(level = libc::IPPROTO_IP, type = libc::IP_TTL)]
#[repr(C)]
struct IpTtl {
    ttl: libc::c_int,
}

/// `IP_PKTINFO` (`struct in_pktinfo`), addresses in network byte order.
#[derive(ControlMessage, Clone, Copy, Debug, PartialEq, Eq)]
#[cmsg(level = libc::IPPROTO_IP, type = libc::IP_PKTINFO)]
#[repr(C)]
struct InPktinfo {
    ipi_ifindex: libc::c_int,
    ipi_spec_dst: [u8; 4],
    ipi_addr: [u8; 4],
}

/// The target's `time_t`. libc deprecates the alias on musl (it is to follow musl 1.2's
/// 64-bit `time_t` on 32-bit targets); the derive repeats field types in its output, so the
/// allowance sits on this alias rather than on the struct.
#[allow(
    deprecated,
    reason = "the type itself is right for the kernel's timespec here"
)]
type TimeT = libc::time_t;

/// `SO_TIMESTAMPNS` (`struct timespec`).
#[derive(ControlMessage, Clone, Copy, Debug)]
#[cmsg(level = libc::SOL_SOCKET, type = libc::SO_TIMESTAMPNS)]
#[repr(C)]
struct TimestampNs {
    tv_sec: TimeT,
    tv_nsec: libc::c_long,
}

/// `IPV6_HOPLIMIT` (with `IPV6_RECVHOPLIMIT`).
#[derive(ControlMessage, Clone, Copy, Debug)]
#[cmsg(level = libc::IPPROTO_IPV6, type = libc::IPV6_HOPLIMIT)]
#[repr(C)]
struct Ipv6HopLimit {
    hop_limit: libc::c_int,
}

/// `IPV6_PKTINFO` (`struct in6_pktinfo`).
#[derive(ControlMessage, Clone, Copy, Debug)]
#[cmsg(level = libc::IPPROTO_IPV6, type = libc::IPV6_PKTINFO)]
#[repr(C)]
struct In6Pktinfo {
    ipi6_addr: [u8; 16],
    ipi6_ifindex: libc::c_uint,
}

/// A made-up variable-length message: two header bytes, then bytes.
#[derive(ControlMessage, Debug, PartialEq, Eq)]
#[cmsg(level = 0x7ead, type = 1)]
#[repr(C)]
struct Blob {
    kind: u8,
    flags: u8,
    bytes: [u8],
}

// The derived layouts are the C ones.
const _: () = {
    assert!(size_of::<InPktinfo>() == size_of::<libc::in_pktinfo>());
    assert!(size_of::<TimestampNs>() == size_of::<libc::timespec>());
    assert!(size_of::<In6Pktinfo>() == size_of::<libc::in6_pktinfo>());
};

/// A socket option that turns a message on, set without `unsafe` through
/// `SocketOptionsExt`.
type Opt = fn(&UdpSocket, bool) -> io::Result<()>;
const RECV_TTL: Opt = <UdpSocket as SocketOptionsExt>::set_recv_ttl_v4;
const PKTINFO: Opt = <UdpSocket as SocketOptionsExt>::set_recv_pktinfo_v4;
const TIMESTAMPNS: Opt = <UdpSocket as SocketOptionsExt>::set_timestamp_ns;

/// Under qemu-user only: whether `setsockopt(SO_TIMESTAMPNS)` fails (qemu-user has no
/// translation for it and answers `ENOPROTOOPT`); prints the skip if so. Natively it is
/// not probed, and the tests fail loudly if the option cannot be set.
fn qemu_lacks_so_timestampns() -> bool {
    if !tests::under_qemu() {
        return false;
    }
    let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    match socket.set_timestamp_ns(true) {
        Ok(()) => false,
        Err(err) => {
            tests::skipped(
                "the whole test",
                &format!("qemu-user cannot set SO_TIMESTAMPNS ({err})"),
            );
            true
        }
    }
}

/// A receiver on 127.0.0.1 with the given `IPPROTO_IP`/`SOL_SOCKET` options enabled.
fn udp_receiver(options: &[Opt]) -> UdpSocket {
    let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    for set in options {
        set(&socket, true).unwrap();
    }
    socket
}

/// Receives one datagram with room for `room` bytes of control data.
fn receive(socket: &UdpSocket, room: usize) -> (Vec<u8>, AncillaryData<'static>, SocketAddr) {
    let mut ancillary = AncillaryData::with_capacity(room);
    let mut buf = [0u8; 64];
    let (n, result, from) = MessageReceiver::new(socket, &mut buf)
        .ancillary_data(&mut ancillary)
        .recv_from()
        .unwrap();
    assert!(!result.control_data_truncated(), "control data truncated");
    (buf[..n].to_vec(), ancillary, from)
}

/// Sends `payload` over IPv4 loopback to a receiver with `options` enabled, and returns
/// the control data it got with the datagram (room for `room` bytes).
fn loopback_datagram(options: &[Opt], payload: &[u8], room: usize) -> AncillaryData<'static> {
    let receiver = udp_receiver(options);
    let sender = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    sender
        .send_to(payload, receiver.local_addr().unwrap())
        .unwrap();
    let (data, ancillary, _) = receive(&receiver, room);
    assert_eq!(data, payload);
    ancillary
}

#[test]
fn ip_ttl_received_with_ip_recvttl_is_64() {
    let ancillary = loopback_datagram(&[RECV_TTL], b"ttl", IpTtl::SPACE);
    let ttl = ancillary
        .control_messages()
        .find::<IpTtl>()
        .unwrap()
        .unwrap();
    assert_eq!(ttl, IpTtl { ttl: 64 });
}

#[test]
fn ip_ttl_sent_as_a_control_message_reaches_the_peer() {
    if tests::under_qemu_cross_endian() {
        tests::skipped("the whole test", tests::QEMU_CROSS_ENDIAN_CMSG);
        return;
    }
    let receiver = udp_receiver(&[RECV_TTL]);
    let sender = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let mut ancillary = AncillaryData::new();
    ancillary.add_control_message(&IpTtl { ttl: 7 });
    MessageSender::new(&sender, b"seven")
        .ancillary_data(&mut ancillary)
        .send_to(&receiver.local_addr().unwrap())
        .unwrap();

    let (_, ancillary, _) = receive(&receiver, IpTtl::SPACE);
    let ttl = ancillary
        .control_messages()
        .find::<IpTtl>()
        .unwrap()
        .unwrap();
    assert_eq!(ttl.ttl, 7);
}

#[test]
fn ip_pktinfo_received_names_the_destination() {
    let ancillary = loopback_datagram(&[PKTINFO], b"where", InPktinfo::SPACE);
    let info: InPktinfo = ancillary
        .control_messages()
        .find::<InPktinfo>()
        .unwrap()
        .unwrap();
    assert_eq!(Ipv4Addr::from(info.ipi_addr), Ipv4Addr::LOCALHOST);
    assert!(info.ipi_ifindex > 0, "the loopback interface index");
}

#[test]
fn ip_pktinfo_sent_with_spec_dst_picks_the_source_address() {
    let receiver = udp_receiver(&[]);
    // Unbound address, so that the kernel picks the source per packet.
    let sender = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).unwrap();
    let info = InPktinfo {
        ipi_ifindex: 0,
        ipi_spec_dst: Ipv4Addr::new(127, 0, 0, 2).octets(),
        ipi_addr: [0; 4],
    };
    let mut ancillary = AncillaryData::new();
    ancillary.add_control_message(&info);
    MessageSender::new(&sender, b"from .2")
        .ancillary_data(&mut ancillary)
        .send_to(&receiver.local_addr().unwrap())
        .unwrap();

    let mut buf = [0u8; 16];
    let (n, from) = receiver.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"from .2");
    assert_eq!(from.ip(), Ipv4Addr::new(127, 0, 0, 2));
}

#[test]
fn so_timestampns_is_close_to_now() {
    if qemu_lacks_so_timestampns() {
        return;
    }
    let ancillary = loopback_datagram(&[TIMESTAMPNS], b"when", TimestampNs::SPACE);
    let stamp = ancillary
        .control_messages()
        .find::<TimestampNs>()
        .unwrap()
        .unwrap();
    let stamp = Duration::new(
        u64::try_from(stamp.tv_sec).unwrap(),
        u32::try_from(stamp.tv_nsec).unwrap(),
    );
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let skew = now.abs_diff(stamp);
    assert!(
        skew < Duration::from_secs(10),
        "timestamp {stamp:?}, now {now:?}"
    );
}

#[test]
fn scm_credentials_with_so_passcred_are_ours() {
    let (left, right) = UnixDatagram::pair().unwrap();
    tests::set_passcred(&right);
    left.send(b"who").unwrap();

    let mut ancillary = AncillaryData::with_capacity(ScmCredentials::SPACE);
    MessageReceiver::new(&right, &mut [0; 8])
        .ancillary_data(&mut ancillary)
        .recv()
        .unwrap();
    let credentials = ancillary
        .control_messages()
        .find::<ScmCredentials>()
        .unwrap()
        .unwrap();
    // SAFETY: these calls have no preconditions.
    let (pid, uid, gid) = unsafe { (libc::getpid(), libc::getuid(), libc::getgid()) };
    assert_eq!(
        (credentials.pid(), credentials.uid(), credentials.gid()),
        (pid, uid, gid)
    );
    assert_eq!(credentials, ScmCredentials::current());
    assert_eq!(credentials, ScmCredentials::new(pid, uid, gid));
}

#[test]
fn ipv6_hop_limit_and_pktinfo_on_loopback() {
    let receiver = match UdpSocket::bind((Ipv6Addr::LOCALHOST, 0)) {
        Ok(socket) => socket,
        Err(err) => {
            println!("skipped: no IPv6 loopback here ({err})");
            return;
        }
    };
    receiver.set_recv_hoplimit_v6(true).unwrap();
    receiver.set_recv_pktinfo_v6(true).unwrap();
    let sender = UdpSocket::bind((Ipv6Addr::LOCALHOST, 0)).unwrap();
    sender
        .send_to(b"six", receiver.local_addr().unwrap())
        .unwrap();

    let (data, ancillary, _) = receive(&receiver, Ipv6HopLimit::SPACE + In6Pktinfo::SPACE);
    assert_eq!(data, b"six");
    let messages = ancillary.control_messages();
    let hops = messages.find::<Ipv6HopLimit>().unwrap().unwrap();
    assert!((1..=255).contains(&hops.hop_limit), "{hops:?}");
    let info = messages.find::<In6Pktinfo>().unwrap().unwrap();
    assert_eq!(Ipv6Addr::from(info.ipi6_addr), Ipv6Addr::LOCALHOST);
}

#[test]
fn typed_iteration_over_received_messages() {
    if qemu_lacks_so_timestampns() {
        return;
    }
    let options = [RECV_TTL, PKTINFO, TIMESTAMPNS];
    let room = IpTtl::SPACE + InPktinfo::SPACE + TimestampNs::SPACE;
    let ancillary = loopback_datagram(&options, b"all", room);
    let messages = ancillary.control_messages();
    assert_eq!(messages.iter().count(), 3);

    let ttls: Vec<IpTtl> = messages
        .of_type::<IpTtl>()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(ttls, [IpTtl { ttl: 64 }]);
    assert_eq!(messages.of_type::<InPktinfo>().count(), 1);
    assert_eq!(messages.of_type::<TimestampNs>().count(), 1);
    assert!(messages.find::<ScmRights>().is_none());
    assert!(messages.find::<ScmCredentials>().is_none());
    // Each message matches its own type and no other.
    for message in messages {
        let kinds = [
            IpTtl::matches(&message),
            InPktinfo::matches(&message),
            TimestampNs::matches(&message),
        ];
        assert_eq!(kinds.iter().filter(|&&k| k).count(), 1, "{message:?}");
    }
}

#[test]
fn scm_rights_view_of_received_descriptors() {
    let (left, right) = UnixDatagram::pair().unwrap();
    let mut ancillary = AncillaryData::new();
    ancillary.add_file_descriptors(&[left.as_fd(), right.as_fd()]);
    MessageSender::new(&left, b"fds")
        .ancillary_data(&mut ancillary)
        .send()
        .unwrap();

    assert_eq!(ScmRights::space_for(2), AncillaryData::space_for_fds(2));
    let mut received = AncillaryData::with_capacity(ScmRights::space_for(2));
    MessageReceiver::new(&right, &mut [0; 8])
        .ancillary_data(&mut received)
        .recv()
        .unwrap();
    let numbers = {
        let rights = received
            .control_messages()
            .find::<ScmRights>()
            .unwrap()
            .unwrap();
        assert_eq!(rights.len(), 2);
        rights.fds().to_vec()
    };
    // The view created no owner: the descriptors are still there to take, once.
    let [a, b] = received.take_exact_fds().unwrap();
    assert_eq!(numbers, [a.as_raw_fd(), b.as_raw_fd()]);
}

#[test]
fn byte_tailed_message_round_trips_through_from_bytes() {
    let payload = [3u8, 0x80, b'h', b'e', b'l', b'l', b'o'];
    let blob: &Blob = ControlMessage::new(0x7ead, 1, &payload).try_into().unwrap();
    assert_eq!(
        (blob.kind, blob.flags, &blob.bytes),
        (3, 0x80, &b"hello"[..])
    );
    assert_eq!(Blob::space_for(5), ancillary::cmsg_space(7));

    let mut buf = ControlMessagesBuf::new();
    buf.push(&ControlMessage::new(
        libc::IPPROTO_IP,
        libc::IP_TTL,
        &64i32.to_ne_bytes(),
    ));
    buf.push(&blob.into());
    buf.push(&ControlMessage::new(0x7ead, 1, &[9, 9]));

    let copy = buf.as_bytes().to_vec();
    let messages = ControlMessages::from_bytes(&copy);
    let blobs: Vec<&Blob> = messages
        .of_type::<Blob>()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(blobs.len(), 2);
    assert_eq!(blobs[0], blob);
    assert_eq!(
        (blobs[1].kind, blobs[1].flags, &blobs[1].bytes),
        (9, 9, &b""[..])
    );
    assert_eq!(messages.find::<IpTtl>().unwrap().unwrap().ttl, 64);
}

#[test]
fn scm_security_labels_with_and_without_nul() {
    let with_nul = ControlMessage::new(libc::SOL_SOCKET, SCM_SECURITY, b"system_u:object_r:s0\0");
    let label = <&ScmSecurity>::try_from(with_nul).unwrap();
    assert_eq!(label.label(), b"system_u:object_r:s0");
    assert_eq!(
        label.selinux_security_label().unwrap().to_bytes(),
        b"system_u:object_r:s0"
    );

    let without = ControlMessage::new(libc::SOL_SOCKET, SCM_SECURITY, b"unconfined");
    let label = <&ScmSecurity>::try_from(without).unwrap();
    assert_eq!(label.label(), b"unconfined");
    assert!(matches!(
        label.selinux_security_label(),
        Err(PayloadError::Content(_))
    ));
}

#[test]
fn try_from_reports_which_check_failed() {
    let ttl = 64i32.to_ne_bytes();

    // Wrong type.
    let tos = ControlMessage::new(libc::IPPROTO_IP, libc::IP_TOS, &ttl);
    let err = IpTtl::try_from(tos).unwrap_err();
    assert_eq!(
        err,
        PayloadError::LevelType {
            expected: (libc::IPPROTO_IP, libc::IP_TTL),
            found: (libc::IPPROTO_IP, libc::IP_TOS),
        }
    );
    assert!(!IpTtl::matches(&tos));

    // Wrong length, sized and slice-tailed.
    let short = ControlMessage::new(libc::IPPROTO_IP, libc::IP_TTL, &ttl[..2]);
    assert!(matches!(
        IpTtl::try_from(short),
        Err(PayloadError::Length {
            expected: 4,
            element: 0,
            found: 2,
            truncated: false
        })
    ));
    assert!(!IpTtl::matches(&short));
    let ragged = ControlMessage::new(libc::SOL_SOCKET, libc::SCM_RIGHTS, &[0; 6]);
    assert!(matches!(
        <&ScmRights>::try_from(ragged),
        Err(PayloadError::Length {
            expected: 0,
            element: 4,
            found: 6,
            ..
        })
    ));

    // A misaligned slice-tailed view is refused; a sized copy works at any address.
    let buffer = [0u8; 20];
    let bytes = &buffer[buffer.as_ptr().align_offset(4)..][..16];
    let misaligned = ControlMessage::new(libc::SOL_SOCKET, libc::SCM_RIGHTS, &bytes[1..9]);
    assert_eq!(
        <&ScmRights>::try_from(misaligned).unwrap_err(),
        PayloadError::Alignment {
            required: 4,
            offset: 1
        }
    );
    let aligned = ControlMessage::new(libc::SOL_SOCKET, libc::SCM_RIGHTS, &bytes[4..12]);
    assert_eq!(<&ScmRights>::try_from(aligned).unwrap().fds(), [0, 0]);
    let unaligned_ttl = ControlMessage::new(libc::IPPROTO_IP, libc::IP_TTL, &bytes[1..5]);
    assert_eq!(IpTtl::try_from(unaligned_ttl).unwrap(), IpTtl { ttl: 0 });

    // The errors become `io::Error`s of kind `InvalidData`.
    let io_err = io::Error::from(err);
    assert_eq!(io_err.kind(), io::ErrorKind::InvalidData);
    assert!(io_err.to_string().contains("expected level"), "{io_err}");
}
