//! `nix` 0.31: `sendmsg` with `ControlMessage::ScmRights`, `recvmsg` into a
//! `cmsg_space!` buffer made per call. nix parses only what its own receive filled, so
//! it has no D2 here.

use super::*;
use nix::sys::socket::{
    recvmsg, sendmsg, ControlMessage as NixCmsg, ControlMessageOwned, MsgFlags,
};

pub struct NixCalls;

impl Calls for NixCalls {
    #[inline(never)]
    fn send_fds(&mut self, tx: &UnixStream, fds: &[BorrowedFd<'static>]) {
        let mut raw = [0 as RawFd; MAX_FDS];
        for (slot, fd) in raw.iter_mut().zip(fds) {
            *slot = fd.as_raw_fd();
        }
        let sent = sendmsg::<()>(
            tx.as_raw_fd(),
            &[IoSlice::new(b"x")],
            &[NixCmsg::ScmRights(&raw[..fds.len()])],
            MsgFlags::empty(),
            None,
        )
        .expect("sendmsg");
        assert_eq!(sent, 1);
    }

    #[inline(never)]
    fn recv_close(&mut self, rx: &UnixStream) -> u64 {
        let mut space = nix::cmsg_space!([RawFd; MAX_FDS]);
        let mut byte = [0u8; 1];
        let mut iov = [IoSliceMut::new(&mut byte)];
        let msg = recvmsg::<()>(
            rx.as_raw_fd(),
            &mut iov,
            Some(&mut space),
            MsgFlags::MSG_CMSG_CLOEXEC,
        )
        .expect("recvmsg");
        let mut n = 0;
        for cmsg in msg.cmsgs().expect("cmsgs") {
            if let ControlMessageOwned::ScmRights(fds) = cmsg {
                for fd in fds {
                    // SAFETY: the kernel just installed `fd` for us; nothing else owns it.
                    unsafe { libc::close(fd) };
                    n += 1;
                }
            }
        }
        n
    }

    #[inline(never)]
    fn send_data(&mut self, tx: &UnixStream, data: &[u8]) {
        let sent = sendmsg::<()>(
            tx.as_raw_fd(),
            &[IoSlice::new(data)],
            &[],
            MsgFlags::empty(),
            None,
        )
        .expect("sendmsg");
        assert_eq!(sent, data.len());
    }

    #[inline(never)]
    fn recv_data(&mut self, rx: &UnixStream, buf: &mut [u8]) -> u64 {
        let mut iov = [IoSliceMut::new(buf)];
        let msg = recvmsg::<()>(rx.as_raw_fd(), &mut iov, None, MsgFlags::MSG_CMSG_CLOEXEC)
            .expect("recvmsg");
        msg.bytes as u64
    }

    fn parse(&mut self, _: &mut [u8]) -> u64 {
        unreachable!("nix cannot parse bytes it did not receive (supports() says so)")
    }
}

impl NewCalls for NixCalls {
    const NAME: &'static str = "ds-nix";
    fn new() -> Self {
        NixCalls
    }
    fn supports(scenario: Scenario) -> bool {
        supported(scenario) && scenario != Scenario::D2
    }
}

pub type DsNix = Downstream<NixCalls>;
