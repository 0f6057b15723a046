//! Where the control bytes live: caller buffers at any address, fixed buffers that fill
//! up, and heap buffers that grow.

use std::io;
use std::mem::MaybeUninit;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::net::{UnixDatagram, UnixStream};

use ancillary::{
    cmsg_align, cmsg_len, cmsg_space, AncillaryData, CapacityError, ControlMessage,
    ControlMessagesBuf, MessageSender, RecvOptions,
};
use tests::{borrow_all, distinct_fds, file_ids, recv_into, send_fds, under_qemu};

const ROOM: usize = AncillaryData::space_for_fds(3);

fn assert_aligned(bytes: &[u8]) {
    assert_eq!(
        bytes.as_ptr().align_offset(align_of::<libc::cmsghdr>()),
        0,
        "control bytes at {:p} are not aligned for cmsghdr",
        bytes.as_ptr()
    );
}

#[test]
fn caller_buffers_at_odd_addresses_send_and_receive_fds() {
    let sent = distinct_fds(3);
    let (a, b) = UnixStream::pair().unwrap();
    let mut send_backing = [MaybeUninit::<u8>::uninit(); ROOM + 16];
    let mut recv_backing = [MaybeUninit::<u8>::uninit(); ROOM + 16];
    // Make offset 0 an 8-aligned address, so that offsets 1..=7 are all misaligned.
    let send_base = send_backing.as_ptr().align_offset(8);
    let recv_base = recv_backing.as_ptr().align_offset(8);

    for offset in 1..=7 {
        let send_storage = &mut send_backing[send_base + offset..];
        assert_ne!(send_storage.as_ptr().align_offset(8), 0);
        let mut ancillary = AncillaryData::with_storage(send_storage);
        assert!(ancillary.capacity() >= ROOM);
        ancillary
            .try_add_file_descriptors(&borrow_all(&sent))
            .unwrap();
        assert_aligned(ancillary.control_messages().as_bytes());
        assert_eq!(ancillary.control_messages().len(), ROOM);
        MessageSender::new(&a, &[offset as u8])
            .ancillary_data(&mut ancillary)
            .send()
            .unwrap();

        let mut received = AncillaryData::with_storage(&mut recv_backing[recv_base + offset..]);
        let mut buf = [0u8; 1];
        let (n, result) = recv_into(&b, &mut buf, &mut received, RecvOptions::new()).unwrap();
        assert_eq!((n, buf[0]), (1, offset as u8));
        assert!(!result.control_data_truncated(), "offset {offset}");
        assert_aligned(received.control_messages().as_bytes());
        let fds: [OwnedFd; 3] = received.take_exact_fds().unwrap();
        assert_eq!(file_ids(&fds), file_ids(&sent), "offset {offset}");
    }
}

#[test]
fn a_buffer_too_small_to_align_has_no_room() {
    let mut backing = [MaybeUninit::<u8>::uninit(); 16];
    let base = backing.as_ptr().align_offset(8);
    // Where a buffer must start on this target: aligned for a `cmsghdr` and for the
    // `CMSG_ALIGN` unit (8 on 64-bit Linux, 4 on 32-bit).
    let align = align_of::<libc::cmsghdr>().max(ancillary::cmsg_align(1));
    // Up to four bytes starting one past an aligned address and ending before the next
    // one: no aligned byte with room after it.
    let end = (base + 5).min(base + align);
    let ancillary = AncillaryData::with_storage(&mut backing[base + 1..end]);
    assert_eq!(ancillary.capacity(), 0);
}

/// A fixed buffer with room for exactly two descriptors (on 64-bit targets one takes as
/// much room as two: the payload is padded to 8 bytes).
fn two_fd_storage(backing: &mut [MaybeUninit<u8>; 64]) -> &mut [MaybeUninit<u8>] {
    let base = backing.as_ptr().align_offset(8);
    &mut backing[base..base + AncillaryData::space_for_fds(2)]
}

#[test]
fn try_add_to_a_full_fixed_buffer_is_a_capacity_error() {
    let fds = distinct_fds(3);
    let mut backing = [MaybeUninit::uninit(); 64];
    let mut ancillary = AncillaryData::with_storage(two_fd_storage(&mut backing));
    assert_eq!(ancillary.capacity(), AncillaryData::space_for_fds(2));

    let err: CapacityError = ancillary
        .try_add_file_descriptors(&borrow_all(&fds))
        .unwrap_err();
    assert_eq!(err.capacity(), AncillaryData::space_for_fds(2));
    assert_eq!(err.needed(), AncillaryData::space_for_fds(3));
    assert!(err.to_string().contains("space_for_fds"), "{err}");
    assert!(ancillary.control_messages().is_empty(), "nothing was added");

    ancillary
        .try_add_file_descriptors(&[fds[0].as_fd()])
        .unwrap();
    ancillary
        .try_add_file_descriptors(&[fds[1].as_fd()])
        .unwrap();
    let before = ancillary.control_messages().as_bytes().to_vec();
    assert!(ancillary
        .try_add_file_descriptors(&[fds[2].as_fd()])
        .is_err());
    let payload = [0u8; 4];
    let message = ControlMessage::new(libc::SOL_SOCKET, libc::SCM_RIGHTS, &payload);
    assert!(ancillary.try_add_control_message(message).is_err());
    assert_eq!(
        ancillary.control_messages().as_bytes(),
        before,
        "failed adds change nothing"
    );

    // The two fds that fit are still sent, as a try_ failure is not remembered.
    let (a, b) = UnixDatagram::pair().unwrap();
    MessageSender::new(&a, b"x")
        .ancillary_data(&mut ancillary)
        .send()
        .unwrap();
    let mut received = AncillaryData::with_capacity(AncillaryData::space_for_fds(3));
    recv_into(&b, &mut [0; 1], &mut received, RecvOptions::new()).unwrap();
    let got: [OwnedFd; 2] = received.take_exact_fds().unwrap();
    assert_eq!(file_ids(&got), file_ids(&fds[..2]));
}

#[test]
fn descriptors_added_after_a_short_receive_start_at_the_aligned_end() {
    // A caller buffer of `cmsg_len(4)` bytes: room for one descriptor but not for the
    // padding after it, so the kernel's control length is not a multiple of the alignment
    // on 64-bit targets (20 bytes). Whatever is added next must start aligned after it.
    let fds = distinct_fds(1);
    let (a, b) = UnixStream::pair().unwrap();
    send_fds(&a, b"x", &borrow_all(&fds)).unwrap();
    let mut backing = [MaybeUninit::uninit(); 64];
    let base = backing.as_ptr().align_offset(8);
    let room = cmsg_len(size_of::<libc::c_int>());
    let mut ancillary = AncillaryData::with_storage(&mut backing[base..base + room]);
    recv_into(&b, &mut [0; 1], &mut ancillary, RecvOptions::new()).unwrap();
    let received = ancillary.control_messages().len();
    if !under_qemu() {
        assert_eq!(
            received, room,
            "the kernel fills the buffer, without padding"
        );
    }

    let err = ancillary
        .try_add_file_descriptors(&[fds[0].as_fd()])
        .unwrap_err();
    assert_eq!(
        err.needed(),
        cmsg_align(received) + AncillaryData::space_for_fds(1)
    );
    assert_eq!(err.capacity(), room);
    // The failed add changed nothing: the received descriptor is still there to take.
    let [fd] = ancillary.take_exact_fds().unwrap();
    assert_eq!(file_ids(&[fd]), file_ids(&fds));
}

#[test]
fn plain_add_to_a_full_fixed_buffer_fails_the_next_send() {
    let fds = distinct_fds(3);
    let (a, b) = UnixDatagram::pair().unwrap();
    b.set_nonblocking(true).unwrap();
    let mut backing = [MaybeUninit::uninit(); 64];
    let mut ancillary = AncillaryData::with_storage(two_fd_storage(&mut backing));
    ancillary.add_file_descriptors(&borrow_all(&fds[..2]));
    ancillary.add_file_descriptors(&[fds[2].as_fd()]); // does not fit: remembered

    let err = MessageSender::new(&a, b"x")
        .ancillary_data(&mut ancillary)
        .send()
        .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("fixed storage"), "{err}");
    let err = recv_into(
        &b,
        &mut [0; 1],
        &mut AncillaryData::new(),
        RecvOptions::new(),
    )
    .unwrap_err();
    assert_eq!(
        err.kind(),
        io::ErrorKind::WouldBlock,
        "the peer got nothing"
    );

    // Sending again still fails: the error stays until clear().
    assert!(MessageSender::new(&a, b"x")
        .ancillary_data(&mut ancillary)
        .send()
        .is_err());
    // Pushing through the buffer is remembered the same way.
    ancillary.clear();
    let big = [0u8; 64];
    ancillary.control_messages_mut().push(&ControlMessage::new(
        libc::SOL_SOCKET,
        libc::SCM_RIGHTS,
        &big,
    ));
    let err = MessageSender::new(&a, b"x")
        .ancillary_data(&mut ancillary)
        .send()
        .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);

    // After clear() the buffer is usable again.
    ancillary.clear();
    ancillary.add_file_descriptors(&[fds[1].as_fd()]);
    MessageSender::new(&a, b"y")
        .ancillary_data(&mut ancillary)
        .send()
        .unwrap();
    let mut received = AncillaryData::with_capacity(AncillaryData::space_for_fds(1));
    recv_into(&b, &mut [0; 1], &mut received, RecvOptions::new()).unwrap();
    let [fd] = received.take_exact_fds().unwrap();
    assert_eq!(file_ids(&[fd]), file_ids(&fds[1..2]));
}

#[test]
fn control_messages_buf_only_grows() {
    let mut buf = ControlMessagesBuf::new();
    assert_eq!(buf.capacity(), 0);
    let mut capacity = 0;
    let mut previous: Vec<u8> = Vec::new();
    for i in 0..50u8 {
        let payload = vec![i; usize::from(i % 13)];
        buf.push(&ControlMessage::new(
            libc::SOL_SOCKET,
            i32::from(i),
            &payload,
        ));
        assert!(buf.capacity() >= capacity, "capacity shrank");
        assert!(buf.capacity() >= buf.len());
        capacity = buf.capacity();
        let bytes = buf.as_bytes();
        assert_eq!(
            bytes.len(),
            previous.len() + cmsg_space(payload.len()),
            "len grows by CMSG_SPACE"
        );
        assert_eq!(
            &bytes[..previous.len()],
            previous,
            "earlier bytes unchanged"
        );
        previous = bytes.to_vec();
    }
    let types: Vec<i32> = buf.iter().map(|m| m.cmsg_type()).collect();
    assert_eq!(types, (0..50).collect::<Vec<_>>());
    let last = buf.iter().last().unwrap();
    assert_eq!(last.data(), &[49; 49 % 13]);
}

#[test]
fn extend_from_slice_appends_in_order() {
    let mut buf = ControlMessagesBuf::with_capacity(8);
    let one = 1i32.to_ne_bytes();
    let two = [2u8; 3];
    buf.extend_from_slice(&[
        ControlMessage::new(libc::IPPROTO_IP, libc::IP_TTL, &one),
        ControlMessage::new(libc::SOL_SOCKET, 99, &two),
    ]);
    let got: Vec<_> = buf.iter().collect();
    assert_eq!(
        got,
        [
            ControlMessage::new(libc::IPPROTO_IP, libc::IP_TTL, &one),
            ControlMessage::new(libc::SOL_SOCKET, 99, &two),
        ]
    );
}

#[test]
fn reserve_and_try_reserve_on_heap_storage() {
    let mut buf = ControlMessagesBuf::new();
    buf.reserve(100);
    assert!(buf.capacity() >= 100);
    buf.push(&ControlMessage::new(libc::SOL_SOCKET, 1, &[1; 10]));
    let len = buf.len();
    buf.reserve_exact(200);
    assert!(buf.capacity() >= len + 200);
    buf.try_reserve(1000).unwrap();
    assert!(buf.capacity() >= len + 1000);
    buf.try_reserve_exact(2000).unwrap();
    assert!(buf.capacity() >= len + 2000);

    let capacity = buf.capacity();
    assert!(buf.try_reserve(usize::MAX).is_err());
    assert!(buf.try_reserve(isize::MAX as usize).is_err());
    assert!(buf.try_reserve_exact(usize::MAX - 1).is_err());
    assert_eq!(buf.capacity(), capacity, "a failed reserve changes nothing");
    assert_eq!(buf.len(), len);
}

#[test]
fn reserve_and_try_reserve_on_fixed_storage() {
    let mut backing = [MaybeUninit::uninit(); 64];
    let base = backing.as_ptr().align_offset(8);
    let mut buf = ControlMessagesBuf::with_storage(&mut backing[base..base + 48]);
    assert_eq!(buf.capacity(), 48);
    buf.try_reserve(48).unwrap();
    buf.try_reserve_exact(10).unwrap();
    assert!(buf.try_reserve(49).is_err());
    assert!(buf.try_reserve_exact(usize::MAX).is_err());
    // The panicking forms do nothing on fixed storage, never panic.
    buf.reserve(1000);
    buf.reserve_exact(1000);
    assert_eq!(buf.capacity(), 48);

    buf.push(&ControlMessage::new(libc::SOL_SOCKET, 1, &[7; 8]));
    assert_eq!(buf.len(), cmsg_space(8));
    assert!(buf.try_reserve(48 - cmsg_space(8)).is_ok());
    assert!(buf.try_reserve(48 - cmsg_space(8) + 1).is_err());
    buf.try_push(&ControlMessage::new(libc::SOL_SOCKET, 2, &[8; 8]))
        .unwrap();
    let err = buf
        .try_push(&ControlMessage::new(libc::SOL_SOCKET, 3, &[9; 8]))
        .unwrap_err();
    assert_eq!(err.capacity(), 48);
    assert_eq!(err.needed(), 3 * cmsg_space(8));
    assert_eq!(buf.iter().count(), 2);
}

#[test]
fn heap_storage_grows_to_hold_253_fds_and_sends_them() {
    let fds = distinct_fds(253);
    let mut ancillary = AncillaryData::with_capacity(0);
    assert_eq!(ancillary.capacity(), 0);
    for chunk in fds.chunks(10) {
        ancillary.add_file_descriptors(&borrow_all(chunk));
        assert!(ancillary.capacity() >= ancillary.control_messages().len());
    }
    assert_eq!(ancillary.control_messages().iter().count(), 1);
    assert_eq!(
        ancillary.control_messages().len(),
        AncillaryData::space_for_fds(253)
    );
    let (a, b) = UnixStream::pair().unwrap();
    MessageSender::new(&a, b"x")
        .ancillary_data(&mut ancillary)
        .send()
        .unwrap();

    let mut received = AncillaryData::with_capacity(AncillaryData::space_for_fds(253));
    assert!(received.capacity() >= AncillaryData::space_for_fds(253));
    recv_into(&b, &mut [0; 1], &mut received, RecvOptions::new()).unwrap();
    let got = received.take_owned_fds().unwrap();
    assert_eq!(file_ids(&got), file_ids(&fds));
}

#[test]
fn a_buffer_outgrowing_its_inline_room_keeps_every_message() {
    // 40 + 56 bytes: the second message does not fit in the 64 bytes a buffer keeps
    // inside itself, so both move to the heap.
    let first = ControlMessage::new(1, 2, &[7; 24]);
    let second = ControlMessage::new(3, 4, &[9; 40]);
    let mut buf = ControlMessagesBuf::new();
    buf.push(&first);
    assert_eq!(buf.capacity(), 64, "the inline room, taken whole");
    buf.push(&second);
    assert!(buf.capacity() >= cmsg_space(24) + cmsg_space(40));
    let messages: Vec<_> = buf.iter().collect();
    assert_eq!(messages, [first, second]);

    // The same through AncillaryData, sent for real: descriptors past the inline room.
    let fds = distinct_fds(20);
    let mut ancillary = AncillaryData::new();
    ancillary.add_file_descriptors(&borrow_all(&fds[..12]));
    assert_eq!(ancillary.capacity(), 64);
    ancillary.add_file_descriptors(&borrow_all(&fds[12..]));
    let (a, b) = UnixStream::pair().unwrap();
    MessageSender::new(&a, b"x")
        .ancillary_data(&mut ancillary)
        .send()
        .unwrap();
    let mut received = AncillaryData::with_capacity(AncillaryData::space_for_fds(20));
    recv_into(&b, &mut [0; 1], &mut received, RecvOptions::new()).unwrap();
    assert_eq!(
        file_ids(&received.take_owned_fds().unwrap()),
        file_ids(&fds)
    );
}

#[test]
fn with_capacity_is_at_least_what_was_asked() {
    for n in [0, 1, 7, 8, 9, 100, 4096] {
        assert!(AncillaryData::with_capacity(n).capacity() >= n);
        assert!(ControlMessagesBuf::with_capacity(n).capacity() >= n);
    }
    assert_eq!(AncillaryData::new().capacity(), 0);
    // Exact up to whole units of 8 bytes, inline or not: a receive gets the room it asked
    // for, and no more.
    for n in [8, 16, 32, 64, 72, 128] {
        assert_eq!(AncillaryData::with_capacity(n).capacity(), n);
    }
}
