//! The traits are open: a downstream crate implements them for its own socket and
//! address types with `ancillary::send_message` & co., and gets the same behaviour.

use std::io::{self, IoSlice, IoSliceMut};
use std::mem::offset_of;
use std::os::fd::{AsFd, FromRawFd, OwnedFd};
use std::os::unix::net::UnixDatagram;

use ancillary::{
    AncillaryData, MessageReceiver, MessageSender, RawSocketAddr, RecvMessage, RecvMessageFrom,
    RecvOptions, RecvResult, SendMessage, SendMessageTo, SendOptions, SocketAddress,
};
use tests::{borrow_all, distinct_fds, file_ids, is_cloexec, TempDir};

/// A `SOCK_SEQPACKET` Unix socket, which std does not have.
#[derive(Debug)]
struct SeqPacket(OwnedFd);

impl SeqPacket {
    fn pair() -> io::Result<(SeqPacket, SeqPacket)> {
        let mut fds = [-1; 2];
        // SAFETY: socketpair writes two descriptors into the array it is given.
        let rc = unsafe {
            libc::socketpair(
                libc::AF_UNIX,
                libc::SOCK_SEQPACKET | libc::SOCK_CLOEXEC,
                0,
                fds.as_mut_ptr(),
            )
        };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: both descriptors were just created by socketpair and are owned by nobody.
        let (a, b) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        Ok((SeqPacket(a), SeqPacket(b)))
    }
}

impl SendMessage for SeqPacket {
    fn send_message(
        &self,
        bufs: &[IoSlice<'_>],
        ancillary_data: &mut AncillaryData<'_>,
        options: SendOptions,
    ) -> io::Result<usize> {
        ancillary::send_message(self.0.as_fd(), bufs, ancillary_data, options)
    }
}

impl RecvMessage for SeqPacket {
    fn recv_message(
        &self,
        bufs: &mut [IoSliceMut<'_>],
        ancillary_data: &mut AncillaryData<'_>,
        options: RecvOptions,
    ) -> io::Result<(usize, RecvResult)> {
        ancillary::recv_message(self.0.as_fd(), bufs, ancillary_data, options)
    }
}

#[test]
fn fds_over_a_custom_seqpacket_socket() {
    let (a, b) = SeqPacket::pair().unwrap();
    let sent = distinct_fds(3);
    let mut ancillary = AncillaryData::new();
    ancillary.add_file_descriptors(&borrow_all(&sent));
    MessageSender::new(&a, b"packet one")
        .ancillary_data(&mut ancillary)
        .send()
        .unwrap();
    MessageSender::new(&a, b"packet two").send().unwrap();

    let mut received = AncillaryData::with_capacity(AncillaryData::space_for_fds(3));
    let mut buf = [0u8; 6];
    let (n, result) = MessageReceiver::new(&b, &mut buf)
        .ancillary_data(&mut received)
        .recv()
        .unwrap();
    assert_eq!(&buf[..n], b"packet");
    assert!(result.normal_data_truncated(), "seqpacket keeps boundaries");
    let fds: [OwnedFd; 3] = received.take_exact_fds().unwrap();
    assert_eq!(file_ids(&fds), file_ids(&sent));
    assert!(fds.iter().all(|fd| is_cloexec(fd.as_fd())));

    let mut buf = [0u8; 16];
    let (n, _) = MessageReceiver::new(&b, &mut buf)
        .ancillary_data(&mut received)
        .recv()
        .unwrap();
    assert_eq!(&buf[..n], b"packet two");
    assert_eq!(received.take_owned_fds().map(|v| v.len()), Some(0));
}

#[test]
fn fds_without_data_over_seqpacket() {
    if tests::under_qemu() {
        // qemu-user (7.2) answers sendmsg/recvmsg with an empty iovec with 0 itself,
        // without calling the kernel: no descriptors are sent or received.
        tests::skipped(
            "the whole test",
            "qemu-user returns 0 for sendmsg/recvmsg with no data bytes without calling the kernel",
        );
        return;
    }
    // Unlike a stream, a seqpacket socket carries control data with zero data bytes.
    let (a, b) = SeqPacket::pair().unwrap();
    let sent = distinct_fds(2);
    let mut ancillary = AncillaryData::new();
    ancillary.add_file_descriptors(&borrow_all(&sent));
    assert_eq!(
        a.send_message(&[], &mut ancillary, SendOptions::new())
            .unwrap(),
        0
    );
    let mut received = AncillaryData::with_capacity(AncillaryData::space_for_fds(2));
    let (n, _) = b
        .recv_message(&mut [], &mut received, RecvOptions::new())
        .unwrap();
    assert_eq!(n, 0);
    let fds: [OwnedFd; 2] = received.take_exact_fds().unwrap();
    assert_eq!(file_ids(&fds), file_ids(&sent));
}

/// A pathname Unix address of our own, with a hand-written `sockaddr_un` conversion.
#[derive(Debug, PartialEq, Eq)]
struct PathAddr(Vec<u8>);

// SAFETY: `f` gets a pointer to a `sockaddr_un` on this stack frame, alive for the whole
// call, and a length no larger than its size (the path is shorter than `sun_path`).
unsafe impl SocketAddress for PathAddr {
    fn with_sockaddr<R>(
        &self,
        f: impl FnOnce(*const libc::sockaddr, libc::socklen_t) -> R,
    ) -> io::Result<R> {
        // SAFETY: `sockaddr_un` is plain integers and bytes; all zeroes is a valid value.
        let mut sun: libc::sockaddr_un = unsafe { std::mem::zeroed() };
        if self.0.len() >= sun.sun_path.len() || self.0.contains(&0) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "bad path"));
        }
        sun.sun_family = libc::AF_UNIX as libc::sa_family_t;
        for (slot, &byte) in sun.sun_path.iter_mut().zip(&self.0) {
            *slot = byte as libc::c_char;
        }
        let len = offset_of!(libc::sockaddr_un, sun_path) + self.0.len() + 1;
        Ok(f(std::ptr::from_ref(&sun).cast(), len as libc::socklen_t))
    }

    /// Safe code only: the bytes of the address, never more.
    fn from_sockaddr(addr: &RawSocketAddr) -> io::Result<Self> {
        if i32::from(addr.family()) != libc::AF_UNIX {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "not AF_UNIX"));
        }
        let path = addr
            .as_bytes()
            .get(offset_of!(libc::sockaddr_un, sun_path)..)
            .unwrap_or_default();
        Ok(PathAddr(
            path.iter().copied().take_while(|&b| b != 0).collect(),
        ))
    }
}

/// A datagram socket of our own that sends to and receives from `PathAddr`s.
#[derive(Debug)]
struct Datagram(OwnedFd);

impl SendMessageTo for Datagram {
    type SocketAddr = PathAddr;

    fn send_message_to(
        &self,
        addr: &PathAddr,
        bufs: &[IoSlice<'_>],
        ancillary_data: &mut AncillaryData<'_>,
        options: SendOptions,
    ) -> io::Result<usize> {
        ancillary::send_message_to(self.0.as_fd(), addr, bufs, ancillary_data, options)
    }
}

impl RecvMessageFrom for Datagram {
    type SocketAddr = PathAddr;

    fn recv_message_from(
        &self,
        bufs: &mut [IoSliceMut<'_>],
        ancillary_data: &mut AncillaryData<'_>,
        options: RecvOptions,
    ) -> io::Result<(usize, RecvResult, PathAddr)> {
        ancillary::recv_message_from(self.0.as_fd(), bufs, ancillary_data, options)
    }
}

#[test]
fn fds_to_and_from_a_custom_address_type() {
    use std::os::unix::ffi::OsStrExt;

    let dir = TempDir::new("open-traits");
    let a_path = dir.path().join("a");
    let b_path = dir.path().join("b");
    let a = Datagram(UnixDatagram::bind(&a_path).unwrap().into());
    let b = Datagram(UnixDatagram::bind(&b_path).unwrap().into());
    let sent = distinct_fds(2);

    let mut ancillary = AncillaryData::new();
    ancillary.add_file_descriptors(&borrow_all(&sent));
    let to = PathAddr(b_path.as_os_str().as_bytes().to_vec());
    MessageSender::new(&a, b"custom")
        .ancillary_data(&mut ancillary)
        .send_to(&to)
        .unwrap();

    let mut received = AncillaryData::with_capacity(AncillaryData::space_for_fds(2));
    let mut buf = [0u8; 8];
    let (n, _, from) = MessageReceiver::new(&b, &mut buf)
        .ancillary_data(&mut received)
        .recv_from()
        .unwrap();
    assert_eq!(&buf[..n], b"custom");
    assert_eq!(from, PathAddr(a_path.as_os_str().as_bytes().to_vec()));
    let fds: [OwnedFd; 2] = received.take_exact_fds().unwrap();
    assert_eq!(file_ids(&fds), file_ids(&sent));

    // An address our type refuses to express fails before any system call.
    let err = MessageSender::new(&a, b"x")
        .send_to(&PathAddr(b"bad\0path".to_vec()))
        .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
}
