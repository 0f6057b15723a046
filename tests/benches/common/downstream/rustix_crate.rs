//! `rustix` 1.x: `SendAncillaryBuffer`/`RecvAncillaryBuffer` over stack arrays per call.

use super::*;
use rustix::net::{
    recvmsg, sendmsg, AncillaryDrain, RecvAncillaryBuffer, RecvAncillaryMessage, RecvFlags,
    SendAncillaryBuffer, SendAncillaryMessage, SendFlags,
};

pub struct RustixCalls;

impl Calls for RustixCalls {
    #[inline(never)]
    fn send_fds(&mut self, tx: &UnixStream, fds: &[BorrowedFd<'static>]) {
        let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(MAX_FDS))];
        let mut control = SendAncillaryBuffer::new(&mut space);
        assert!(control.push(SendAncillaryMessage::ScmRights(fds)));
        let sent =
            sendmsg(tx, &[IoSlice::new(b"x")], &mut control, SendFlags::empty()).expect("sendmsg");
        assert_eq!(sent, 1);
    }

    #[inline(never)]
    fn recv_close(&mut self, rx: &UnixStream) -> u64 {
        let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(MAX_FDS))];
        let mut control = RecvAncillaryBuffer::new(&mut space);
        let mut byte = [0u8; 1];
        recvmsg(
            rx,
            &mut [IoSliceMut::new(&mut byte)],
            &mut control,
            RecvFlags::CMSG_CLOEXEC,
        )
        .expect("recvmsg");
        let mut n = 0;
        for message in control.drain() {
            if let RecvAncillaryMessage::ScmRights(fds) = message {
                for fd in fds {
                    drop(fd);
                    n += 1;
                }
            }
        }
        n
    }

    #[inline(never)]
    fn send_data(&mut self, tx: &UnixStream, data: &[u8]) {
        let mut control = SendAncillaryBuffer::default();
        let sent =
            sendmsg(tx, &[IoSlice::new(data)], &mut control, SendFlags::empty()).expect("sendmsg");
        assert_eq!(sent, data.len());
    }

    #[inline(never)]
    fn recv_data(&mut self, rx: &UnixStream, buf: &mut [u8]) -> u64 {
        let mut control = RecvAncillaryBuffer::default();
        let msg = recvmsg(
            rx,
            &mut [IoSliceMut::new(buf)],
            &mut control,
            RecvFlags::CMSG_CLOEXEC,
        )
        .expect("recvmsg");
        msg.bytes as u64
    }

    #[inline(never)]
    fn parse(&mut self, bytes: &mut [u8]) -> u64 {
        let mut sum = 0u64;
        // SAFETY: the bytes are well-formed messages exactly as the kernel delivered them
        // (the fixture's), whose descriptors are open for the whole process; each
        // `OwnedFd` rustix yields is turned back into a raw number at once, so nothing is
        // closed.
        let drain = unsafe { AncillaryDrain::parse(bytes) };
        for message in drain {
            match message {
                RecvAncillaryMessage::ScmRights(fds) => {
                    for fd in fds {
                        sum += fd.into_raw_fd() as u64;
                    }
                }
                RecvAncillaryMessage::ScmCredentials(cred) => {
                    sum += i64::from(cred.pid.as_raw_nonzero().get()) as u64
                        + u64::from(cred.uid.as_raw())
                        + u64::from(cred.gid.as_raw());
                }
                _ => {}
            }
        }
        sum
    }
}

impl NewCalls for RustixCalls {
    const NAME: &'static str = "ds-rustix";
    fn new() -> Self {
        RustixCalls
    }
}

pub type DsRustix = Downstream<RustixCalls>;
