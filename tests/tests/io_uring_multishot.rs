//! Multishot io_uring `recvmsg` (`ancillary::io_uring::RecvMsgMulti`) against the real
//! kernel: UDP with ECN (`IP_TOS`), `IP_PKTINFO` and `UDP_GRO`, descriptor passing,
//! truncation, and hostile byte images for the parser.
#![cfg(io_uring_target)]

use std::net::{SocketAddr, UdpSocket};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::net::UnixDatagram;

use ancillary::io_uring::{RecvMsgMulti, RecvMsgOut, RECVMSG_OUT_LEN};
use ancillary::os::linux::SocketOptionsExt;
use ancillary::{AncillaryData, ControlMessagePayload, ScmRights, SendMessage};
use io_uring::{cqueue, opcode, IoUring};
use tests::{fd_lock, open_fd_count, ring_or_skip, submit, wait_for, Completion};

const GROUP: u16 = 7;
const MULTI: u64 = 42;

/// `count` provided buffers of `len` bytes each, in one allocation, handed to the ring.
struct Buffers {
    bytes: Vec<u8>,
    len: usize,
}

impl Buffers {
    fn provide(ring: &mut IoUring, count: u16, len: usize) -> Buffers {
        let mut bytes = vec![0u8; usize::from(count) * len];
        let entry = opcode::ProvideBuffers::new(bytes.as_mut_ptr(), len as i32, count, GROUP, 0)
            .build()
            .user_data(1);
        // SAFETY: `bytes` is returned in `Buffers` and outlives the ring in every test
        // (declared after it, dropped before... the ring is dropped first: see each test).
        unsafe { submit(ring, &[entry]) };
        let done = wait_for(ring, 1);
        assert!(done[0].result >= 0, "ProvideBuffers: {}", done[0].result);
        Buffers { bytes, len }
    }

    /// The bytes of the buffer a completion names.
    fn of(&self, c: &Completion) -> &[u8] {
        let id = usize::from(cqueue::buffer_select(c.flags).expect("a provided buffer"));
        &self.bytes[id * self.len..][..c.result as usize]
    }
}

fn multishot_results(ring: &mut IoUring, n: usize) -> Vec<Completion> {
    let done = wait_for(ring, n);
    for c in &done {
        assert_eq!(c.user_data, MULTI);
        assert!(c.result >= 0, "multishot completion: {}", c.result);
        assert!(cqueue::more(c.flags), "the request stays armed");
    }
    done
}

#[test]
fn udp_with_ecn_and_pktinfo() {
    let _lock = fd_lock();
    let Some(mut ring) = ring_or_skip(16) else {
        return;
    };
    let receiver = UdpSocket::bind("127.0.0.1:0").unwrap();
    let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
    sender.connect(receiver.local_addr().unwrap()).unwrap();
    receiver.set_recv_pktinfo_v4(true).unwrap();
    receiver.set_recv_tos_v4(true).unwrap();
    socket2::SockRef::from(&sender).set_tos_v4(0x02).unwrap(); // ECT(0)

    let multi = RecvMsgMulti::new(size_of::<libc::sockaddr_storage>(), 128).unwrap();
    let buffers = Buffers::provide(&mut ring, 8, multi.buffer_len(64));
    let entry = multi.entry(receiver.as_fd(), GROUP).user_data(MULTI);
    // SAFETY: the entry points at `multi`'s header, which is leaked, never freed.
    unsafe { submit(&mut ring, &[entry]) };
    for i in 0..3u8 {
        sender.send(&[i; 10]).unwrap();
    }
    let done = multishot_results(&mut ring, 3);
    let mut ancillary = AncillaryData::with_capacity(128);
    for (i, c) in done.iter().enumerate() {
        // SAFETY: the kernel filled this buffer for this completion, taken once.
        let out = unsafe { multi.take(buffers.of(c), &mut ancillary) }.unwrap();
        assert_eq!(out.payload(), &[i as u8; 10]);
        assert_eq!(out.payload_len(), 10);
        assert!(!out.flags().normal_data_truncated());
        assert!(!out.is_name_truncated());
        let from: SocketAddr = out.address().unwrap().to_address().unwrap();
        assert_eq!(from, sender.local_addr().unwrap());
        let messages = out.control_messages();
        let tos = messages
            .iter()
            .find(|m| m.cmsg_level() == libc::IPPROTO_IP && m.cmsg_type() == libc::IP_TOS)
            .expect("IP_TOS");
        assert_eq!(tos.data()[0] & 0x03, 0x02, "ECT(0)");
        let pktinfo = messages
            .iter()
            .find(|m| m.cmsg_level() == libc::IPPROTO_IP && m.cmsg_type() == libc::IP_PKTINFO)
            .expect("IP_PKTINFO");
        assert_eq!(pktinfo.data().len(), size_of::<libc::in_pktinfo>());
        // The same messages, adopted by the AncillaryData.
        assert_eq!(ancillary.control_messages().iter().count(), 2);
        assert_eq!(ancillary.take_owned_fds().map(|v| v.len()), Some(0));
    }
    drop(ring);
    drop(buffers);
}

#[test]
fn udp_gro_through_multishot_receive() {
    let _lock = fd_lock();
    use ancillary::os::linux::{sockopt, UdpGro, UdpSegment};
    use ancillary::{set_socket_option, MessageSender};

    let Some(mut ring) = ring_or_skip(16) else {
        return;
    };
    let receiver = UdpSocket::bind("127.0.0.1:0").unwrap();
    let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
    sender.connect(receiver.local_addr().unwrap()).unwrap();
    if let Err(err) = set_socket_option(&receiver, &sockopt::UdpGro(true)) {
        return tests::skipped("the whole test", &format!("UDP_GRO not supported: {err}"));
    }
    let multi = RecvMsgMulti::new(0, UdpGro::SPACE).unwrap();
    let buffers = Buffers::provide(&mut ring, 8, multi.buffer_len(16_384));
    let entry = multi.entry(receiver.as_fd(), GROUP).user_data(MULTI);
    // SAFETY: the header is leaked; the buffers outlive the ring.
    unsafe { submit(&mut ring, &[entry]) };

    // 10 segments of 1000 bytes (the last 500) in one send.
    let payload: Vec<u8> = (0..9500u32).map(|i| (i / 1000) as u8).collect();
    let mut ancillary = AncillaryData::with_capacity(UdpSegment::SPACE);
    ancillary.add_control_message(&UdpSegment::new(1000));
    match MessageSender::new(&sender, &payload)
        .ancillary_data(&mut ancillary)
        .send()
    {
        Ok(n) => assert_eq!(n, 9500),
        Err(err) => {
            return tests::skipped("the whole test", &format!("UDP_SEGMENT refused: {err}"));
        }
    }
    let (mut total, mut coalesced) = (0, 0);
    let mut received = AncillaryData::new();
    while total < 9500 {
        let done = multishot_results(&mut ring, 1);
        // SAFETY: filled by the kernel for this completion, taken once.
        let out = unsafe { multi.take(buffers.of(&done[0]), &mut received) }.unwrap();
        assert!(!out.flags().normal_data_truncated());
        match out.control_messages().find::<UdpGro>() {
            Some(gro) => {
                assert_eq!(gro.unwrap().segment_size(), 1000);
                assert!(out.payload().len() > 1000);
                coalesced += 1;
            }
            None => assert!(out.payload().len() <= 1000),
        }
        assert_eq!(out.payload(), &payload[total..total + out.payload().len()]);
        total += out.payload().len();
    }
    assert_eq!(total, 9500);
    if coalesced == 0 {
        tests::skipped(
            "the UDP_GRO check",
            "the kernel delivered every segment apart",
        );
    }
    drop(ring);
    drop(buffers);
}

/// Arms a multishot receive on a Unix datagram pair with `name_len` bytes of address
/// room and control room for `fds` descriptors, then sends `files` `times` times with a
/// 2-byte payload; returns the pieces and the completions.
struct FdPassing {
    multi: RecvMsgMulti,
    buffers: Buffers,
    done: Vec<Completion>,
}

fn pass_files(
    ring: &mut IoUring,
    name_len: usize,
    fds: usize,
    files: &[OwnedFd],
    times: usize,
) -> FdPassing {
    let (a, b) = UnixDatagram::pair().unwrap();
    let multi = RecvMsgMulti::new(name_len, AncillaryData::space_for_fds(fds)).unwrap();
    let buffers = Buffers::provide(ring, 4, multi.buffer_len(16));
    let entry = multi.entry(b.as_fd(), GROUP).user_data(MULTI);
    // SAFETY: the header is leaked, never freed; the buffers outlive the ring (each
    // caller drops the ring first).
    unsafe { submit(ring, &[entry]) };
    for _ in 0..times {
        let mut ancillary = AncillaryData::new();
        ancillary.add_file_descriptors(&tests::borrow_all(files));
        a.send_message(
            &[std::io::IoSlice::new(b"fd")],
            &mut ancillary,
            Default::default(),
        )
        .unwrap();
    }
    let done = multishot_results(ring, times);
    FdPassing {
        multi,
        buffers,
        done,
    }
}

#[test]
fn fd_passing_through_multishot_receive_owns_and_closes() {
    let _lock = fd_lock();
    let Some(mut ring) = ring_or_skip(16) else {
        return;
    };
    let files: Vec<OwnedFd> = tests::distinct_fds(2);
    let (ids, before) = (tests::file_ids(&files), open_fd_count());
    let passing = pass_files(&mut ring, 0, 4, &files, 3);
    let (multi, buffers, done) = (passing.multi, passing.buffers, passing.done);

    // The first: descriptors taken, same files, close-on-exec.
    let mut ancillary = AncillaryData::with_capacity(AncillaryData::space_for_fds(4));
    // SAFETY: filled by the kernel for this completion, taken once.
    let out = unsafe { multi.take(buffers.of(&done[0]), &mut ancillary) }.unwrap();
    assert_eq!(out.payload(), b"fd");
    let rights: Vec<_> = out.control_messages().of_type::<ScmRights>().collect();
    assert_eq!(rights.len(), 1);
    let taken = ancillary.take_owned_fds().unwrap();
    assert_eq!(tests::file_ids(&taken), ids);
    assert!(taken.iter().all(|f| tests::is_cloexec(f.as_fd())));
    assert_eq!(
        open_fd_count(),
        before + 6,
        "two taken, two in each of the other buffers"
    );

    // The second: not taken, closed when the AncillaryData is reused, and with fixed
    // storage too small, closed at once.
    let mut small = [std::mem::MaybeUninit::uninit(); 8];
    let mut tiny = AncillaryData::with_storage(&mut small);
    // SAFETY: filled by the kernel for this completion, taken once.
    let err = unsafe { multi.take(buffers.of(&done[1]), &mut tiny) }.unwrap_err();
    assert!(err.to_string().contains("closed"), "{err}");
    assert_eq!(open_fd_count(), before + 4);

    // The third, taken and left in the AncillaryData: it owns the descriptors until its
    // next clear closes them.
    // SAFETY: filled by the kernel for this completion, taken once.
    unsafe { multi.take(buffers.of(&done[2]), &mut ancillary) }.unwrap();
    assert_eq!(open_fd_count(), before + 4);
    ancillary.clear();
    assert_eq!(open_fd_count(), before + 2);
    drop(taken);
    assert_eq!(open_fd_count(), before);
    drop(ring);
    drop(buffers);
}

/// `take_in_place`: the control data read where the kernel wrote it (after a 3-byte name
/// slot, rounded up to 8 so that it starts aligned): the descriptors are the files sent,
/// close-on-exec, owned until taken, and closed on drop when not taken, in every mix of
/// taking some, all and none.
#[test]
fn take_in_place_owns_descriptors_in_the_provided_buffer() {
    let _lock = fd_lock();
    let Some(mut ring) = ring_or_skip(16) else {
        return;
    };
    let files: Vec<OwnedFd> = tests::distinct_fds(3);
    let (ids, before) = (tests::file_ids(&files), open_fd_count());
    let passing = pass_files(&mut ring, 3, 3, &files, 3);
    let (multi, buffers, done) = (passing.multi, passing.buffers, passing.done);
    assert_eq!(open_fd_count(), before + 9, "three in each buffer");

    // All taken: the same files, close-on-exec.
    let bytes = buffers.of(&done[0]);
    // SAFETY: filled by the kernel for this completion, taken once.
    let (out, mut control) = unsafe { multi.take_in_place(bytes) }.unwrap();
    assert_eq!(out.payload(), b"fd");
    let offset = out.control_bytes().as_ptr() as usize - bytes.as_ptr() as usize;
    assert_eq!(offset, RECVMSG_OUT_LEN + 8);
    // The kernel aligns control messages to a `long` (musl's `cmsghdr` itself is only
    // 4-aligned on 64-bit targets).
    assert_eq!(multi.buffer_len(16) % size_of::<libc::c_long>(), 0);
    assert_eq!(bytes.as_ptr() as usize % size_of::<libc::c_long>(), 0);
    let rights: Vec<Vec<i32>> = control
        .control_messages()
        .of_type::<ScmRights>()
        .map(|r| r.unwrap().fds().to_vec())
        .collect();
    assert_eq!(rights.len(), 1);
    let taken: Vec<OwnedFd> = control.drain_fds().collect();
    assert_eq!(tests::file_ids(&taken), ids);
    assert!(taken.iter().all(|f| tests::is_cloexec(f.as_fd())));
    assert_eq!(control.drain_fds().len(), 0, "taken once");
    drop(control);
    assert_eq!(open_fd_count(), before + 9, "taken ones stay open");
    drop(taken);
    assert_eq!(open_fd_count(), before + 6);

    // One taken, the iterator dropped: the other two closed then.
    // SAFETY: filled by the kernel for this completion, taken once.
    let (_, mut control) = unsafe { multi.take_in_place(buffers.of(&done[1])) }.unwrap();
    let mut fds = control.drain_fds();
    assert_eq!(fds.len(), 3);
    let first = fds.next().unwrap();
    drop(fds);
    assert_eq!(open_fd_count(), before + 4);
    drop(first);
    drop(control);
    assert_eq!(open_fd_count(), before + 3);

    // None taken: all three closed when the value is dropped.
    // SAFETY: filled by the kernel for this completion, taken once.
    let (_, control) = unsafe { multi.take_in_place(buffers.of(&done[2])) }.unwrap();
    assert!(format!("{control:?}").contains("owns_fds: true"));
    drop(control);
    assert_eq!(open_fd_count(), before);
    drop(ring);
    drop(buffers);
}

#[test]
fn truncated_payload_and_control_data() {
    let _lock = fd_lock();
    let Some(mut ring) = ring_or_skip(16) else {
        return;
    };
    let (a, b) = UnixDatagram::pair().unwrap();
    // Room for one descriptor's message of the three sent, and 4 payload bytes of 100.
    let multi = RecvMsgMulti::new(0, AncillaryData::space_for_fds(1)).unwrap();
    let buffers = Buffers::provide(&mut ring, 2, multi.buffer_len(4));
    let entry = multi.entry(b.as_fd(), GROUP).user_data(MULTI);
    // SAFETY: the header is leaked; the buffers outlive the ring.
    unsafe { submit(&mut ring, &[entry]) };
    let files = tests::distinct_fds(3);
    let before = open_fd_count();
    let mut ancillary = AncillaryData::new();
    ancillary.add_file_descriptors(&tests::borrow_all(&files));
    a.send_message(
        &[std::io::IoSlice::new(&[9; 100])],
        &mut ancillary,
        Default::default(),
    )
    .unwrap();
    let done = multishot_results(&mut ring, 1);
    let mut received = AncillaryData::new();
    // SAFETY: filled by the kernel for this completion, taken once.
    let out = unsafe { multi.take(buffers.of(&done[0]), &mut received) }.unwrap();
    assert_eq!(out.payload(), &[9; 4]);
    // The kernel reports the bytes it copied, unless the receive asked for `MSG_TRUNC`.
    assert_eq!(out.payload_len(), 4);
    assert!(out.flags().normal_data_truncated(), "MSG_TRUNC");
    assert!(out.flags().control_data_truncated(), "MSG_CTRUNC");
    drop(received);
    assert_eq!(
        open_fd_count(),
        before,
        "what fit is closed, the rest never installed"
    );
    drop(ring);
    drop(buffers);
}

#[test]
fn msg_trunc_in_the_options_reports_the_whole_datagram_length() {
    let _lock = fd_lock();
    let Some(mut ring) = ring_or_skip(16) else {
        return;
    };
    let (a, b) = UnixDatagram::pair().unwrap();
    let multi = RecvMsgMulti::new(0, 0)
        .unwrap()
        .options(*ancillary::RecvOptions::new().custom_flags(libc::MSG_TRUNC));
    let buffers = Buffers::provide(&mut ring, 2, multi.buffer_len(4));
    let entry = multi.entry(b.as_fd(), GROUP).user_data(MULTI);
    // SAFETY: the header is leaked; the buffers outlive the ring.
    unsafe { submit(&mut ring, &[entry]) };
    a.send(&[3; 100]).unwrap();
    let done = multishot_results(&mut ring, 1);
    let out = multi.parse(buffers.of(&done[0])).unwrap();
    assert_eq!(out.payload(), &[3; 4]);
    assert_eq!(out.payload_len(), 100);
    assert!(out.flags().normal_data_truncated());
    drop(ring);
    drop(buffers);
}

/// A `io_uring_recvmsg_out` header followed by `rest`.
fn image(header: [u32; 4], rest: &[u8]) -> Vec<u8> {
    let mut bytes: Vec<u8> = header.iter().flat_map(|v| v.to_ne_bytes()).collect();
    bytes.extend_from_slice(rest);
    bytes
}

/// Every slice the parser returns lies inside the buffer, and nothing panics.
fn check(buffer: &[u8], name_len: usize, control_len: usize) {
    let Ok(out) = RecvMsgOut::parse(buffer, name_len, control_len) else {
        let need = RECVMSG_OUT_LEN
            .saturating_add(name_len)
            .saturating_add(control_len);
        assert!(buffer.len() < need);
        return;
    };
    let range = buffer.as_ptr_range();
    for part in [out.name(), out.control_bytes(), out.payload()] {
        assert!(range.start <= part.as_ptr() && part.as_ptr_range().end <= range.end);
    }
    assert!(out.name().len() <= name_len && out.control_bytes().len() <= control_len);
    let _ = out.address();
    let _ = out.is_name_truncated();
    for message in out.control_messages() {
        assert!(message.data().len() <= control_len);
    }
    for rights in out.control_messages().of_type::<ScmRights>() {
        let _ = rights.map(|r| r.len());
    }
}

#[test]
fn hostile_buffers_parse_safely() {
    let _lock = fd_lock();
    // Every length up to 200 of a fixed pattern, for several reserved layouts.
    let pattern: Vec<u8> = (0..200u32).map(|i| (i * 37 + 11) as u8).collect();
    for len in 0..pattern.len() {
        for (name_len, control_len) in [
            (0, 0),
            (0, 24),
            (16, 0),
            (28, 64),
            (128, 128),
            (usize::MAX, 1),
            (1, usize::MAX),
        ] {
            check(&pattern[..len], name_len, control_len);
        }
    }
    // Headers that claim more than the buffer holds, and control data of hostile headers.
    let claims = [0, 1, 15, 16, 17, 24, 0x7fff_ffff, u32::MAX];
    for &a in &claims {
        for &b in &claims {
            let mut control = Vec::new();
            control.extend_from_slice(&(a as usize).to_ne_bytes()); // cmsg_len
            control.extend_from_slice(&libc::SOL_SOCKET.to_ne_bytes());
            control.extend_from_slice(&libc::SCM_RIGHTS.to_ne_bytes());
            control.extend_from_slice(&[0xff; 20]);
            let buffer = image([b, a, b, u32::MAX], &control);
            for cut in 0..=buffer.len() {
                check(&buffer[..cut], 0, control.len());
                check(&buffer[..cut], 3, control.len() - 3);
            }
        }
    }
    // Pseudo-random images (xorshift, fixed seed).
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..20_000 {
        let len = (next() % 160) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        check(&bytes, (next() % 40) as usize, (next() % 80) as usize);
    }
}

#[test]
fn the_header_fields_are_read_as_the_kernel_lays_them_out() {
    let _lock = fd_lock();
    let buffer = image([4, 0, 3, libc::MSG_TRUNC as u32], &[1, 2, 3, 4, 9, 9, 9]);
    let out = RecvMsgOut::parse(&buffer, 4, 0).unwrap();
    assert_eq!(out.name(), &[1, 2, 3, 4]);
    assert_eq!(out.payload(), &[9, 9, 9]);
    assert!(out.flags().normal_data_truncated());
    assert!(out.control_messages().is_empty());
    // A name longer than reserved is cut and flagged; a payload claim beyond the buffer
    // is clamped.
    let buffer = image([16, 0, 50, 0], &[7; 10]);
    let out = RecvMsgOut::parse(&buffer, 4, 0).unwrap();
    assert_eq!(out.name().len(), 4);
    assert!(out.is_name_truncated());
    assert_eq!(out.payload().len(), 6);
    assert_eq!(out.payload_len(), 50);
    // Unused: the raw fd of a socket is not involved in parsing.
    let _ = std::io::stdin().as_raw_fd();
}
