//! Sender addresses on receive: every address the kernel reports either converts or comes
//! back in an `AddressError` that still says what was received, so no message is lost
//! after `recvmsg` took it from the socket.

use std::io::{self, IoSliceMut};
use std::net::{SocketAddr, SocketAddrV4, SocketAddrV6, UdpSocket};
use std::os::fd::{AsFd, FromRawFd, OwnedFd};
use std::os::unix::net::UnixDatagram;

use ancillary::{
    AddressError, AncillaryData, MessageReceiver, MessageSender, RawSocketAddr, RecvOptions,
    SocketAddress,
};
use tests::{borrow_all, distinct_fds, file_ids, TempDir};

/// A datagram socket bound to `path` with no terminating NUL: a path may fill all of
/// `sun_path` (std's `bind` refuses one that long, the kernel does not).
fn bind_filling_sun_path(path: &[u8]) -> OwnedFd {
    // SAFETY: `sockaddr_un` is plain integers and bytes; all zeroes is a valid value.
    let mut sun: libc::sockaddr_un = unsafe { std::mem::zeroed() };
    assert_eq!(path.len(), sun.sun_path.len(), "the path fills sun_path");
    sun.sun_family = libc::AF_UNIX as libc::sa_family_t;
    for (slot, &byte) in sun.sun_path.iter_mut().zip(path) {
        *slot = byte as libc::c_char;
    }
    // SAFETY: plain system call with constant arguments.
    let fd = unsafe { libc::socket(libc::AF_UNIX, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
    assert!(fd >= 0, "socket: {}", io::Error::last_os_error());
    // SAFETY: `fd` is a new descriptor that nothing else owns.
    let owned = unsafe { OwnedFd::from_raw_fd(fd) };
    // SAFETY: `sun` is a `sockaddr_un` that lives across the call, and the length is its
    // size.
    let rc = unsafe {
        libc::bind(
            fd,
            std::ptr::from_ref(&sun).cast(),
            size_of::<libc::sockaddr_un>() as libc::socklen_t,
        )
    };
    assert_eq!(rc, 0, "bind: {}", io::Error::last_os_error());
    owned
}

/// A path of exactly `len` bytes inside `dir`.
fn path_of_len(dir: &TempDir, len: usize) -> Vec<u8> {
    let mut path = dir.path().as_os_str().as_encoded_bytes().to_vec();
    path.push(b'/');
    assert!(
        path.len() < len,
        "the temporary directory's path is short enough"
    );
    path.resize(len, b'p');
    path
}

/// Linux lets a socket bind a path that fills `sun_path` and reports it with a length of
/// 111. std's `SocketAddr` cannot hold that path, so `recv_from` fails, but the error
/// says what arrived, and the descriptors sent with it are owned by the `AncillaryData`.
#[cfg(target_os = "linux")]
#[test]
fn a_sender_whose_path_fills_sun_path_loses_nothing() {
    let dir = TempDir::new("full-path");
    let path = path_of_len(&dir, 108);
    let sender = UnixDatagram::from(bind_filling_sun_path(&path));
    let receiver_path = dir.path().join("receiver");
    let receiver = UnixDatagram::bind(&receiver_path).unwrap();
    let sent = distinct_fds(2);

    let mut ancillary = AncillaryData::new();
    ancillary.add_file_descriptors(&borrow_all(&sent));
    MessageSender::new(&sender, b"first")
        .ancillary_data(&mut ancillary)
        .send_to(&std::os::unix::net::SocketAddr::from_pathname(&receiver_path).unwrap())
        .unwrap();

    let mut buf = [0; 16];
    let mut received = AncillaryData::with_capacity(AncillaryData::space_for_fds(2));
    let err = MessageReceiver::new(&receiver, &mut buf)
        .ancillary_data(&mut received)
        .recv_from()
        .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    let lost = AddressError::from_io_error(&err).expect("an AddressError");
    assert_eq!(lost.bytes_received(), 5);
    assert!(!lost.result().control_data_truncated());
    assert_eq!(&buf[..5], b"first");
    let fds: [OwnedFd; 2] = received.take_exact_fds().unwrap();
    assert_eq!(file_ids(&fds), file_ids(&sent));

    // The address, as the kernel wrote it: the family, the whole path, and the length 111
    // that counts the NUL Linux would add.
    let address = lost.address();
    assert_eq!(i32::from(address.family()), libc::AF_UNIX);
    assert_eq!(
        address.len() as usize,
        size_of::<libc::sockaddr_un>() + 1,
        "Linux counts a terminator past the struct"
    );
    let path_at = std::mem::offset_of!(libc::sockaddr_un, sun_path);
    // The storage is larger than a `sockaddr_un`, so the kernel wrote the NUL there too.
    assert_eq!(
        &address.as_bytes()[path_at..],
        &[&path[..], &[0]].concat()[..]
    );

    // std's own `recv_from` agrees on the path.
    sender
        .send_to(b"second", &receiver_path)
        .expect("send the second datagram");
    let (n, from) = receiver.recv_from(&mut buf).unwrap();
    assert_eq!(n, 6);
    assert_eq!(from.as_pathname().unwrap().as_os_str().len(), 108);

    // Received as a `RawSocketAddr`, nothing fails; socket2's `SockAddr` holds it too.
    sender.send_to(b"third", &receiver_path).unwrap();
    let (n, _, raw) = ancillary::recv_message_from::<RawSocketAddr>(
        receiver.as_fd(),
        &mut [IoSliceMut::new(&mut buf)],
        &mut AncillaryData::new(),
        RecvOptions::new(),
    )
    .unwrap();
    assert_eq!(n, 5);
    assert_eq!(raw, *address);
    let sockaddr = raw.to_address::<socket2::SockAddr>().unwrap();
    assert_eq!(
        sockaddr
            .as_pathname()
            .unwrap()
            .as_os_str()
            .as_encoded_bytes(),
        &path[..]
    );
}

/// Sending to a std `SocketAddr` whose path fills `sun_path` (as std's `recv_from` reports
/// it) reaches that socket.
#[cfg(target_os = "linux")]
#[test]
fn sending_to_a_path_that_fills_sun_path() {
    let dir = TempDir::new("full-path-send");
    let path = path_of_len(&dir, 108);
    let target = UnixDatagram::from(bind_filling_sun_path(&path));
    let sender = UnixDatagram::bind(dir.path().join("sender")).unwrap();
    target.send_to(b"?", dir.path().join("sender")).unwrap();
    let mut buf = [0; 4];
    let (_, target_addr) = sender.recv_from(&mut buf).unwrap();
    MessageSender::new(&sender, b"reply")
        .send_to(&target_addr)
        .unwrap();
    let n = target.recv(&mut buf[..]).unwrap();
    assert_eq!(&buf[..n], b"repl");
}

/// An unnamed sender (one end of a socketpair) converts into std's unnamed address.
#[test]
fn an_unnamed_sender_converts() {
    let (left, right) = UnixDatagram::pair().unwrap();
    MessageSender::new(&left, b"x").send().unwrap();
    let (n, _, from) = MessageReceiver::new(&right, &mut [0; 2])
        .recv_from()
        .unwrap();
    assert_eq!(n, 1);
    assert!(from.is_unnamed());
}

/// An IPv6 sender asked for as an IPv4 address: the data is in the buffer and the error
/// says how much of it arrived; as a `SocketAddrV6` it converts.
#[test]
fn an_ipv6_sender_read_as_ipv4_is_reported_with_the_byte_count() {
    let Ok(receiver) = UdpSocket::bind("[::1]:0") else {
        tests::skipped(
            "an_ipv6_sender_read_as_ipv4_is_reported_with_the_byte_count",
            "no IPv6 loopback",
        );
        return;
    };
    let sender = UdpSocket::bind("[::1]:0").unwrap();
    sender
        .send_to(b"12345678", receiver.local_addr().unwrap())
        .unwrap();
    sender
        .send_to(b"again", receiver.local_addr().unwrap())
        .unwrap();
    let mut buf = [0; 4];
    let err = ancillary::recv_message_from::<SocketAddrV4>(
        receiver.as_fd(),
        &mut [IoSliceMut::new(&mut buf)],
        &mut AncillaryData::new(),
        RecvOptions::new(),
    )
    .unwrap_err();
    let lost = AddressError::from_io_error(&err).unwrap();
    assert_eq!(lost.bytes_received(), 4);
    assert!(lost.result().normal_data_truncated(), "the flags are kept");
    assert_eq!(&buf, b"1234");
    assert_eq!(lost.reason().kind(), io::ErrorKind::InvalidInput);
    let source = std::error::Error::source(lost).expect("the reason is the source");
    assert_eq!(source.to_string(), lost.reason().to_string());
    assert!(err.to_string().contains("received 4 bytes"), "{err}");
    let from_raw: SocketAddr = lost.address().to_address().unwrap();
    assert_eq!(from_raw, sender.local_addr().unwrap());

    let (n, _, from) = ancillary::recv_message_from::<SocketAddrV6>(
        receiver.as_fd(),
        &mut [IoSliceMut::new(&mut buf)],
        &mut AncillaryData::new(),
        RecvOptions::new(),
    )
    .unwrap();
    assert_eq!(n, 4);
    assert_eq!(SocketAddr::V6(from), sender.local_addr().unwrap());
}

/// The `RawSocketAddr` of `addr`, made from the bytes `with_sockaddr` lends.
fn raw_of<A: SocketAddress>(addr: &A) -> RawSocketAddr {
    addr.with_sockaddr(|ptr, len| {
        // SAFETY: `with_sockaddr` lends a pointer valid for `len` bytes during the call.
        let bytes = unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len as usize) };
        RawSocketAddr::from_bytes(bytes, len)
    })
    .unwrap()
    .unwrap()
}

/// A `RawSocketAddr` is its bytes: `as_ref`, equality and `Debug` show exactly them.
#[test]
fn a_raw_address_is_its_bytes() {
    let a: SocketAddr = "[::1]:7".parse().unwrap();
    let b: SocketAddr = "[::1]:8".parse().unwrap();
    let (raw_a, raw_b) = (raw_of(&a), raw_of(&b));
    let len = std::mem::size_of::<libc::sockaddr_in6>();
    assert_eq!(raw_a.len() as usize, len);
    assert_eq!(AsRef::<[u8]>::as_ref(&raw_a), raw_a.as_bytes());
    assert_eq!(raw_a.as_bytes().len(), len);
    assert_eq!(raw_a, raw_of(&a));
    assert_ne!(raw_a, raw_b, "same length, another port");
    let debug = format!("{raw_a:?}");
    assert!(
        debug.starts_with(&format!(
            "RawSocketAddr {{ family: {}, len: {len}, bytes: [",
            libc::AF_INET6
        )),
        "{debug}"
    );
    assert_eq!(raw_a.to_address::<SocketAddr>().unwrap(), a);
}

/// An address of the right family but too short for its struct does not convert (the
/// bytes past the length are not the sender's).
#[test]
fn a_short_inet_address_does_not_convert() {
    for addr in ["[::1]:7", "127.0.0.1:7"] {
        let addr: SocketAddr = addr.parse().unwrap();
        let whole = raw_of(&addr);
        let short = RawSocketAddr::from_bytes(whole.as_bytes(), whole.len() - 1).unwrap();
        assert!(short.to_address::<SocketAddr>().is_err(), "{addr}");
        match addr {
            SocketAddr::V4(_) => assert!(short.to_address::<SocketAddrV4>().is_err()),
            SocketAddr::V6(_) => assert!(short.to_address::<SocketAddrV6>().is_err()),
        }
    }
}
