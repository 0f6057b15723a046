//! The kernel refusals the guide's "When the kernel refuses" section describes, provoked
//! for real: a GSO send of more segments than the kernel takes (`EINVAL`, nothing sent,
//! and the guide's fallback of one datagram per segment), and `EINTR` on a blocking send
//! and receive interrupted by a signal whose handler has no `SA_RESTART` (the crate
//! returns `Interrupted`, retries nothing, and the next call works).
//!
//! The ECN fallback is the guide's own doctest. `EIO` from GSO needs a device that cannot
//! checksum segments; loopback can, so it is not provoked here.
#![cfg(target_os = "linux")]

use std::io::{self, IoSlice, IoSliceMut, Write};
use std::net::UdpSocket;
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::os::unix::thread::JoinHandleExt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use ancillary::os::linux::sockopt::SoRcvBuf;
use ancillary::os::linux::sockopt::UDP_GSO_MAX_SEGMENTS;
use ancillary::os::linux::UdpSegment;
use ancillary::{
    set_socket_option, AncillaryData, ControlMessagePayload, MessageSender, RecvMessage,
    RecvOptions, SendMessage, SendOptions,
};

// ----- GSO ----------------------------------------------------------------------------------

/// The guide's fallback: `payload` as segments of `size` in one send, or, when the kernel
/// refuses GSO with `EINVAL` or `EIO`, as one datagram per segment. Returns the datagrams
/// sent and whether GSO was used.
fn send_segments(socket: &UdpSocket, payload: &[u8], size: u16) -> io::Result<(usize, bool)> {
    let mut ancillary = AncillaryData::with_capacity(UdpSegment::SPACE);
    ancillary.add_control_message(&UdpSegment::new(size));
    match MessageSender::new(socket, payload)
        .ancillary_data(&mut ancillary)
        .send()
    {
        Ok(_) => Ok((payload.len().div_ceil(usize::from(size)), true)),
        Err(e) if matches!(e.raw_os_error(), Some(libc::EINVAL | libc::EIO)) => {
            for segment in payload.chunks(usize::from(size)) {
                MessageSender::new(socket, segment).send()?;
            }
            Ok((payload.len().div_ceil(usize::from(size)), false))
        }
        Err(e) => Err(e),
    }
}

/// More segments than any kernel's `UDP_MAX_SEGMENTS`, in well under a datagram's 64 KiB.
const OVER_ANY_LIMIT: usize = 200;

#[test]
fn gso_over_the_segment_limit_is_einval_and_falls_back_to_one_datagram_each() {
    if tests::under_qemu_cross_endian() {
        return tests::skipped("the whole test", tests::QEMU_CROSS_ENDIAN_CMSG);
    }
    let receiver = UdpSocket::bind("127.0.0.1:0").unwrap();
    let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
    sender.connect(receiver.local_addr().unwrap()).unwrap();
    receiver.set_nonblocking(true).unwrap();
    // Room for every small datagram the fallback sends (each takes far more buffer than
    // its 10 bytes); the kernel doubles the value and caps it at `rmem_max`, enough here.
    set_socket_option(&receiver, &SoRcvBuf(1 << 20)).unwrap();

    // Within the limit: one send, GSO used (a kernel without UDP_SEGMENT, before 4.18, or
    // qemu-user, takes the fallback here too, which the counts below still check).
    let within: Vec<u8> = (0..UDP_GSO_MAX_SEGMENTS * 10)
        .map(|i| (i / 10 % 256) as u8)
        .collect();
    let (datagrams, _gso) = send_segments(&sender, &within, 10).unwrap();
    assert_eq!(datagrams, UDP_GSO_MAX_SEGMENTS);
    assert_segments(&drain(&receiver), &within);

    // Over the running kernel's limit (64 segments, 128 since Linux 6.9): the kernel
    // refuses the send whole (nothing arrives from it), and the fallback sends every
    // segment as its own datagram.
    let over: Vec<u8> = (0..OVER_ANY_LIMIT * 10)
        .map(|i| (i / 10 % 256) as u8)
        .collect();
    let mut ancillary = AncillaryData::with_capacity(UdpSegment::SPACE);
    ancillary.add_control_message(&UdpSegment::new(10));
    let refused = MessageSender::new(&sender, &over)
        .ancillary_data(&mut ancillary)
        .send()
        .unwrap_err();
    assert_eq!(refused.raw_os_error(), Some(libc::EINVAL), "{refused}");
    assert!(
        drain(&receiver).is_empty(),
        "a refused GSO send sent nothing"
    );
    let (datagrams, gso) = send_segments(&sender, &over, 10).unwrap();
    assert!(!gso);
    assert_eq!(datagrams, OVER_ANY_LIMIT);
    assert_segments(&drain(&receiver), &over);
}

/// Whether `received` is `payload` in segments of 10 bytes, in order.
fn assert_segments(received: &[Vec<u8>], payload: &[u8]) {
    assert_eq!(received.len(), payload.len() / 10, "datagrams received");
    for (i, (got, sent)) in received.iter().zip(payload.chunks(10)).enumerate() {
        assert!(got == sent, "datagram {i}: {got:?} for {sent:?}");
    }
}

/// Every datagram waiting on `socket` (non-blocking), after a moment for loopback.
fn drain(socket: &UdpSocket) -> Vec<Vec<u8>> {
    thread::sleep(Duration::from_millis(50));
    let mut out = Vec::new();
    let mut buf = [0u8; 2048];
    loop {
        match socket.recv(&mut buf) {
            Ok(n) => out.push(buf[..n].to_vec()),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return out,
            Err(e) => panic!("recv: {e}"),
        }
    }
}

// ----- EINTR --------------------------------------------------------------------------------

extern "C" fn ignore(_: libc::c_int) {}

/// Installs a do-nothing `SIGUSR1` handler without `SA_RESTART`, so a blocking system call
/// it interrupts fails with `EINTR` instead of being restarted.
fn install_handler_without_restart() {
    // SAFETY: a zeroed `sigaction` is valid (empty mask, no flags); the handler is a plain
    // `extern "C" fn` that touches nothing, so it is async-signal-safe.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = ignore as extern "C" fn(libc::c_int) as usize;
        libc::sigemptyset(&mut action.sa_mask);
        action.sa_flags = 0;
        assert_eq!(
            libc::sigaction(libc::SIGUSR1, &action, std::ptr::null_mut()),
            0
        );
    }
}

/// Runs `call` on a thread and sends it `SIGUSR1` every few milliseconds until it returns:
/// a signal that lands before the call blocks only runs the handler, the next one
/// interrupts the blocked call. Returns what the call returned.
///
/// The first signal waits until the thread runs its own code: one that lands while std is
/// still starting the thread has made qemu-user (i686) abort the process in std's start-up.
fn interrupted<R: Send + 'static>(call: impl FnOnce() -> R + Send + 'static) -> R {
    install_handler_without_restart();
    let started = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicBool::new(false));
    let (running, finished) = (Arc::clone(&started), Arc::clone(&done));
    let handle = thread::spawn(move || {
        running.store(true, Ordering::SeqCst);
        let result = call();
        finished.store(true, Ordering::SeqCst);
        result
    });
    while !started.load(Ordering::SeqCst) {
        thread::sleep(Duration::from_millis(1));
    }
    let thread = handle.as_pthread_t();
    while !done.load(Ordering::SeqCst) {
        #[allow(
            clippy::unnecessary_cast,
            reason = "std's RawPthread is an integer, libc's pthread_t a pointer on musl"
        )]
        let thread = thread as libc::pthread_t;
        // SAFETY: the thread has not been joined, so its pthread_t is valid.
        unsafe { libc::pthread_kill(thread, libc::SIGUSR1) };
        thread::sleep(Duration::from_millis(5));
    }
    handle.join().unwrap()
}

#[test]
fn a_blocking_receive_interrupted_by_a_signal_is_interrupted_and_owns_nothing() {
    if tests::under_qemu() {
        tests::skipped(
            "a signal sent to a blocked thread",
            tests::QEMU_SIGNALS_AMONG_THREADS,
        );
        return;
    }
    let (left, right) = UnixStream::pair().unwrap();
    let right = Arc::new(right);
    let receiving = Arc::clone(&right);
    let (result, ancillary) = interrupted(move || {
        let mut ancillary = AncillaryData::with_capacity(AncillaryData::space_for_fds(2));
        let mut byte = [0u8; 1];
        let result = receiving.recv_message(
            &mut [IoSliceMut::new(&mut byte)],
            &mut ancillary,
            RecvOptions::new(),
        );
        (result.map(|(n, _)| n), ancillary)
    });
    let error = result.expect_err("nothing was sent, so only a signal ends the receive");
    assert_eq!(error.kind(), io::ErrorKind::Interrupted, "{error}");
    assert!(ancillary.control_messages().is_empty());

    // Nothing was lost: the same receive, called again, gets what is sent next.
    let (file, _probe) = tests::piped_fds(1);
    let mut sending = AncillaryData::new();
    sending.add_file_descriptors(&[file[0].as_fd()]);
    left.send_message(&[IoSlice::new(b"x")], &mut sending, SendOptions::new())
        .unwrap();
    let mut ancillary = AncillaryData::with_capacity(AncillaryData::space_for_fds(2));
    let mut byte = [0u8; 1];
    let (n, _) = right
        .recv_message(
            &mut [IoSliceMut::new(&mut byte)],
            &mut ancillary,
            RecvOptions::new(),
        )
        .unwrap();
    assert_eq!((n, byte), (1, *b"x"));
    assert_eq!(ancillary.take_owned_fds().map(|fds| fds.len()), Some(1));
}

#[test]
fn a_blocking_send_interrupted_by_a_signal_is_interrupted_and_sends_nothing() {
    if tests::under_qemu() {
        tests::skipped(
            "a signal sent to a blocked thread",
            tests::QEMU_SIGNALS_AMONG_THREADS,
        );
        return;
    }
    let (left, right) = UnixStream::pair().unwrap();
    // Fill the connection, so that the next send blocks with nothing sent.
    left.set_nonblocking(true).unwrap();
    let chunk = [7u8; 4096];
    let mut queued = 0;
    loop {
        match (&left).write(&chunk) {
            Ok(n) => queued += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) => panic!("fill: {e}"),
        }
    }
    left.set_nonblocking(false).unwrap();
    let left = Arc::new(left);
    let sending = Arc::clone(&left);
    let result = interrupted(move || {
        let (file, _probe) = tests::piped_fds(1);
        let mut ancillary = AncillaryData::new();
        ancillary.add_file_descriptors(&[file[0].as_fd()]);
        sending.send_message(&[IoSlice::new(b"late")], &mut ancillary, SendOptions::new())
    });
    let error = result.expect_err("a full connection blocks until a signal ends the send");
    assert_eq!(error.kind(), io::ErrorKind::Interrupted, "{error}");

    // Nothing of the interrupted send is in the stream: exactly what was queued before.
    right.set_nonblocking(true).unwrap();
    let mut read = 0;
    let mut buf = [0u8; 65536];
    loop {
        match std::io::Read::read(&mut &right, &mut buf) {
            Ok(0) => break,
            Ok(n) => {
                assert!(buf[..n].iter().all(|&b| b == 7), "only the filler bytes");
                read += n;
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) => panic!("read: {e}"),
        }
    }
    assert_eq!(read, queued);
}
