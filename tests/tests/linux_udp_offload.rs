//! UDP segmentation offload (`UDP_SEGMENT` on send) and receive coalescing (`UDP_GRO`)
//! through the derived typed messages, on loopback.
#![cfg(target_os = "linux")]

use std::net::UdpSocket;

use ancillary::os::linux::{SocketOptionsExt, UdpGro, UdpSegment};
use ancillary::{AncillaryData, ControlMessagePayload, MessageReceiver, MessageSender};

fn pair() -> (UdpSocket, UdpSocket) {
    let receiver = UdpSocket::bind("127.0.0.1:0").unwrap();
    let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
    sender.connect(receiver.local_addr().unwrap()).unwrap();
    (sender, receiver)
}

/// Sends 10 segments of 1000 bytes (the last 500) in one `sendmsg`, or explains why the
/// kernel here cannot.
fn send_segmented(sender: &UdpSocket) -> Result<usize, String> {
    if tests::under_qemu_cross_endian() {
        // The segment size would reach the host kernel byte-swapped.
        return Err(tests::QEMU_CROSS_ENDIAN_CMSG.to_owned());
    }
    let payload: Vec<u8> = (0..9500u32).map(|i| (i / 1000) as u8).collect();
    let mut ancillary = AncillaryData::with_capacity(UdpSegment::SPACE);
    ancillary.add_control_message(&UdpSegment::new(1000));
    match MessageSender::new(sender, &payload)
        .ancillary_data(&mut ancillary)
        .send()
    {
        Ok(n) => Ok(n),
        Err(e) if e.raw_os_error() == Some(libc::EINVAL) || e.raw_os_error() == Some(libc::EIO) => {
            Err(format!(
                "UDP_SEGMENT not supported here (kernel < 4.18 or qemu-user): {e}"
            ))
        }
        Err(e) => panic!("send with UDP_SEGMENT: {e}"),
    }
}

#[test]
fn udp_segment_splits_one_send_into_datagrams() {
    let (sender, receiver) = pair();
    let sent = match send_segmented(&sender) {
        Ok(n) => n,
        Err(reason) => return tests::skipped("the whole test", &reason),
    };
    assert_eq!(sent, 9500);
    // A kernel that sends fewer datagrams than expected fails the test instead of hanging.
    receiver
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let mut buf = [0u8; 4096];
    for segment in 0..10u8 {
        let n = receiver.recv(&mut buf).unwrap();
        assert_eq!(n, if segment < 9 { 1000 } else { 500 }, "segment {segment}");
        assert!(buf[..n].iter().all(|&b| b == segment));
    }
}

#[test]
fn udp_gro_reports_the_segment_size_of_coalesced_datagrams() {
    let (sender, receiver) = pair();
    if let Err(err) = receiver.set_udp_gro(true) {
        return tests::skipped(
            "the whole test",
            &format!("UDP_GRO not supported here: {err}"),
        );
    }
    if let Err(reason) = send_segmented(&sender) {
        return tests::skipped("the whole test", &reason);
    }
    receiver
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    // Loopback hands the GSO packet over whole; with UDP_GRO the receiver gets it in one
    // piece, with the segment size in a UDP_GRO message.
    let mut buf = vec![0u8; 65536];
    let mut ancillary = AncillaryData::with_capacity(UdpGro::SPACE);
    let mut total = 0;
    let mut coalesced = 0;
    while total < 9500 {
        let (n, _) = MessageReceiver::new(&receiver, &mut buf)
            .ancillary_data(&mut ancillary)
            .recv()
            .unwrap();
        match ancillary.control_messages().find::<UdpGro>() {
            Some(gro) => {
                assert_eq!(gro.unwrap().segment_size(), 1000);
                assert!(n > 1000, "a coalesced read is longer than one segment");
                coalesced += 1;
            }
            None => assert!(n <= 1000, "an uncoalesced read is one segment"),
        }
        total += n;
    }
    assert_eq!(total, 9500);
    assert!(coalesced > 0, "loopback delivered no coalesced datagram");
}
