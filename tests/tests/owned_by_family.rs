//! What a receive owns depends on the socket: a Unix datagram received with its sender's
//! address still owns the descriptors it carried, while a UDP receive (which no kernel
//! gives descriptors) owns none, and still reports its `SCM_RIGHTS` as taken-able and
//! empty. And an address slot reused by a receive that reports no address has no family.

use std::io::IoSliceMut;
use std::net::UdpSocket;
use std::os::fd::AsFd;
use std::os::unix::net::UnixDatagram;

use ancillary::{AncillaryData, MessageReceiver, MessageSender, RecvMessageFrom, RecvOptions};

#[test]
fn a_unix_datagram_received_with_its_address_owns_its_descriptors() {
    let _lock = tests::fd_lock();
    let dir = tests::TempDir::new("owned-by-family");
    let receiver = UnixDatagram::bind(dir.path().join("receiver")).unwrap();
    let sender = UnixDatagram::bind(dir.path().join("sender")).unwrap();
    let (files, probes) = tests::piped_fds(2);
    let mut sending = AncillaryData::new();
    sending.add_file_descriptors(&[files[0].as_fd(), files[1].as_fd()]);
    let to = std::os::unix::net::SocketAddr::from_pathname(dir.path().join("receiver")).unwrap();
    MessageSender::new(&sender, b"x")
        .ancillary_data(&mut sending)
        .send_to(&to)
        .unwrap();
    drop(sending);
    drop(files);

    let mut received = AncillaryData::with_capacity(AncillaryData::space_for_fds(2));
    let mut byte = [0u8; 1];
    let (n, _, from) = receiver
        .recv_message_from(
            &mut [IoSliceMut::new(&mut byte)],
            &mut received,
            RecvOptions::new(),
        )
        .unwrap();
    assert_eq!(n, 1);
    assert!(from.as_pathname().is_some(), "a bound Unix sender");
    // Owned: open until taken or cleared, and closed by the clear.
    assert!(probes.iter().all(tests::pipe_open));
    assert_eq!(
        received.drain_fds().len(),
        2,
        "the received descriptors are owned"
    );
    assert!(probes.iter().all(|probe| !tests::pipe_open(probe)));
}

#[test]
#[cfg(target_os = "linux")]
fn a_udp_receive_owns_no_descriptor_and_reports_none_to_take() {
    use ancillary::os::linux::SocketOptionsExt;
    let receiver = UdpSocket::bind("127.0.0.1:0").unwrap();
    let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
    // A control message on every datagram (its TTL), so that the receive has control
    // data that a clear would otherwise walk.
    receiver.set_recv_ttl_v4(true).unwrap();
    for round in 0..2 {
        sender
            .send_to(&[round], receiver.local_addr().unwrap())
            .unwrap();
        let mut received = AncillaryData::with_capacity(64);
        let mut byte = [0u8; 1];
        let (n, _, from) = MessageReceiver::new(&receiver, &mut byte)
            .ancillary_data(&mut received)
            .recv_from()
            .unwrap();
        assert_eq!((n, byte[0], from), (1, round, sender.local_addr().unwrap()));
        assert_eq!(
            received.control_messages().iter().count(),
            1,
            "the TTL came"
        );
        if round == 0 {
            assert_eq!(received.take_owned_fds().map(|fds| fds.len()), Some(0));
            assert!(received.take_owned_fds().is_none(), "taken once");
        } else {
            assert!(received.take_exact_fds::<0>().is_ok());
            assert_eq!(received.drain_fds().len(), 0);
        }
        received.clear();
        assert!(received.take_owned_fds().is_none(), "nothing after a clear");
    }
}

#[test]
#[cfg(target_os = "linux")]
fn an_address_of_length_zero_has_no_family_whatever_the_storage_held() {
    use ancillary::os::linux::{recv_mmsg, RecvMmsg, RecvOptionsExt};
    use std::os::unix::net::UnixStream;
    // One batch slot, first filled by a UDP receive (an IPv4 sender), then by a receive
    // on a Unix stream, which reports no sender (length 0): the slot's storage still holds
    // the IPv4 address's bytes, and must not say AF_INET.
    let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    peer.send_to(b"x", udp.local_addr().unwrap()).unwrap();
    let (left, right) = UnixStream::pair().unwrap();
    std::io::Write::write_all(&mut &left, b"y").unwrap();
    let mut buf = [0u8; 4];
    let mut slots = [RecvMmsg::new(&mut buf)];
    let options = *RecvOptions::new().dont_wait(true);
    assert_eq!(recv_mmsg(udp.as_fd(), &mut slots, options).unwrap(), 1);
    assert_eq!(i32::from(slots[0].raw_addr().family()), libc::AF_INET);
    assert_eq!(recv_mmsg(right.as_fd(), &mut slots, options).unwrap(), 1);
    assert_eq!(slots[0].raw_addr().len(), 0);
    assert_eq!(i32::from(slots[0].raw_addr().family()), libc::AF_UNSPEC);
}
