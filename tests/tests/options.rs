//! Flags, vectored buffers, addresses and the other socket types.
//!
//! Every test takes `fd_lock()`: some of them count open descriptors.

use std::io::{self, IoSlice, IoSliceMut};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::os::fd::{AsFd, OwnedFd};
use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr as UnixAddr, UnixDatagram, UnixStream};

use ancillary::{
    AncillaryData, MessageReceiver, MessageSender, RecvMessage, RecvOptions, RecvResult,
    SendMessage, SendOptions,
};
use tests::{
    borrow_all, deliver, distinct_fds, fd_lock, file_ids, open_fd_count, recv_into, send_fds,
    TempDir,
};

// ----- MSG_PEEK ------------------------------------------------------------------------

/// Queues `n` distinct descriptors with `data` on a new `UnixStream` pair. Returns the
/// sent descriptors, the pair, and the number of open descriptors before the send.
fn queue_fds(n: usize, data: &[u8]) -> (Vec<OwnedFd>, (UnixStream, UnixStream), usize) {
    let sent = distinct_fds(n);
    let (a, b) = UnixStream::pair().unwrap();
    let before = open_fd_count();
    send_fds(&a, data, &borrow_all(&sent)).unwrap();
    (sent, (a, b), before)
}

#[test]
fn peek_then_receive_sees_the_same_and_leaks_nothing() {
    let _lock = fd_lock();
    let (sent, (_a, b), before) = queue_fds(2, b"peekaboo");

    let mut peeked = AncillaryData::with_capacity(AncillaryData::space_for_fds(2));
    let mut peek_buf = [0u8; 16];
    let (n, _) = recv_into(
        &b,
        &mut peek_buf,
        &mut peeked,
        *RecvOptions::new().peek(true),
    )
    .unwrap();
    assert_eq!(&peek_buf[..n], b"peekaboo");
    assert_eq!(open_fd_count(), before + 2, "a peek installs descriptors");

    let mut real = AncillaryData::with_capacity(AncillaryData::space_for_fds(2));
    let mut buf = [0u8; 16];
    let (n, _) = recv_into(&b, &mut buf, &mut real, RecvOptions::new()).unwrap();
    assert_eq!(&buf[..n], b"peekaboo");
    assert_eq!(
        open_fd_count(),
        before + 4,
        "and the receive installs its own"
    );

    let peeked_fds = peeked.take_owned_fds().unwrap();
    let real_fds = real.take_owned_fds().unwrap();
    assert_eq!(file_ids(&peeked_fds), file_ids(&sent));
    assert_eq!(file_ids(&real_fds), file_ids(&sent));
    drop((peeked_fds, real_fds));
    assert_eq!(open_fd_count(), before);

    // Nothing is left to read.
    b.set_nonblocking(true).unwrap();
    let err = recv_into(&b, &mut buf, &mut real, RecvOptions::new()).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
}

#[test]
fn peeked_fds_that_nobody_takes_are_closed() {
    let _lock = fd_lock();
    let (_sent, (_a, b), before) = queue_fds(3, b"x");

    let mut ancillary = AncillaryData::with_capacity(AncillaryData::space_for_fds(3));
    for _ in 0..3 {
        recv_into(
            &b,
            &mut [0; 1],
            &mut ancillary,
            *RecvOptions::new().peek(true),
        )
        .unwrap();
        assert_eq!(
            open_fd_count(),
            before + 3,
            "each peek replaces the last one's fds"
        );
    }
    recv_into(&b, &mut [0; 1], &mut ancillary, RecvOptions::new()).unwrap();
    assert_eq!(open_fd_count(), before + 3);
    drop(ancillary);
    assert_eq!(open_fd_count(), before);
}

// ----- vectored I/O --------------------------------------------------------------------

#[test]
fn vectored_send_and_receive_with_fds() {
    let _lock = fd_lock();
    let sent = distinct_fds(2);
    let (a, b) = UnixDatagram::pair().unwrap();
    let parts = [
        IoSlice::new(b"one "),
        IoSlice::new(b""),
        IoSlice::new(b"two "),
        IoSlice::new(b"three"),
    ];
    let mut ancillary = AncillaryData::new();
    ancillary.add_file_descriptors(&borrow_all(&sent));
    let n = MessageSender::new_vectored(&a, &parts)
        .ancillary_data(&mut ancillary)
        .send()
        .unwrap();
    assert_eq!(n, 13);
    // The slices are free again once the sender is gone.
    assert_eq!(parts[2].len(), 4);

    let (mut first, mut second, mut third) = ([0u8; 3], [0u8; 6], [0u8; 8]);
    let mut bufs = [
        IoSliceMut::new(&mut first),
        IoSliceMut::new(&mut second),
        IoSliceMut::new(&mut third),
    ];
    let mut received = AncillaryData::with_capacity(AncillaryData::space_for_fds(2));
    let (n, result) = MessageReceiver::new_vectored(&b, &mut bufs)
        .ancillary_data(&mut received)
        .recv()
        .unwrap();
    assert_eq!(n, 13);
    assert!(!result.normal_data_truncated());
    // The IoSliceMuts can be used again: the receiver only borrowed the array.
    assert_eq!(&*bufs[0], b"one");
    assert_eq!(&first, b"one");
    assert_eq!(&second, b" two t");
    assert_eq!(&third[..4], b"hree");
    let fds = received.take_owned_fds().unwrap();
    assert_eq!(file_ids(&fds), file_ids(&sent));
}

// ----- IP sockets: empty ancillary data ------------------------------------------------

#[test]
fn udp_send_to_and_recv_from_report_the_sender() {
    let _lock = fd_lock();
    let a = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let b = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let mut empty = AncillaryData::new();
    let n = MessageSender::new(&a, b"udp")
        .ancillary_data(&mut empty)
        .send_to(&b.local_addr().unwrap())
        .unwrap();
    assert_eq!(n, 3);

    let mut ancillary = AncillaryData::with_capacity(64);
    let mut buf = [0u8; 8];
    let (n, result, from): (usize, RecvResult, SocketAddr) = MessageReceiver::new(&b, &mut buf)
        .ancillary_data(&mut ancillary)
        .recv_from()
        .unwrap();
    assert_eq!(&buf[..n], b"udp");
    assert_eq!(from, a.local_addr().unwrap());
    assert!(!result.control_data_truncated());
    assert!(ancillary.control_messages().is_empty());
    assert_eq!(ancillary.take_owned_fds().map(|v| v.len()), Some(0));
}

#[test]
fn udp_over_ipv6_loopback_when_available() {
    let _lock = fd_lock();
    let Ok(a) = UdpSocket::bind("[::1]:0") else {
        eprintln!("no IPv6 loopback here; skipped");
        return;
    };
    let b = UdpSocket::bind("[::1]:0").unwrap();
    MessageSender::new(&a, b"v6")
        .send_to(&b.local_addr().unwrap())
        .unwrap();
    let mut buf = [0u8; 4];
    let (n, _, from) = MessageReceiver::new(&b, &mut buf).recv_from().unwrap();
    assert_eq!(&buf[..n], b"v6");
    assert_eq!(from, a.local_addr().unwrap());
}

#[test]
fn connected_udp_carries_a_raw_ip_ttl_message() {
    let _lock = fd_lock();
    let a = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let b = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    a.connect(b.local_addr().unwrap()).unwrap();
    a.set_ttl(42).unwrap();
    ancillary::os::linux::SocketOptionsExt::set_recv_ttl_v4(&b, true).unwrap();
    MessageSender::new(&a, b"ttl").send().unwrap();

    let mut ancillary = AncillaryData::with_capacity(ancillary::cmsg_space(4));
    let (n, _) = recv_into(&b, &mut [0; 8], &mut ancillary, RecvOptions::new()).unwrap();
    assert_eq!(n, 3);
    let ttl = ancillary.control_messages().iter().next().unwrap();
    assert_eq!(
        (ttl.cmsg_level(), ttl.cmsg_type()),
        (libc::IPPROTO_IP, libc::IP_TTL)
    );
    assert_eq!(ttl.data(), &42i32.to_ne_bytes());
    assert_eq!(ancillary.take_owned_fds().map(|v| v.len()), Some(0));
}

#[test]
fn tcp_with_empty_ancillary_data() {
    let _lock = fd_lock();
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let a = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (b, _) = listener.accept().unwrap();
    let mut empty = AncillaryData::new();
    assert_eq!(
        a.send_message(&[IoSlice::new(b"tcp")], &mut empty, SendOptions::new())
            .unwrap(),
        3
    );
    let mut ancillary = AncillaryData::with_capacity(64);
    let mut buf = [0u8; 8];
    let (n, result) = b
        .recv_message(
            &mut [IoSliceMut::new(&mut buf)],
            &mut ancillary,
            *RecvOptions::new().wait_all(false),
        )
        .unwrap();
    assert_eq!(&buf[..n], b"tcp");
    assert!(!result.control_data_truncated());
    assert!(ancillary.control_messages().is_empty());
}

// ----- Unix datagram addresses ---------------------------------------------------------

/// Sends one fd from `a` to `to` and checks what `b` receives, returning the sender's
/// address as `b` saw it.
fn send_fd_to(a: &UnixDatagram, to: &UnixAddr, b: &UnixDatagram) -> UnixAddr {
    let sent = distinct_fds(1);
    let mut ancillary = AncillaryData::new();
    ancillary.add_file_descriptors(&[sent[0].as_fd()]);
    MessageSender::new(a, b"to")
        .ancillary_data(&mut ancillary)
        .send_to(to)
        .unwrap();
    let mut received = AncillaryData::with_capacity(AncillaryData::space_for_fds(1));
    let mut buf = [0u8; 4];
    let (n, _, from) = MessageReceiver::new(b, &mut buf)
        .ancillary_data(&mut received)
        .recv_from()
        .unwrap();
    assert_eq!(&buf[..n], b"to");
    let [fd]: [OwnedFd; 1] = received.take_exact_fds().unwrap();
    assert_eq!(file_ids(&[fd]), file_ids(&sent));
    from
}

#[test]
fn unix_datagram_to_and_from_pathnames() {
    let _lock = fd_lock();
    let dir = TempDir::new("dgram");
    let a_path = dir.path().join("a.sock");
    let b_path = dir.path().join("b.sock");
    let a = UnixDatagram::bind(&a_path).unwrap();
    let b = UnixDatagram::bind(&b_path).unwrap();
    let from = send_fd_to(&a, &b.local_addr().unwrap(), &b);
    assert_eq!(from.as_pathname(), Some(a_path.as_path()));

    // An address built from a path (not read from a socket) works the same.
    let to = UnixAddr::from_pathname(&b_path).unwrap();
    let from = send_fd_to(&a, &to, &b);
    assert_eq!(from.as_pathname(), Some(a_path.as_path()));
}

#[test]
fn unix_datagram_from_an_unnamed_sender() {
    let _lock = fd_lock();
    let dir = TempDir::new("unnamed");
    let b = UnixDatagram::bind(dir.path().join("b.sock")).unwrap();
    let a = UnixDatagram::unbound().unwrap();
    let from = send_fd_to(&a, &b.local_addr().unwrap(), &b);
    assert!(from.is_unnamed(), "{from:?}");

    // A socketpair's peer is unnamed too ...
    let (a, b) = UnixDatagram::pair().unwrap();
    a.send(b"pair").unwrap();
    let (_, _, from) = MessageReceiver::new(&b, &mut [0; 4]).recv_from().unwrap();
    assert!(from.is_unnamed(), "{from:?}");

    // ... and cannot be sent to.
    let err = MessageSender::new(&b, b"back").send_to(&from).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
}

#[test]
fn unix_datagram_to_and_from_abstract_names() {
    let _lock = fd_lock();
    let tag = format!("ancillary-tests-{}", std::process::id());
    let a_addr = UnixAddr::from_abstract_name(format!("{tag}-a")).unwrap();
    let b_addr = UnixAddr::from_abstract_name(format!("{tag}-b")).unwrap();
    let a = UnixDatagram::bind_addr(&a_addr).unwrap();
    let b = UnixDatagram::bind_addr(&b_addr).unwrap();
    let from = send_fd_to(&a, &b_addr, &b);
    assert_eq!(from.as_abstract_name(), a_addr.as_abstract_name());
    assert!(from.as_pathname().is_none());
}

// ----- errors and flags ----------------------------------------------------------------

#[test]
fn would_block_leaves_the_ancillary_data_empty_and_leaks_nothing() {
    let _lock = fd_lock();
    let sent = distinct_fds(2);
    let before = open_fd_count();
    let (mut ancillary, _) = deliver(&borrow_all(&sent), 2);
    let (a, b) = UnixStream::pair().unwrap();
    assert_eq!(
        open_fd_count(),
        before + 4,
        "two received fds and the new pair"
    );
    assert!(!ancillary.control_messages().is_empty());

    b.set_nonblocking(true).unwrap();
    let err = recv_into(&b, &mut [0; 4], &mut ancillary, RecvOptions::new()).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
    assert!(ancillary.control_messages().is_empty());
    assert_eq!(ancillary.control_messages().iter().count(), 0);
    assert!(ancillary.take_owned_fds().is_none(), "nothing received");
    assert_eq!(
        open_fd_count(),
        before + 2,
        "the earlier fds were closed by the failed receive"
    );
    drop((a, b));
    assert_eq!(open_fd_count(), before);
}

#[test]
fn options_and_results_are_copy() {
    let _lock = fd_lock();
    fn assert_copy<T: Copy>() {}
    assert_copy::<SendOptions>();
    assert_copy::<RecvOptions>();
    assert_copy::<RecvResult>();

    fn by_value(options: RecvOptions) -> libc::c_int {
        options.as_recv_flags()
    }
    let peek = *RecvOptions::new().peek(true);
    let copy = peek;
    assert_ne!(by_value(peek) & libc::MSG_PEEK, 0);
    assert_eq!(by_value(copy), by_value(peek));
    assert_eq!(
        by_value(*RecvOptions::new().peek(true).peek(false)) & libc::MSG_PEEK,
        0
    );

    let send = *SendOptions::new().no_signal(true);
    let send_copy = send;
    assert_eq!(send.as_send_flags(), libc::MSG_NOSIGNAL);
    assert_eq!(send_copy, send);

    let result = RecvResult::new(libc::MSG_CTRUNC | libc::MSG_TRUNC);
    let result_copy = result;
    assert!(result.control_data_truncated() && result_copy.normal_data_truncated());
    assert!(!result.end_of_record());

    // A MSG_PEEK receive by value through the builder.
    let (a, b) = UnixStream::pair().unwrap();
    a.send_message(&[IoSlice::new(b"p")], &mut AncillaryData::new(), send)
        .unwrap();
    let mut buf = [0u8; 1];
    for _ in 0..2 {
        MessageReceiver::new(&b, &mut buf)
            .options(peek)
            .recv()
            .unwrap();
    }
    b.set_nonblocking(true).unwrap();
    assert_eq!(MessageReceiver::new(&b, &mut buf).recv().unwrap().0, 1);
    assert!(MessageReceiver::new(&b, &mut buf).recv().is_err());
}

#[test]
fn each_option_sets_and_clears_its_own_flag() {
    let _lock = fd_lock();
    let send = *SendOptions::new()
        .end_of_record(true)
        .out_of_band(true)
        .no_signal(true);
    assert_eq!(
        send.as_send_flags(),
        libc::MSG_EOR | libc::MSG_OOB | libc::MSG_NOSIGNAL
    );
    let cleared = *SendOptions::new()
        .end_of_record(true)
        .out_of_band(true)
        .no_signal(true)
        .out_of_band(false)
        .end_of_record(false);
    assert_eq!(cleared.as_send_flags(), libc::MSG_NOSIGNAL);
    let custom = *SendOptions::new()
        .custom_flags(libc::MSG_DONTWAIT)
        .custom_flags(libc::MSG_MORE);
    assert_eq!(custom.as_send_flags(), libc::MSG_DONTWAIT | libc::MSG_MORE);

    let always = RecvOptions::new().as_recv_flags();
    assert_ne!(always & libc::MSG_CMSG_CLOEXEC, 0);
    let recv = *RecvOptions::new()
        .out_of_band(true)
        .peek(true)
        .wait_all(true)
        .custom_flags(libc::MSG_DONTWAIT);
    assert_eq!(
        recv.as_recv_flags(),
        always | libc::MSG_OOB | libc::MSG_PEEK | libc::MSG_WAITALL | libc::MSG_DONTWAIT
    );
    let cleared = *RecvOptions::new()
        .out_of_band(true)
        .peek(true)
        .wait_all(true)
        .out_of_band(false)
        .wait_all(false);
    assert_eq!(cleared.as_recv_flags(), always | libc::MSG_PEEK);
}

#[test]
fn recv_results_decode_msg_flags() {
    let _lock = fd_lock();
    let none = RecvResult::new(0);
    assert!(!none.end_of_record() && !none.out_of_band());
    assert!(!none.normal_data_truncated() && !none.control_data_truncated());
    let eor = RecvResult::new(libc::MSG_EOR);
    assert!(eor.end_of_record() && !eor.out_of_band() && !eor.control_data_truncated());
    let oob = RecvResult::new(libc::MSG_OOB | libc::MSG_TRUNC);
    assert!(oob.out_of_band() && oob.normal_data_truncated() && !oob.end_of_record());
    assert!(oob.custom_flags(libc::MSG_OOB | libc::MSG_TRUNC));
    assert!(!oob.custom_flags(libc::MSG_OOB | libc::MSG_EOR));
    assert_eq!(oob.as_recv_result_flags(), libc::MSG_OOB | libc::MSG_TRUNC);
}

/// TCP urgent data: sent with `out_of_band`, read apart from the stream with the receive
/// option of the same name, and flagged `MSG_OOB` by the kernel.
#[test]
fn out_of_band_data_over_tcp() {
    let _lock = fd_lock();
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let a = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (b, _) = listener.accept().unwrap();
    MessageSender::new(&a, b"ab").send().unwrap();
    MessageSender::new(&a, b"!")
        .options(*SendOptions::new().out_of_band(true))
        .send()
        .unwrap();

    // Normal data stops at the urgent mark, and is not flagged.
    let mut buf = [0u8; 2];
    let (n, result) = MessageReceiver::new(&b, &mut buf).recv().unwrap();
    assert_eq!(&buf[..n], b"ab");
    assert!(!result.out_of_band());

    // The urgent byte may still be on its way: until it is there, the kernel answers
    // EINVAL (no urgent data yet) or EAGAIN.
    b.set_nonblocking(true).unwrap();
    let mut byte = [0u8; 1];
    let mut tries = 0;
    let (n, result) = loop {
        match MessageReceiver::new(&b, &mut byte)
            .options(*RecvOptions::new().out_of_band(true))
            .recv()
        {
            Ok(received) => break received,
            Err(err) if tries < 200 => {
                assert!(
                    err.kind() == io::ErrorKind::WouldBlock
                        || err.raw_os_error() == Some(libc::EINVAL),
                    "{err}"
                );
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            Err(err) => panic!("no urgent byte after {tries} tries: {err}"),
        }
    };
    assert_eq!((n, byte), (1, *b"!"));
    assert!(result.out_of_band(), "the kernel flags urgent data MSG_OOB");
}

#[test]
fn wait_all_waits_until_the_buffer_is_full() {
    let _lock = fd_lock();
    let (a, b) = UnixStream::pair().unwrap();
    let sender = std::thread::spawn(move || {
        MessageSender::new(&a, b"ab").send().unwrap();
        // Without MSG_WAITALL the receive would return the first 2 bytes meanwhile.
        std::thread::sleep(std::time::Duration::from_millis(100));
        MessageSender::new(&a, b"cd").send().unwrap();
        a
    });
    let mut buf = [0u8; 4];
    let (n, _) = MessageReceiver::new(&b, &mut buf)
        .options(*RecvOptions::new().wait_all(true))
        .recv()
        .unwrap();
    assert_eq!((n, &buf), (4, b"abcd"));
    drop(sender.join().unwrap());
}
