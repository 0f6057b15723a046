//! Socket options as types (`#[derive(SocketOption)]`, `set_socket_option`,
//! `get_socket_option`) against the real kernel: each of the crate's options set and read
//! back, the peer's credentials, the path MTU, and the errors the kernel and the length
//! check give.
#![cfg(target_os = "linux")]

use std::io;
use std::net::UdpSocket;
use std::os::unix::net::UnixStream;

use ancillary::os::linux::sockopt::{
    IpMtu, IpMtuDiscover, IpPktinfo, IpRecvErr, IpRecvOrigDstAddr, IpRecvTos, IpRecvTtl,
    Ipv6DontFrag, Ipv6Mtu, Ipv6MtuDiscover, Ipv6RecvErr, Ipv6RecvHopLimit, Ipv6RecvPktinfo,
    Ipv6RecvTclass, SoPassCred, SoPeerCred, SoRcvBuf, SoRxqOvfl, SoSndBuf, SoTimestampNs,
    SoTimestamping, UdpGro, UdpSegment, UDP_GSO_MAX_SEGMENTS,
};
use ancillary::{
    get_socket_option, set_socket_option, GetSocketOption, SetSocketOption, SocketOption,
};

fn udp_v4() -> UdpSocket {
    UdpSocket::bind("127.0.0.1:0").unwrap()
}

/// An IPv6 socket on loopback, or `None` where this machine has no IPv6.
fn udp_v6() -> Option<UdpSocket> {
    UdpSocket::bind("[::1]:0").ok()
}

/// Sets `value`, reads the option back, and returns what the kernel reported; `None` where
/// qemu-user does not translate the option (it says so).
fn round_trip<O: SetSocketOption + GetSocketOption>(socket: &UdpSocket, value: O) -> Option<O> {
    let read = set_socket_option(socket, &value).and_then(|()| get_socket_option::<O>(socket));
    match read {
        Err(error) if tests::qemu_sockopt_gap(std::any::type_name::<O>(), &error) => None,
        read => Some(read.unwrap()),
    }
}

/// Each flag, on and then off again, reads back as set.
fn flags_round_trip<O>(socket: &UdpSocket, make: fn(bool) -> O, read: fn(O) -> bool)
where
    O: SetSocketOption + GetSocketOption,
{
    for on in [true, false, true] {
        let Some(option) = round_trip(socket, make(on)) else {
            return;
        };
        assert_eq!(read(option), on, "{}", std::any::type_name::<O>());
    }
}

#[test]
fn ipv4_flags_read_back_as_set() {
    let socket = udp_v4();
    flags_round_trip(&socket, IpRecvTos, |o| o.0);
    flags_round_trip(&socket, IpPktinfo, |o| o.0);
    flags_round_trip(&socket, IpRecvTtl, |o| o.0);
    flags_round_trip(&socket, IpRecvOrigDstAddr, |o| o.0);
    flags_round_trip(&socket, IpRecvErr, |o| o.0);
    flags_round_trip(&socket, SoTimestampNs, |o| o.0);
    flags_round_trip(&socket, SoRxqOvfl, |o| o.0);
    flags_round_trip(&socket, UdpGro, |o| o.0);
}

#[test]
fn ipv6_flags_read_back_as_set() {
    let Some(socket) = udp_v6() else { return };
    flags_round_trip(&socket, Ipv6RecvTclass, |o| o.0);
    flags_round_trip(&socket, Ipv6RecvPktinfo, |o| o.0);
    flags_round_trip(&socket, Ipv6RecvHopLimit, |o| o.0);
    flags_round_trip(&socket, Ipv6RecvErr, |o| o.0);
    flags_round_trip(&socket, Ipv6DontFrag, |o| o.0);
}

#[test]
fn the_extension_methods_set_the_same_options() {
    use ancillary::os::linux::SocketOptionsExt;

    let socket = udp_v4();
    socket.set_udp_gro(true).unwrap();
    socket.set_recv_err_v4(true).unwrap();
    assert!(get_socket_option::<UdpGro>(&socket).unwrap().0);
    assert!(get_socket_option::<IpRecvErr>(&socket).unwrap().0);
    let (left, _right) = UnixStream::pair().unwrap();
    left.set_passcred(true).unwrap();
    assert!(get_socket_option::<SoPassCred>(&left).unwrap().0);
}

#[test]
fn path_mtu_discovery_modes_read_back() {
    let socket = udp_v4();
    for mode in [IpMtuDiscover::PROBE, IpMtuDiscover::DO, IpMtuDiscover::DONT] {
        assert_eq!(round_trip(&socket, mode).unwrap_or(mode), mode);
    }
    if let Some(socket) = udp_v6() {
        for mode in [Ipv6MtuDiscover::PROBE, Ipv6MtuDiscover::DO] {
            assert_eq!(round_trip(&socket, mode).unwrap_or(mode), mode);
        }
    }
}

/// `IP_MTU` is the route's MTU once connected: on loopback `lo`'s (65536 by default), which
/// IPv4 caps at 65535 (`IP_MAX_MTU`) and IPv6 at 65575 (`IP6_MAX_MTU`).
#[test]
fn ip_mtu_of_a_connected_loopback_socket() {
    let socket = udp_v4();
    let error = get_socket_option::<IpMtu>(&socket).unwrap_err();
    if tests::qemu_sockopt_gap("IP_MTU", &error) {
        return;
    }
    assert_eq!(error.raw_os_error(), Some(libc::ENOTCONN));
    socket.connect(udp_v4().local_addr().unwrap()).unwrap();
    let mtu = get_socket_option::<IpMtu>(&socket).unwrap();
    assert_eq!(mtu, IpMtu(lo_mtu().min(65535)));

    let Some(socket) = udp_v6() else { return };
    socket
        .connect(udp_v6().unwrap().local_addr().unwrap())
        .unwrap();
    let mtu = get_socket_option::<Ipv6Mtu>(&socket).unwrap();
    assert_eq!(mtu, Ipv6Mtu(lo_mtu().min(65575)));
}

/// The loopback interface's MTU, as sysfs reports it.
fn lo_mtu() -> libc::c_int {
    std::fs::read_to_string("/sys/class/net/lo/mtu")
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// Linux doubles a buffer size (capped at `rmem_max`/`wmem_max`) and reads back the double.
#[test]
fn buffer_sizes_read_back_doubled() {
    let socket = udp_v4();
    let rmem_max = sysctl("net/core/rmem_max");
    let wmem_max = sysctl("net/core/wmem_max");
    for size in [16384, 65536] {
        let rcvbuf = SoRcvBuf(2 * size.min(rmem_max));
        let sndbuf = SoSndBuf(2 * size.min(wmem_max));
        assert_eq!(
            round_trip(&socket, SoRcvBuf(size)).unwrap_or(rcvbuf),
            rcvbuf
        );
        assert_eq!(
            round_trip(&socket, SoSndBuf(size)).unwrap_or(sndbuf),
            sndbuf
        );
    }
}

fn sysctl(name: &str) -> libc::c_int {
    std::fs::read_to_string(format!("/proc/sys/{name}"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn udp_segment_reads_back_and_zero_turns_it_off() {
    let socket = udp_v4();
    for size in [UdpSegment(1200), UdpSegment(0)] {
        assert_eq!(round_trip(&socket, size).unwrap_or(size), size);
    }
    // More than 65535 is refused.
    let error = set_socket_option(&socket, &UdpSegment(65536)).unwrap_err();
    assert_eq!(error.raw_os_error(), Some(libc::EINVAL));
}

/// One send with the socket option set leaves as `UDP_GSO_MAX_SEGMENTS` datagrams; a send
/// of more than any kernel's limit (128) is refused.
#[test]
fn gso_sends_up_to_the_segment_limit() {
    let receiver = udp_v4();
    let sender = udp_v4();
    sender.connect(receiver.local_addr().unwrap()).unwrap();
    set_socket_option(&sender, &UdpSegment(100)).unwrap();
    let payload = vec![7u8; 100 * UDP_GSO_MAX_SEGMENTS];
    assert_eq!(sender.send(&payload).unwrap(), payload.len());
    let mut buf = [0; 200];
    for _ in 0..UDP_GSO_MAX_SEGMENTS {
        assert_eq!(receiver.recv(&mut buf).unwrap(), 100);
    }
    let too_many = vec![7u8; 100 * 129];
    let error = sender.send(&too_many).unwrap_err();
    assert_eq!(error.raw_os_error(), Some(libc::EINVAL));
}

#[test]
fn timestamping_flags_read_back() {
    let socket = udp_v4();
    let flags = libc::SOF_TIMESTAMPING_RX_SOFTWARE | libc::SOF_TIMESTAMPING_SOFTWARE;
    for flags in [flags, 0] {
        if let Some(read) = round_trip(&socket, SoTimestamping::new(flags)) {
            assert_eq!(read.flags, flags);
        }
    }
}

/// The effective user and group ids, from `/proc/self/status` (the second of each
/// `Uid:`/`Gid:` line's four ids).
fn effective_ids() -> (libc::uid_t, libc::gid_t) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let effective = |key: &str| {
        let line = status.lines().find(|line| line.starts_with(key)).unwrap();
        line.split_whitespace().nth(2).unwrap().parse().unwrap()
    };
    (effective("Uid:"), effective("Gid:"))
}

#[test]
fn peer_credentials_of_a_socketpair_are_this_process() {
    let (left, right) = UnixStream::pair().unwrap();
    let (uid, gid) = effective_ids();
    for socket in [&left, &right] {
        let peer = get_socket_option::<SoPeerCred>(socket).unwrap();
        assert_eq!(u32::try_from(peer.pid()), Ok(std::process::id()));
        assert_eq!((peer.uid(), peer.gid()), (uid, gid));
    }
}

/// An option name the kernel does not know at `SOL_SOCKET`.
#[derive(SocketOption, Clone, Copy, Debug)]
#[sockopt(level = libc::SOL_SOCKET, name = 0x7ead)]
#[repr(transparent)]
struct Unknown(libc::c_int);

#[test]
fn an_unknown_option_is_enoprotoopt() {
    let socket = udp_v4();
    let error = set_socket_option(&socket, &Unknown(1)).unwrap_err();
    assert_eq!(error.raw_os_error(), Some(libc::ENOPROTOOPT));
    let error = get_socket_option::<Unknown>(&socket).unwrap_err();
    assert_eq!(error.raw_os_error(), Some(libc::ENOPROTOOPT));
}

/// `UDP_SEGMENT` declared with a 2-byte value: the kernel wants an `int`.
#[derive(SocketOption, Clone, Copy, Debug)]
#[sockopt(level = libc::SOL_UDP, name = libc::UDP_SEGMENT)]
#[repr(transparent)]
struct ShortSegment(u16);

#[test]
fn a_value_of_the_wrong_size_is_einval() {
    let error = set_socket_option(&udp_v4(), &ShortSegment(1200)).unwrap_err();
    assert_eq!(error.raw_os_error(), Some(libc::EINVAL));
}

/// `IP_TTL` (an `int`) declared as 8 bytes, and as 2.
#[derive(SocketOption, Clone, Copy, Debug)]
#[sockopt(level = libc::IPPROTO_IP, name = libc::IP_TTL, read_only)]
#[repr(transparent)]
struct LongTtl(u64);

#[derive(SocketOption, Clone, Copy, Debug)]
#[sockopt(level = libc::IPPROTO_IP, name = libc::IP_TTL, read_only)]
#[repr(transparent)]
struct ShortTtl(u16);

/// `SO_TIMESTAMPING` as its flags alone: Linux 5.14+ returns 8 bytes.
#[derive(SocketOption, Clone, Copy, Debug)]
#[sockopt(level = libc::SOL_SOCKET, name = libc::SO_TIMESTAMPING, read_only)]
#[repr(transparent)]
struct TimestampingFlags(u32);

fn invalid_data<O: GetSocketOption + std::fmt::Debug>(socket: &UdpSocket, relation: &str) {
    let error = get_socket_option::<O>(socket).unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::InvalidData);
    let message = error.to_string();
    assert!(message.contains(std::any::type_name::<O>()), "{message}");
    assert!(message.contains(relation), "{message}");
}

#[test]
fn a_length_mismatch_on_read_is_invalid_data_not_a_partial_value() {
    let socket = udp_v4();
    socket.set_ttl(200).unwrap();
    invalid_data::<LongTtl>(&socket, "shorter");
    invalid_data::<ShortTtl>(&socket, "longer");
    if tests::under_qemu() {
        return tests::skipped("SO_TIMESTAMPING's length", tests::QEMU_SOCKOPT_UNTRANSLATED);
    }
    invalid_data::<TimestampingFlags>(&socket, "longer");
}

/// `SO_RCVLOWAT`, an `int`, as a value and as a flag.
#[derive(SocketOption, Clone, Copy, Debug)]
#[sockopt(level = libc::SOL_SOCKET, name = libc::SO_RCVLOWAT)]
#[repr(transparent)]
struct RcvLowat(libc::c_int);

#[derive(SocketOption, Clone, Copy, Debug)]
#[sockopt(level = libc::SOL_SOCKET, name = libc::SO_RCVLOWAT, flag, read_only)]
struct RcvLowatSet(bool);

#[test]
fn a_flag_reads_any_nonzero_int_as_true() {
    let socket = udp_v4();
    set_socket_option(&socket, &RcvLowat(5)).unwrap();
    assert_eq!(get_socket_option::<RcvLowat>(&socket).unwrap().0, 5);
    assert!(get_socket_option::<RcvLowatSet>(&socket).unwrap().0);
}

/// A write-only option is set like any other.
#[derive(SocketOption, Clone, Copy, Debug)]
#[sockopt(level = libc::IPPROTO_IP, name = libc::IP_TTL, write_only)]
#[repr(transparent)]
struct SetTtl(libc::c_int);

#[test]
fn a_write_only_option_sets() {
    let socket = udp_v4();
    set_socket_option(&socket, &SetTtl(33)).unwrap();
    assert_eq!(socket.ttl().unwrap(), 33);
}

#[test]
fn constants_are_the_kernels() {
    assert_eq!(<IpMtu as SocketOption>::LEVEL, libc::IPPROTO_IP);
    assert_eq!(<IpMtu as SocketOption>::NAME, libc::IP_MTU);
    assert_eq!(IpMtuDiscover::PROBE, IpMtuDiscover(libc::IP_PMTUDISC_PROBE));
}
