//! `rustix` 1.x.

use super::*;

/// `rustix` 1.x: `SendAncillaryBuffer`/`RecvAncillaryBuffer` over stack arrays,
/// `drain()` yielding `RecvAncillaryMessage`.
pub struct Rustix {
    fx: &'static Fixture,
    two: Aligned,
}

impl Impl for Rustix {
    const NAME: &'static str = "rustix";

    fn new(fx: &'static Fixture) -> Self {
        Rustix { fx, two: fx.two }
    }

    fn supports(scenario: Scenario) -> bool {
        // `RecvAncillaryMessage` has no variant for other messages: `drain` skips the
        // custom message, so D and E cannot be expressed.
        !matches!(scenario, Scenario::D | Scenario::E)
    }

    #[inline(always)]
    fn pass_fds<const N: usize>(&mut self) -> u64 {
        use rustix::net::{
            recvmsg, sendmsg, RecvAncillaryBuffer, RecvAncillaryMessage, RecvFlags,
            SendAncillaryBuffer, SendAncillaryMessage, SendFlags,
        };
        let fds = &self.fx.send_fds[..N];
        let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(4))];
        let mut control = SendAncillaryBuffer::new(&mut space);
        assert!(control.push(SendAncillaryMessage::ScmRights(fds)));
        let sent = sendmsg(
            &self.fx.tx,
            &[IoSlice::new(b"x")],
            &mut control,
            SendFlags::empty(),
        )
        .expect("sendmsg");
        assert_eq!(sent, 1);
        let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(4))];
        let mut control = RecvAncillaryBuffer::new(&mut space);
        let mut byte = [0u8; 1];
        recvmsg(
            &self.fx.rx,
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

    #[inline(always)]
    fn data64(&mut self) -> u64 {
        use rustix::net::{
            recvmsg, sendmsg, RecvAncillaryBuffer, RecvFlags, SendAncillaryBuffer, SendFlags,
        };
        let mut control = SendAncillaryBuffer::default();
        let sent = sendmsg(
            &self.fx.tx,
            &[IoSlice::new(&DATA64)],
            &mut control,
            SendFlags::empty(),
        )
        .expect("sendmsg");
        assert_eq!(sent, 64);
        let mut buf = [0u8; 64];
        let mut control = RecvAncillaryBuffer::default();
        let msg = recvmsg(
            &self.fx.rx,
            &mut [IoSliceMut::new(&mut buf)],
            &mut control,
            RecvFlags::CMSG_CLOEXEC,
        )
        .expect("recvmsg");
        msg.bytes as u64
    }

    #[inline(always)]
    fn parse(&mut self, custom: bool) -> u64 {
        use rustix::net::{AncillaryDrain, RecvAncillaryMessage};
        assert!(!custom, "rustix cannot express scenario D");
        let bytes = &mut self.two.0[..self.fx.two_len];
        let mut sum = 0u64;
        // The descriptors in them are open for the whole process (the fixture never closes
        // them); each `OwnedFd` rustix yields is turned back into a raw number at once.
        // SAFETY: the bytes are well-formed messages exactly as the kernel delivered them,
        // and no yielded descriptor is closed, so nothing is closed twice.
        let drain = unsafe { AncillaryDrain::parse(black_box(bytes)) };
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
