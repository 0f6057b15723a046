//! No heap allocation per message once the buffers exist, on heap and on caller (stack)
//! storage: 1,000 send+receive round trips with descriptors, counted by a global
//! allocator. The same allocator also checks that dropped storage gives back every byte,
//! and that growth the allocator refuses is reported, never an abort.
//!
//! This binary has exactly one test, so nothing else of ours allocates while it counts.
//! Allocations are counted per thread: those of the test's thread are asserted to be 0;
//! those of other threads are printed only, since libtest's main thread does some
//! bookkeeping (a few allocations) right after it spawns the test thread, which can
//! overlap the start of the first measurement.

use std::io;
use std::mem::MaybeUninit;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::net::{UnixDatagram, UnixStream};

use ancillary::{
    cmsg_space, AncillaryData, ControlMessage, ControlMessagesBuf, MessageReceiver, MessageSender,
    RecvOptions,
};
use tests::{
    allocations_in, distinct_fds, file_id, heap_bytes_kept_by, other_thread_allocations,
    with_allocations_refused_from,
};

#[global_allocator]
static GLOBAL: tests::CountingAlloc = tests::CountingAlloc;

const ROUNDS: usize = 1000;

/// One round trip of `fds` from `send` over `a` to `recv` over `b`, taking them with
/// `drain_fds` or `take_exact_fds` in turn, and checking they are the files sent.
fn round_trip<'fd>(
    round: usize,
    (a, b): (&UnixStream, &UnixStream),
    send: &mut AncillaryData<'fd>,
    recv: &mut AncillaryData<'_>,
    fds: &'fd [OwnedFd; 2],
    ids: [(u64, u64); 2],
) {
    send.clear();
    send.add_file_descriptors(&[fds[0].as_fd(), fds[1].as_fd()]);
    let sent = MessageSender::new(a, &[round as u8])
        .ancillary_data(send)
        .send()
        .unwrap();
    assert_eq!(sent, 1);

    let mut buf = [0u8; 1];
    let (n, result) = MessageReceiver::new(b, &mut buf)
        .ancillary_data(recv)
        .recv()
        .unwrap();
    assert_eq!((n, buf[0]), (1, round as u8));
    assert!(!result.control_data_truncated());
    if round & 1 == 0 {
        let mut drain = recv.drain_fds();
        assert_eq!(drain.len(), 2);
        for id in ids {
            assert_eq!(file_id(drain.next().unwrap().as_fd()), id);
        }
        assert!(drain.next().is_none());
    } else {
        let got: [OwnedFd; 2] = recv.take_exact_fds().unwrap();
        assert_eq!([file_id(got[0].as_fd()), file_id(got[1].as_fd())], ids);
    }
}

/// Heap storage that the allocator refuses to grow: nothing is added, and the failure is
/// remembered until `clear`, even when a later add succeeds and leaves the buffer exactly
/// as long as the failed one needed.
fn refused_growth_fails_the_next_send(socket: &UnixStream) {
    const BIG: usize = 1 << 20;
    let payload = vec![7u8; BIG];
    let message = ControlMessage::new(1, 2, &payload);
    let mut data = AncillaryData::new();
    let err = with_allocations_refused_from(BIG, || {
        data.add_control_message(message);
        data.try_add_control_message(message).unwrap_err()
    });
    assert_eq!(err.needed(), cmsg_space(BIG));
    assert!(data.control_messages().is_empty(), "nothing was added");

    data.add_control_message(message);
    assert_eq!(data.control_messages().len(), cmsg_space(BIG));
    let refused = MessageSender::new(socket, b"r")
        .ancillary_data(&mut data)
        .send()
        .unwrap_err();
    assert_eq!(refused.kind(), io::ErrorKind::InvalidInput, "{refused}");
    data.clear();
    assert!(data.start_sendmsg().unwrap().is_none());
}

#[test]
fn round_trips_with_fds_do_not_allocate() {
    // Setup: allocating is fine here.
    let fds: [OwnedFd; 2] = distinct_fds(2).try_into().unwrap();
    let ids = [file_id(fds[0].as_fd()), file_id(fds[1].as_fd())];
    let (a, b) = UnixStream::pair().unwrap();
    let room = AncillaryData::space_for_fds(2);
    refused_growth_fails_the_next_send(&a);

    // Heap storage: more than the 64 bytes a buffer holds inline.
    let mut send = AncillaryData::with_capacity(128);
    let mut recv = AncillaryData::with_capacity(128);
    let heap = allocations_in(|| {
        for round in 0..ROUNDS {
            round_trip(round, (&a, &b), &mut send, &mut recv, &fds, ids);
        }
    });

    // The RFC's per-call style: a new buffer for every send and every receive. What fits
    // in 64 bytes stays inside the value.
    let per_call = allocations_in(|| {
        for round in 0..ROUNDS {
            let mut send = AncillaryData::new();
            let mut recv = AncillaryData::with_capacity(room);
            round_trip(round, (&a, &b), &mut send, &mut recv, &fds, ids);
        }
    });

    // Caller (stack) storage, at odd offsets.
    let mut send_storage = [MaybeUninit::<u8>::uninit(); 64];
    let mut recv_storage = [MaybeUninit::<u8>::uninit(); 64];
    let mut send = AncillaryData::with_storage(&mut send_storage[3..]);
    let mut recv = AncillaryData::with_storage(&mut recv_storage[5..]);
    let stack = allocations_in(|| {
        for round in 0..ROUNDS {
            round_trip(round, (&a, &b), &mut send, &mut recv, &fds, ids);
        }
    });

    // Datagrams with the sender's address (after one warm-up receive).
    let (c, d) = UnixDatagram::pair().unwrap();
    let mut recv = AncillaryData::with_capacity(room);
    let mut from = |round: usize| {
        MessageSender::new(&c, &[round as u8]).send().unwrap();
        let mut buf = [0u8; 1];
        let (_, _, addr) = MessageReceiver::new(&d, &mut buf)
            .ancillary_data(&mut recv)
            .options(RecvOptions::new())
            .recv_from()
            .unwrap();
        assert!(addr.is_unnamed());
        assert_eq!(recv.take_exact_fds::<0>().unwrap().len(), 0);
    };
    from(0);
    let dgram = allocations_in(|| (1..=ROUNDS).for_each(&mut from));

    // The counter does see allocations: a buffer beyond 64 bytes allocates, and
    // `take_owned_fds` its `Vec`.
    let mut recv = AncillaryData::with_capacity(room);
    let vec_round = allocations_in(|| {
        let mut send = AncillaryData::with_capacity(65);
        send.add_file_descriptors(&[fds[0].as_fd()]);
        MessageSender::new(&a, b"v")
            .ancillary_data(&mut send)
            .send()
            .unwrap();
        MessageReceiver::new(&b, &mut [0; 1])
            .ancillary_data(&mut recv)
            .recv()
            .unwrap();
        assert_eq!(recv.take_owned_fds().unwrap().len(), 1);
    });
    assert_eq!(
        vec_round, 2,
        "with_capacity(65) and take_owned_fds allocate once each"
    );

    // Heap storage is given back: buffers that grew, received or stayed empty keep no
    // byte of the heap once dropped.
    let kept = heap_bytes_kept_by(|| {
        let mut grown = AncillaryData::with_capacity(room);
        grown.add_file_descriptors(&[fds[0].as_fd()]);
        grown.control_messages_mut().reserve(4096);
        let mut pushed = ControlMessagesBuf::new();
        pushed.push(&ControlMessage::new(1, 2, &[3; 100]));
        let mut received = AncillaryData::with_capacity(room);
        MessageSender::new(&a, b"k")
            .ancillary_data(&mut grown)
            .send()
            .unwrap();
        MessageReceiver::new(&b, &mut [0; 1])
            .ancillary_data(&mut received)
            .recv()
            .unwrap();
        drop((grown, pushed, received, AncillaryData::new()));
    });
    assert_eq!(kept, 0, "bytes of dropped storage were not freed");

    println!(
        "allocations over {ROUNDS} round trips: heap storage {heap}, per call {per_call}, \
         stack storage {stack}, datagram recv_from {dgram} (other threads meanwhile: {})",
        other_thread_allocations()
    );
    assert_eq!(heap, 0, "heap storage allocated");
    assert_eq!(per_call, 0, "buffers made per call allocated");
    assert_eq!(stack, 0, "stack storage allocated");
    assert_eq!(dgram, 0, "datagram recv_from allocated");
}
