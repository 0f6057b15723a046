//! Passing file descriptors over real socketpairs.
//!
//! Every test takes `fd_lock()`: one of them counts open descriptors, and the others
//! open and close descriptors that would disturb the count.

use std::io::{self, Read};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::net::{UnixDatagram, UnixStream};

use ancillary::{AncillaryData, MessageReceiver, MessageSender, RecvMessage, RecvOptions};
use tests::{
    borrow_all, deliver, distinct_fds, fd_lock, file_id, file_ids, file_with, open_fd_count,
    recv_into, send_fds, TempDir,
};

/// Sends `n` distinct descriptors from `a` to `b` and checks that each received one is
/// the same open file as the one sent in its place.
fn pass_fds<S>(a: &S, b: &S, n: usize)
where
    S: ancillary::SendMessage + RecvMessage,
{
    let sent = distinct_fds(n);
    assert_eq!(send_fds(a, b"fds", &borrow_all(&sent)).unwrap(), 3);

    let mut ancillary = AncillaryData::with_capacity(AncillaryData::space_for_fds(n));
    let mut buf = [0u8; 8];
    let (len, result) = recv_into(b, &mut buf, &mut ancillary, RecvOptions::new()).unwrap();
    assert_eq!(&buf[..len], b"fds");
    assert!(!result.control_data_truncated(), "{n} fds: MSG_CTRUNC");
    let messages: Vec<_> = ancillary.control_messages().iter().collect();
    assert_eq!(
        messages.len(),
        1,
        "{n} fds arrive in one SCM_RIGHTS message"
    );
    assert_eq!(messages[0].cmsg_level(), libc::SOL_SOCKET);
    assert_eq!(messages[0].cmsg_type(), libc::SCM_RIGHTS);
    assert!(!messages[0].truncated());
    assert_eq!(messages[0].data().len(), n * size_of::<libc::c_int>());

    let received = ancillary.take_owned_fds().expect("a receive happened");
    assert_eq!(received.len(), n);
    assert_eq!(
        file_ids(&received),
        file_ids(&sent),
        "{n} fds: same files, in order"
    );
    // They are new descriptors, not the sender's numbers.
    for (r, s) in received.iter().zip(&sent) {
        assert_ne!(r.as_raw_fd(), s.as_raw_fd());
    }
}

#[test]
fn unix_stream_passes_1_4_and_253_fds() {
    let _lock = fd_lock();
    let (a, b) = UnixStream::pair().unwrap();
    for n in [1, 4, 253] {
        pass_fds(&a, &b, n);
    }
}

#[test]
fn unix_datagram_passes_1_4_and_253_fds() {
    let _lock = fd_lock();
    let (a, b) = UnixDatagram::pair().unwrap();
    for n in [1, 4, 253] {
        pass_fds(&a, &b, n);
    }
}

#[test]
fn received_fd_reads_the_sent_file() {
    let _lock = fd_lock();
    let dir = TempDir::new("read-through");
    let file = file_with(&dir, "data.txt", b"read through a passed descriptor");
    let (a, b) = UnixStream::pair().unwrap();
    send_fds(&a, b"!", &[file.as_fd()]).unwrap();
    drop(file);

    let mut ancillary = AncillaryData::with_capacity(AncillaryData::space_for_fds(1));
    recv_into(&b, &mut [0; 1], &mut ancillary, RecvOptions::new()).unwrap();
    let [fd] = ancillary.take_exact_fds().unwrap();
    let mut text = String::new();
    std::fs::File::from(fd).read_to_string(&mut text).unwrap();
    assert_eq!(text, "read through a passed descriptor");
}

#[test]
fn sending_254_fds_fails_with_einval_and_leaks_nothing() {
    let _lock = fd_lock();
    let (a, b) = UnixStream::pair().unwrap();
    let fds = distinct_fds(254);
    let before = open_fd_count();
    {
        let err = send_fds(&a, b"x", &borrow_all(&fds)).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EINVAL), "{err}");
    }
    assert_eq!(open_fd_count(), before, "a failed send leaks no descriptor");

    // The peer got nothing at all.
    b.set_nonblocking(true).unwrap();
    let mut ancillary = AncillaryData::with_capacity(AncillaryData::space_for_fds(254));
    let err = recv_into(&b, &mut [0; 4], &mut ancillary, RecvOptions::new()).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
    assert_eq!(open_fd_count(), before);

    // 253 of them still go through.
    send_fds(&a, b"x", &borrow_all(&fds[..253])).unwrap();
    b.set_nonblocking(false).unwrap();
    recv_into(&b, &mut [0; 4], &mut ancillary, RecvOptions::new()).unwrap();
    assert_eq!(ancillary.drain_fds().len(), 253);
    assert_eq!(
        open_fd_count(),
        before,
        "the drained descriptors were closed"
    );
}

// ----- RFC 3430's two examples, verbatim but for `use` lines and `.send()`/`.recv()` ----

#[rustfmt::skip] // keep the RFC's formatting
mod rfc {
    use ancillary::{AncillaryData, MessageReceiver, MessageSender};
    use std::os::fd::AsFd;
    use std::os::unix::net::UnixStream;

    pub fn send_file(stream: &UnixStream, file: std::fs::File) -> std::io::Result<()> {
        let mut ancillary = AncillaryData::new();
        ancillary.add_file_descriptors(&[
            file.as_fd(),
        ]);

        MessageSender::new(stream, b"\x00")
            .ancillary_data(&mut ancillary)
            .send()?;
        Ok(())
    }

    pub fn recv_file(stream: &UnixStream) -> std::io::Result<std::fs::File> {
        // TODO: expose CMSG_SPACE() in a user-friendly way.
        const ANCILLARY_CAPACITY: usize = 100;

        let mut ancillary = AncillaryData::with_capacity(ANCILLARY_CAPACITY);
        let mut buf = [0u8; 1];
        MessageReceiver::new(stream, &mut buf)
            .ancillary_data(&mut ancillary)
            .recv()?;

        // TODO: error handling (std::io::Error if not enough FDs returned)
        let mut owned_fds = ancillary.take_owned_fds().unwrap();
        let sent_fd = owned_fds.swap_remove(0);
        Ok(sent_fd.into())
    }
}

#[test]
fn rfc_examples_send_file_and_recv_file() {
    let _lock = fd_lock();
    let dir = TempDir::new("rfc");
    let file = file_with(&dir, "rfc.txt", b"RFC 3430");
    let id = file_id(file.as_fd());
    let (a, b) = UnixStream::pair().unwrap();
    rfc::send_file(&a, file).unwrap();
    let mut received = rfc::recv_file(&b).unwrap();
    assert_eq!(file_id(received.as_fd()), id);
    let mut text = String::new();
    received.read_to_string(&mut text).unwrap();
    assert_eq!(text, "RFC 3430");
}

// ----- adding and taking --------------------------------------------------------------

#[test]
fn fds_from_two_add_calls_arrive_in_order_in_one_message() {
    let _lock = fd_lock();
    let fds = distinct_fds(5);
    let (a, b) = UnixDatagram::pair().unwrap();
    let mut ancillary = AncillaryData::new();
    ancillary.add_file_descriptors(&[fds[0].as_fd(), fds[1].as_fd()]);
    ancillary.add_file_descriptors(&[]); // adds nothing
    ancillary.add_file_descriptors(&borrow_all(&fds[2..]));
    assert_eq!(ancillary.control_messages().iter().count(), 1);
    MessageSender::new(&a, b"x")
        .ancillary_data(&mut ancillary)
        .send()
        .unwrap();

    let mut received = AncillaryData::with_capacity(AncillaryData::space_for_fds(5));
    recv_into(&b, &mut [0; 1], &mut received, RecvOptions::new()).unwrap();
    let got: Vec<OwnedFd> = received.drain_fds().collect();
    assert_eq!(file_ids(&got), file_ids(&fds));
}

#[test]
fn drain_fds_hands_out_every_fd_in_order() {
    let _lock = fd_lock();
    let fds = distinct_fds(4);
    let (mut ancillary, _) = deliver(&borrow_all(&fds), 4);
    let debug = format!("{ancillary:?}");
    assert!(debug.contains("owns_fds: true"), "{debug}");
    let mut drain = ancillary.drain_fds();
    assert_eq!(drain.len(), 4);
    assert_eq!(drain.size_hint(), (4, Some(4)));
    assert_eq!(format!("{drain:?}"), "OwnedFds { remaining: 4 }");
    let first = drain.next().unwrap();
    assert_eq!(drain.len(), 3);
    assert_eq!(format!("{drain:?}"), "OwnedFds { remaining: 3 }");
    let rest: Vec<OwnedFd> = drain.collect();
    assert_eq!(file_id(first.as_fd()), file_id(fds[0].as_fd()));
    assert_eq!(file_ids(&rest), file_ids(&fds[1..]));

    // Taken: a second drain is empty and take_owned_fds says so.
    assert_eq!(ancillary.drain_fds().len(), 0);
    assert!(ancillary.take_owned_fds().is_none());
}

#[test]
fn take_exact_fds_checks_the_count_and_keeps_fds_on_error() {
    let _lock = fd_lock();
    let fds = distinct_fds(3);
    let (mut ancillary, _) = deliver(&borrow_all(&fds), 8);

    let too_few = ancillary.take_exact_fds::<2>().unwrap_err();
    assert_eq!(too_few.kind(), io::ErrorKind::InvalidData);
    assert!(too_few.to_string().contains("received 3"), "{too_few}");
    assert!(too_few.to_string().contains('2'), "{too_few}");
    let too_many = ancillary.take_exact_fds::<4>().unwrap_err();
    assert_eq!(too_many.kind(), io::ErrorKind::InvalidData);
    assert!(too_many.to_string().contains("received 3"), "{too_many}");

    // Nothing was taken by the failures: the exact count still works.
    let taken: [OwnedFd; 3] = ancillary.take_exact_fds().unwrap();
    assert_eq!(file_ids(&taken), file_ids(&fds));

    let gone = ancillary.take_exact_fds::<3>().unwrap_err();
    assert_eq!(gone.kind(), io::ErrorKind::NotFound);
}

#[test]
fn take_exact_fds_of_zero_after_a_receive_without_fds() {
    let _lock = fd_lock();
    let (a, b) = UnixStream::pair().unwrap();
    let mut ancillary = AncillaryData::with_capacity(64);
    assert_eq!(
        ancillary.take_exact_fds::<0>().unwrap_err().kind(),
        io::ErrorKind::NotFound,
        "nothing received yet"
    );
    MessageSender::new(&a, b"plain").send().unwrap();
    recv_into(&b, &mut [0; 8], &mut ancillary, RecvOptions::new()).unwrap();
    let err = ancillary.take_exact_fds::<1>().unwrap_err();
    assert!(err.to_string().contains("received 0"), "{err}");
    let []: [OwnedFd; 0] = ancillary.take_exact_fds().unwrap();
}

#[test]
fn take_owned_fds_is_none_then_some_empty_then_none() {
    let _lock = fd_lock();
    let (a, b) = UnixStream::pair().unwrap();
    let mut ancillary = AncillaryData::with_capacity(AncillaryData::space_for_fds(1));
    assert!(ancillary.take_owned_fds().is_none(), "before any receive");

    MessageSender::new(&a, b"no fds").send().unwrap();
    MessageReceiver::new(&b, &mut [0; 16])
        .ancillary_data(&mut ancillary)
        .recv()
        .unwrap();
    assert_eq!(ancillary.take_owned_fds().map(|v| v.len()), Some(0));
    assert!(ancillary.take_owned_fds().is_none(), "after taking");

    // And with one fd: Some of one, then None again until the next receive.
    let fds = distinct_fds(1);
    send_fds(&a, b"x", &borrow_all(&fds)).unwrap();
    recv_into(&b, &mut [0; 1], &mut ancillary, RecvOptions::new()).unwrap();
    let got = ancillary.take_owned_fds().unwrap();
    assert_eq!(file_ids(&got), file_ids(&fds));
    assert!(ancillary.take_owned_fds().is_none());
}
