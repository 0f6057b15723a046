//! No heap allocation per `sendmmsg`/`recvmmsg` batch once the buffers exist: 200 batches
//! of 16 UDP datagrams, each with its own `IP_TTL`, and 200 batches of 8 descriptor-passing
//! Unix datagrams whose descriptors are taken and closed, counted by a global allocator.
//!
//! This binary has exactly one test. Allocations are counted on the test's thread only
//! (libtest's main thread may do some bookkeeping while the test runs).
#![cfg(any(target_os = "linux", target_os = "android"))]

use std::net::UdpSocket;
use std::os::fd::AsFd;
use std::os::unix::net::UnixDatagram;

use ancillary::os::linux::{
    recv_mmsg, send_mmsg, send_mmsg_to, RecvMmsg, RecvOptionsExt, SendMmsg,
};
use ancillary::{AncillaryData, ControlMessage, RecvOptions, SendOptions};
use tests::{
    allocations_in, borrow_all, distinct_fds, skipped, under_qemu_cross_endian,
    QEMU_CROSS_ENDIAN_CMSG,
};

#[global_allocator]
static GLOBAL: tests::CountingAlloc = tests::CountingAlloc;

const BATCHES: usize = 200;

#[test]
fn no_allocation_per_batch() {
    let udp = if under_qemu_cross_endian() {
        skipped(
            "the UDP batches (IP_TTL sent as a control message)",
            QEMU_CROSS_ENDIAN_CMSG,
        );
        None
    } else {
        Some(udp_batches())
    };
    let unix = unix_batches();

    // The counter does see this thread's allocations.
    assert_eq!(
        allocations_in(|| drop(std::hint::black_box(Vec::<u8>::with_capacity(1)))),
        1
    );
    if let Some(udp) = udp {
        println!("allocations in {BATCHES} UDP batches of {UDP}: {udp}");
    }
    println!("allocations in {BATCHES} Unix batches of {UNIX} (2 fds each): {unix}");
    if let Some(udp) = udp {
        assert_eq!(udp, 0, "sendmmsg/recvmmsg allocated");
    }
    assert_eq!(unix, 0, "sendmmsg/recvmmsg with descriptors allocated");
}

const UDP: usize = 16;
const UNIX: usize = 8;

/// The allocations in `BATCHES` batches of `UDP` datagrams, each with its own TTL, received
/// with `IP_RECVTTL`.
fn udp_batches() -> usize {
    let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
    let receiver = UdpSocket::bind("127.0.0.1:0").unwrap();
    ancillary::os::linux::SocketOptionsExt::set_recv_ttl_v4(&receiver, true).unwrap();
    let to = [receiver.local_addr().unwrap(); UDP];
    let ttls: [[u8; 4]; UDP] = std::array::from_fn(|i| (i as libc::c_int + 1).to_ne_bytes());
    let controls: [AncillaryData<'static>; UDP] = std::array::from_fn(|i| {
        let mut ancillary = AncillaryData::with_capacity(64);
        ancillary.add_control_message(ControlMessage::new(
            libc::IPPROTO_IP,
            libc::IP_TTL,
            &ttls[i],
        ));
        ancillary
    });
    let payload = [7u8; 100];
    let mut out: [SendMmsg<'_, '_>; UDP] =
        std::array::from_fn(|i| SendMmsg::new(&payload).ancillary_data(&controls[i]));
    let mut bufs = [[0u8; 128]; UDP];
    let mut received: [AncillaryData<'static>; UDP] =
        std::array::from_fn(|_| AncillaryData::with_capacity(64));
    let mut pairs = bufs.iter_mut().zip(received.iter_mut());
    let mut inbound: [RecvMmsg<'_, '_>; UDP] = std::array::from_fn(|_| {
        let (buf, ancillary) = pairs.next().unwrap();
        RecvMmsg::new(buf).ancillary_data(ancillary)
    });
    let options = *RecvOptions::new().wait_for_one(true);
    let mut udp_batch = || {
        assert_eq!(
            send_mmsg_to(sender.as_fd(), &mut out, &to, SendOptions::new()).unwrap(),
            UDP
        );
        let mut got = 0;
        while got < UDP {
            got += recv_mmsg(receiver.as_fd(), &mut inbound[got..], options).unwrap();
        }
        for (i, message) in inbound.iter_mut().enumerate() {
            assert_eq!(message.len(), 100);
            let ttl = message
                .ancillary_data_mut()
                .unwrap()
                .control_messages()
                .iter()
                .find(|m| m.cmsg_type() == libc::IP_TTL)
                .map(|m| m.data()[..4].try_into().unwrap());
            assert_eq!(ttl, Some(ttls[i]));
        }
    };
    udp_batch(); // warm-up (nothing is lazily allocated, but measure steady state)
    allocations_in(|| {
        for _ in 0..BATCHES {
            udp_batch();
        }
    })
}

/// The allocations in `BATCHES` batches of `UNIX` Unix datagrams, each passing 2
/// descriptors, taken and closed.
fn unix_batches() -> usize {
    let (left, right) = UnixDatagram::pair().unwrap();
    let fds = distinct_fds(2);
    let borrowed = borrow_all(&fds);
    let mut with_fds = AncillaryData::new();
    with_fds.add_file_descriptors(&borrowed);
    let mut out: [SendMmsg<'_, '_>; UNIX] =
        std::array::from_fn(|_| SendMmsg::new(b"fd").ancillary_data(&with_fds));
    let mut bufs = [[0u8; 4]; UNIX];
    let mut storage =
        [[std::mem::MaybeUninit::uninit(); AncillaryData::space_for_fds(2) + 8]; UNIX];
    let mut received: Vec<AncillaryData<'_>> = storage
        .iter_mut()
        .map(AncillaryData::with_storage)
        .collect();
    let mut inbound: Vec<RecvMmsg<'_, '_>> = bufs
        .iter_mut()
        .zip(received.iter_mut())
        .map(|(buf, ancillary)| RecvMmsg::new(buf).ancillary_data(ancillary))
        .collect();
    let mut unix_batch = || {
        assert_eq!(
            send_mmsg(left.as_fd(), &mut out, SendOptions::new()).unwrap(),
            UNIX
        );
        assert_eq!(
            recv_mmsg(right.as_fd(), &mut inbound, RecvOptions::new()).unwrap(),
            UNIX
        );
        for message in &mut inbound {
            let ancillary = message.ancillary_data_mut().unwrap();
            // Taken and closed one by one, without allocating.
            assert_eq!(ancillary.drain_fds().count(), 2);
        }
    };
    unix_batch();
    allocations_in(|| {
        for _ in 0..BATCHES {
            unix_batch();
        }
    })
}
