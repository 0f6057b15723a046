//! `nix` 0.31.

use super::*;

/// `nix` 0.31: `sendmsg` with `ControlMessage::ScmRights`, `recvmsg` into a reused buffer,
/// `cmsgs()` yielding `ControlMessageOwned`.
pub struct Nix {
    fx: &'static Fixture,
    recv_space: Vec<u8>,
    /// A kernel-received SCM_CREDENTIALS + SCM_RIGHTS buffer (D2), kept with the
    /// `RecvMsg` that parses it.
    parsed: nix::sys::socket::RecvMsg<'static, 'static, ()>,
    /// What D2 sums to here: nix's buffer holds other descriptor numbers than the
    /// fixture's (the same credentials).
    d2_expected: u64,
}

impl Impl for Nix {
    const NAME: &'static str = "nix";

    fn new(fx: &'static Fixture) -> Self {
        use nix::sys::socket::{
            recvmsg, sendmsg, setsockopt, sockopt, ControlMessage as NixCmsg, MsgFlags,
        };
        let (s, r) = socketpair();
        setsockopt(&r, sockopt::PassCred, &true).expect("SO_PASSCRED");
        let raw: Vec<RawFd> = fx.send_fds[..2].iter().map(|fd| fd.as_raw_fd()).collect();
        sendmsg::<()>(
            s.as_raw_fd(),
            &[IoSlice::new(b"d")],
            &[NixCmsg::ScmRights(&raw)],
            MsgFlags::empty(),
            None,
        )
        .expect("sendmsg");
        let space: &'static mut Vec<u8> =
            Box::leak(Box::new(nix::cmsg_space!(libc::ucred, [RawFd; 2])));
        let byte: &'static mut [u8; 1] = Box::leak(Box::new([0u8; 1]));
        let iov: &'static mut [IoSliceMut<'static>; 1] =
            Box::leak(Box::new([IoSliceMut::new(byte)]));
        let parsed = recvmsg::<()>(
            r.as_raw_fd(),
            iov,
            Some(space.as_mut_slice()),
            MsgFlags::MSG_CMSG_CLOEXEC,
        )
        .expect("recvmsg");
        Box::leak(Box::new((s, r)));
        let mut fds_sum = 0;
        for cmsg in parsed.cmsgs().expect("cmsgs") {
            if let nix::sys::socket::ControlMessageOwned::ScmRights(fds) = cmsg {
                fds_sum += fds.iter().map(|&fd| fd as u64).sum::<u64>();
            }
        }
        Nix {
            fx,
            recv_space: nix::cmsg_space!([RawFd; 4]),
            parsed,
            d2_expected: fx.two_sum - fx.two_fds_sum + fds_sum,
        }
    }

    fn expected(&self, fixture: &Fixture, scenario: Scenario) -> u64 {
        expected_own_d2(fixture, scenario, self.d2_expected)
    }

    fn supports(scenario: Scenario) -> bool {
        parses_own_receives(scenario)
    }

    #[inline(always)]
    fn pass_fds<const N: usize>(&mut self) -> u64 {
        use nix::sys::socket::{
            recvmsg, sendmsg, ControlMessage as NixCmsg, ControlMessageOwned, MsgFlags,
        };
        let mut raw = [0 as RawFd; N];
        for (slot, fd) in raw.iter_mut().zip(&self.fx.send_fds) {
            *slot = fd.as_raw_fd();
        }
        let sent = sendmsg::<()>(
            self.fx.tx.as_raw_fd(),
            &[IoSlice::new(b"x")],
            &[NixCmsg::ScmRights(&raw)],
            MsgFlags::empty(),
            None,
        )
        .expect("sendmsg");
        assert_eq!(sent, 1);
        let mut byte = [0u8; 1];
        let mut iov = [IoSliceMut::new(&mut byte)];
        let msg = recvmsg::<()>(
            self.fx.rx.as_raw_fd(),
            &mut iov,
            Some(self.recv_space.as_mut_slice()),
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

    #[inline(always)]
    fn data64(&mut self) -> u64 {
        use nix::sys::socket::{recvmsg, sendmsg, MsgFlags};
        let sent = sendmsg::<()>(
            self.fx.tx.as_raw_fd(),
            &[IoSlice::new(&DATA64)],
            &[],
            MsgFlags::empty(),
            None,
        )
        .expect("sendmsg");
        assert_eq!(sent, 64);
        let mut buf = [0u8; 64];
        let mut iov = [IoSliceMut::new(&mut buf)];
        let msg = recvmsg::<()>(
            self.fx.rx.as_raw_fd(),
            &mut iov,
            None,
            MsgFlags::MSG_CMSG_CLOEXEC,
        )
        .expect("recvmsg");
        msg.bytes as u64
    }

    #[inline(always)]
    fn parse(&mut self, custom: bool) -> u64 {
        use nix::sys::socket::ControlMessageOwned;
        assert!(!custom, "nix cannot express scenario D");
        let mut sum = 0u64;
        for cmsg in black_box(&self.parsed).cmsgs().expect("cmsgs") {
            match cmsg {
                ControlMessageOwned::ScmRights(fds) => {
                    for fd in fds {
                        sum += fd as u64;
                    }
                }
                ControlMessageOwned::ScmCredentials(cred) => {
                    sum += cred.pid() as u64 + u64::from(cred.uid()) + u64::from(cred.gid());
                }
                _ => {}
            }
        }
        sum
    }
}
