//! std's unstable `unix_socket_ancillary_data` (feature `std-unstable` of this crate, on a
//! nightly toolchain): `SocketAncillary` over stack arrays, `messages()` yielding
//! `AncillaryData::ScmRights` of raw descriptor numbers that the caller must close.

use std::hint::black_box;
use std::io::{IoSlice, IoSliceMut};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::linux::net::UnixSocketExt as _;
use std::os::unix::net::{AncillaryData as StdData, SocketAncillary};

use super::{
    expected_own_d2, parses_own_receives, socketpair, Aligned, Fixture, Impl, Scenario, DATA64,
};

/// Room for one `SCM_RIGHTS` message of 4 descriptors, at `cmsghdr` alignment (std reads
/// the headers in place, so its buffer must be aligned).
#[repr(C, align(8))]
struct Room([u8; ROOM]);

const ROOM: usize = ancillary::AncillaryData::space_for_fds(4);

pub struct StdUnstable {
    fx: &'static Fixture,
    /// A kernel-received SCM_CREDENTIALS + SCM_RIGHTS buffer (D2), as std parses only what
    /// its own receive filled.
    parsed: SocketAncillary<'static>,
    /// What D2 sums to here: this buffer holds other descriptor numbers than the
    /// fixture's (the same credentials).
    d2_expected: u64,
}

/// Sums the fields of the messages std parses: descriptor numbers and credentials.
fn sum(ancillary: &SocketAncillary<'_>) -> u64 {
    let mut sum = 0u64;
    for message in ancillary.messages() {
        match message {
            Ok(StdData::ScmRights(fds)) => {
                for fd in fds {
                    sum += fd as u64;
                }
            }
            Ok(StdData::ScmCredentials(creds)) => {
                for cred in creds {
                    sum += cred.get_pid() as u64
                        + u64::from(cred.get_uid())
                        + u64::from(cred.get_gid());
                }
            }
            _ => {}
        }
    }
    sum
}

impl Impl for StdUnstable {
    const NAME: &'static str = "std";

    fn new(fx: &'static Fixture) -> Self {
        let (s, r) = socketpair();
        r.set_passcred(true).expect("SO_PASSCRED");
        let raw: Vec<RawFd> = fx.send_fds[..2].iter().map(|fd| fd.as_raw_fd()).collect();
        let mut room = Room([0; ROOM]);
        let mut out = SocketAncillary::new(&mut room.0);
        assert!(out.add_fds(&raw));
        s.send_vectored_with_ancillary(&[IoSlice::new(b"d")], &mut out)
            .expect("send for the parse buffer");
        let space: &'static mut Aligned = Box::leak(Box::new(Aligned::new()));
        let mut parsed = SocketAncillary::new(&mut space.0);
        let mut byte = [0u8; 1];
        r.recv_vectored_with_ancillary(&mut [IoSliceMut::new(&mut byte)], &mut parsed)
            .expect("recv for the parse buffer");
        assert!(!parsed.truncated());
        Box::leak(Box::new((s, r)));
        let fds_sum: u64 = parsed
            .messages()
            .filter_map(|m| match m {
                Ok(StdData::ScmRights(fds)) => Some(fds.map(|fd| fd as u64).sum::<u64>()),
                _ => None,
            })
            .sum();
        StdUnstable {
            fx,
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
        let mut raw = [0 as RawFd; N];
        for (slot, fd) in raw.iter_mut().zip(&self.fx.send_fds) {
            *slot = fd.as_raw_fd();
        }
        let mut room = Room([0; ROOM]);
        let mut out = SocketAncillary::new(&mut room.0);
        assert!(out.add_fds(&raw));
        let sent = self
            .fx
            .tx
            .send_vectored_with_ancillary(&[IoSlice::new(b"x")], &mut out)
            .expect("send");
        assert_eq!(sent, 1);
        let mut room = Room([0; ROOM]);
        let mut ancillary = SocketAncillary::new(&mut room.0);
        let mut byte = [0u8; 1];
        self.fx
            .rx
            .recv_vectored_with_ancillary(&mut [IoSliceMut::new(&mut byte)], &mut ancillary)
            .expect("recv");
        let mut n = 0;
        for message in ancillary.messages() {
            if let Ok(StdData::ScmRights(fds)) = message {
                for fd in fds {
                    // SAFETY: the kernel just installed `fd` for us; nothing else owns it.
                    drop(unsafe { OwnedFd::from_raw_fd(fd) });
                    n += 1;
                }
            }
        }
        n
    }

    #[inline(always)]
    fn data64(&mut self) -> u64 {
        let mut out = SocketAncillary::new(&mut []);
        let sent = self
            .fx
            .tx
            .send_vectored_with_ancillary(&[IoSlice::new(&DATA64)], &mut out)
            .expect("send");
        assert_eq!(sent, 64);
        let mut buf = [0u8; 64];
        let mut ancillary = SocketAncillary::new(&mut []);
        let n = self
            .fx
            .rx
            .recv_vectored_with_ancillary(&mut [IoSliceMut::new(&mut buf)], &mut ancillary)
            .expect("recv");
        n as u64
    }

    #[inline(always)]
    fn parse(&mut self, custom: bool) -> u64 {
        assert!(!custom, "std cannot express scenario D");
        sum(black_box(&self.parsed))
    }
}
