//! The benchmark scenarios of issue 6, written once per implementation, shared by the
//! criterion bench (`benches/ancillary.rs`) and the instruction/allocation driver
//! (`benches/instr.rs`).
//!
//! Every implementation does the same work per operation:
//!
//! * A: send 1 fd plus 1 data byte over a `UnixStream` socketpair, receive it, close it.
//! * B: the same with 4 fds.
//! * C: send and receive 64 data bytes, no control data.
//! * D: parse a received-style buffer of 3 messages (`SCM_RIGHTS` with 2 fds,
//!   `SCM_CREDENTIALS`, one custom message) and sum their fields. No system calls.
//! * D2: the same with 2 messages (`SCM_RIGHTS`, `SCM_CREDENTIALS`).
//! * E: find the custom message among the 3 of D with a typed lookup.
//!
//! Buffers that an API lets the caller keep are made once and reused (that is how each
//! library is meant to be used in a loop); what an API allocates per call is counted.
//! Every receive passes `MSG_CMSG_CLOEXEC`, as ours always does.

#![allow(
    dead_code,
    reason = "each bench binary uses a different part of this module"
)]

use std::hint::black_box;
use std::io::{IoSlice, IoSliceMut};
use std::mem::{size_of, MaybeUninit};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, IntoRawFd, OwnedFd, RawFd};
use std::os::unix::net::UnixStream;

use ancillary::{AncillaryData, ControlMessage, ControlMessages, MessageReceiver, MessageSender};
use libc::c_int;

pub mod downstream;
mod nix_crate;
mod ours_heap;
mod ours_stack;
mod raw_libc;
mod rustix_crate;
#[cfg(all(feature = "std-unstable", nightly))]
mod std_unstable;

pub use self::nix_crate::Nix;
pub use self::ours_heap::OursHeap;
pub use self::ours_stack::OursStack;
pub use self::raw_libc::Libc;
pub use self::rustix_crate::Rustix;

/// The scenarios, in table order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenario {
    A,
    B,
    C,
    D,
    D2,
    E,
}

impl Scenario {
    pub const ALL: [Scenario; 6] = [
        Scenario::A,
        Scenario::B,
        Scenario::C,
        Scenario::D,
        Scenario::D2,
        Scenario::E,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scenario::A => "A",
            Scenario::B => "B",
            Scenario::C => "C",
            Scenario::D => "D",
            Scenario::D2 => "D2",
            Scenario::E => "E",
        }
    }

    pub fn parse(name: &str) -> Option<Scenario> {
        Scenario::ALL.into_iter().find(|s| s.name() == name)
    }

    pub fn describe(self) -> &'static str {
        match self {
            Scenario::A => "send 1 fd + 1 byte, receive, close",
            Scenario::B => "send 4 fds + 1 byte, receive, close",
            Scenario::C => "send and receive 64 data bytes, no control data",
            Scenario::D => "parse SCM_RIGHTS(2 fds) + SCM_CREDENTIALS + custom, sum fields",
            Scenario::D2 => "parse SCM_RIGHTS(2 fds) + SCM_CREDENTIALS, sum fields",
            Scenario::E => "find the custom message among 3 with a typed lookup",
        }
    }
}

/// Level and type of the custom message of scenarios D and E (a level no kernel uses).
pub const CUSTOM_LEVEL: c_int = 0x0A11;
pub const CUSTOM_TYPE: c_int = 7;

/// The payload of the custom message: two native-endian `u32`s.
pub const CUSTOM_A: u32 = 0x1234;
pub const CUSTOM_B: u32 = 0x5678;

/// The custom message as a downstream crate defines it (scenario E).
#[derive(ancillary::ControlMessage, Clone, Copy, Debug, PartialEq, Eq)]
#[cmsg(level = CUSTOM_LEVEL, type = CUSTOM_TYPE)]
#[repr(C)]
pub struct Custom {
    pub a: u32,
    pub b: u32,
}

/// What every implementation shares: a connected socketpair, descriptors to send (open
/// for the whole process), and the bytes that scenarios D, D2 and E parse.
pub struct Fixture {
    pub tx: UnixStream,
    pub rx: UnixStream,
    pub send_fds: [BorrowedFd<'static>; 4],
    /// `SCM_CREDENTIALS` and `SCM_RIGHTS` (2 fds) as the kernel delivered them.
    pub two: Aligned,
    pub two_len: usize,
    /// `two`, followed by the custom message.
    pub three: Aligned,
    pub three_len: usize,
    /// The sum of the fields of `two` (D2) and of `three` (D).
    pub two_sum: u64,
    pub three_sum: u64,
    /// The part of `two_sum` that is descriptor numbers.
    pub two_fds_sum: u64,
}

/// Control-message bytes at `cmsghdr` alignment.
#[derive(Clone, Copy)]
#[repr(C, align(8))]
pub struct Aligned(pub [u8; 128]);

impl Aligned {
    pub const fn new() -> Aligned {
        Aligned([0; 128])
    }
}

/// Stack storage for our `with_storage` variants, exactly `N` bytes at `cmsghdr` alignment
/// (a downstream crate can also just add 7 spare bytes, as the crate's docs show).
#[repr(C, align(8))]
pub struct Storage<const N: usize>(pub [MaybeUninit<u8>; N]);

impl<const N: usize> Storage<N> {
    pub const fn new() -> Self {
        Storage([MaybeUninit::uninit(); N])
    }
}

fn socketpair() -> (UnixStream, UnixStream) {
    UnixStream::pair().expect("socketpair")
}

fn leak_fd(fd: OwnedFd) -> BorrowedFd<'static> {
    let fd: &'static OwnedFd = Box::leak(Box::new(fd));
    fd.as_fd()
}

/// Sums what the scenarios sum: every descriptor number, pid, uid, gid, and the custom
/// payload. Written against raw bytes, to check each implementation's answer.
fn checksum(bytes: &[u8]) -> u64 {
    let mut sum = 0u64;
    for m in ControlMessages::from_bytes(bytes) {
        sum += sum_message(m.cmsg_level(), m.cmsg_type(), m.data());
    }
    sum
}

/// The fields of one message, summed (ours, used by the ours variants and the checks).
#[inline(always)]
fn sum_message(level: c_int, ty: c_int, data: &[u8]) -> u64 {
    let mut sum = 0u64;
    match (level, ty) {
        (libc::SOL_SOCKET, libc::SCM_RIGHTS) => {
            for fd in data.chunks_exact(4) {
                sum += i32::from_ne_bytes(fd.try_into().unwrap()) as u64;
            }
        }
        (libc::SOL_SOCKET, libc::SCM_CREDENTIALS) => {
            if let Some(cred) = data.get(..12) {
                let pid = i32::from_ne_bytes(cred[0..4].try_into().unwrap());
                let uid = u32::from_ne_bytes(cred[4..8].try_into().unwrap());
                let gid = u32::from_ne_bytes(cred[8..12].try_into().unwrap());
                sum += pid as u64 + u64::from(uid) + u64::from(gid);
            }
        }
        (CUSTOM_LEVEL, CUSTOM_TYPE) => {
            if let Some(p) = data.get(..8) {
                let a = u32::from_ne_bytes(p[0..4].try_into().unwrap());
                let b = u32::from_ne_bytes(p[4..8].try_into().unwrap());
                sum += u64::from(a) + u64::from(b);
            }
        }
        _ => {}
    }
    sum
}

impl Fixture {
    /// A fresh socketpair and parse buffers; leaks a few descriptors, once per
    /// implementation, which a benchmark process can afford.
    pub fn new() -> &'static Fixture {
        let (tx, rx) = socketpair();
        let send_fds = std::array::from_fn(|_| {
            let (a, _b) = socketpair();
            leak_fd(a.into())
        });

        // Receive SCM_RIGHTS + SCM_CREDENTIALS once, from the kernel, with raw libc.
        let (s, r) = socketpair();
        ancillary::os::linux::SocketOptionsExt::set_passcred(&r, true).expect("SO_PASSCRED");
        let mut out = ancillary::AncillaryData::new();
        out.add_file_descriptors(&send_fds[..2]);
        MessageSender::new(&s, b"d")
            .ancillary_data(&mut out)
            .send()
            .expect("send for the parse buffer");
        let mut two = Aligned::new();
        let mut byte = [0u8; 1];
        let mut iov = libc::iovec {
            iov_base: byte.as_mut_ptr().cast(),
            iov_len: 1,
        };
        // SAFETY: msghdr is plain pointers and integers; all zeroes is valid.
        let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
        msg.msg_iov = &raw mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = two.0.as_mut_ptr().cast();
        msg.msg_controllen = two.0.len() as _;
        // SAFETY: every pointer in `msg` points to live, writable memory of the stated
        // length for the duration of the call.
        let n = unsafe { libc::recvmsg(r.as_raw_fd(), &raw mut msg, libc::MSG_CMSG_CLOEXEC) };
        assert_eq!(n, 1, "recvmsg for the parse buffer");
        assert_eq!(msg.msg_flags & libc::MSG_CTRUNC, 0);
        let two_len = msg.msg_controllen as usize;
        // The two received descriptors are never closed: the parse scenarios read their
        // numbers over and over.
        let kinds: Vec<_> = ControlMessages::from_bytes(&two.0[..two_len])
            .iter()
            .map(|m| m.cmsg_type())
            .collect();
        assert_eq!(kinds.len(), 2, "SCM_CREDENTIALS and SCM_RIGHTS");

        let mut custom = [0u8; 8];
        custom[..4].copy_from_slice(&CUSTOM_A.to_ne_bytes());
        custom[4..].copy_from_slice(&CUSTOM_B.to_ne_bytes());
        let mut buf = ancillary::ControlMessagesBuf::new();
        for m in ControlMessages::from_bytes(&two.0[..two_len]) {
            buf.push(&m);
        }
        buf.push(&ControlMessage::new(CUSTOM_LEVEL, CUSTOM_TYPE, &custom));
        assert_eq!(&buf.as_bytes()[..two_len], &two.0[..two_len]);
        let mut three = Aligned::new();
        three.0[..buf.len()].copy_from_slice(buf.as_bytes());
        let three_len = buf.len();

        Box::leak(Box::new(Fixture {
            tx,
            rx,
            send_fds,
            two_sum: checksum(&two.0[..two_len]),
            two_fds_sum: ControlMessages::from_bytes(&two.0[..two_len])
                .iter()
                .filter(|m| m.cmsg_type() == libc::SCM_RIGHTS)
                .map(|m| sum_message(m.cmsg_level(), m.cmsg_type(), m.data()))
                .sum(),
            three_sum: checksum(&three.0[..three_len]),
            two,
            two_len,
            three,
            three_len,
        }))
    }

    pub fn two(&self) -> &[u8] {
        &self.two.0[..self.two_len]
    }

    pub fn three(&self) -> &[u8] {
        &self.three.0[..self.three_len]
    }

    /// The sum scenario A or B expects: every sent descriptor is received as a new
    /// number, so only the count is checked.
    pub fn sum_fds(&self, n: usize) -> u64 {
        n as u64
    }
}

/// One implementation of the scenarios. Each method performs one operation and returns a
/// value derived from its result (checked by [`check`], and kept alive with `black_box`).
pub trait Impl: Sized {
    const NAME: &'static str;
    fn new(fixture: &'static Fixture) -> Self;
    /// Whether this implementation can express the scenario at all.
    fn supports(scenario: Scenario) -> bool {
        let _ = scenario;
        true
    }
    /// A (`N` = 1) and B (`N` = 4): returns the number of descriptors received and closed.
    fn pass_fds<const N: usize>(&mut self) -> u64;
    /// C: returns the number of bytes received.
    fn data64(&mut self) -> u64;
    /// D (`custom`) and D2: returns the sum of the fields.
    fn parse(&mut self, custom: bool) -> u64;
    /// E: returns the sum of the custom message's fields. Only called where `supports`
    /// says the implementation can express E.
    fn find_custom(&mut self) -> u64 {
        unreachable!(
            "{} cannot express scenario E (supports() says so)",
            Self::NAME
        )
    }
    /// The answer one operation of `scenario` must give.
    fn expected(&self, fixture: &Fixture, scenario: Scenario) -> u64 {
        expected(fixture, scenario)
    }
}

/// One operation of `scenario`.
#[inline(always)]
pub fn op<I: Impl>(imp: &mut I, scenario: Scenario) -> u64 {
    match scenario {
        Scenario::A => imp.pass_fds::<1>(),
        Scenario::B => imp.pass_fds::<4>(),
        Scenario::C => imp.data64(),
        Scenario::D => imp.parse(true),
        Scenario::D2 => imp.parse(false),
        Scenario::E => imp.find_custom(),
    }
}

/// `n` operations of `scenario`, the loop monomorphised per scenario so that the only
/// per-iteration overhead is the loop itself.
#[inline(never)]
pub fn run<I: Impl>(imp: &mut I, scenario: Scenario, n: u64) -> u64 {
    let mut acc = 0u64;
    macro_rules! each {
        ($e:expr) => {
            for _ in 0..n {
                acc = acc.wrapping_add(black_box($e));
            }
        };
    }
    match scenario {
        Scenario::A => each!(imp.pass_fds::<1>()),
        Scenario::B => each!(imp.pass_fds::<4>()),
        Scenario::C => each!(imp.data64()),
        Scenario::D => each!(imp.parse(true)),
        Scenario::D2 => each!(imp.parse(false)),
        Scenario::E => each!(imp.find_custom()),
    }
    acc
}

/// The answer one operation of `scenario` must give.
pub fn expected(fixture: &Fixture, scenario: Scenario) -> u64 {
    match scenario {
        Scenario::A => 1,
        Scenario::B => 4,
        Scenario::C => 64,
        Scenario::D => fixture.three_sum,
        Scenario::D2 => fixture.two_sum,
        Scenario::E => u64::from(CUSTOM_A) + u64::from(CUSTOM_B),
    }
}

/// [`expected`], but for D2 the sum of a buffer the implementation received itself (its
/// descriptor numbers differ from the fixture's; the credentials are the same).
pub fn expected_own_d2(fixture: &Fixture, scenario: Scenario, d2: u64) -> u64 {
    match scenario {
        Scenario::D2 => d2,
        _ => expected(fixture, scenario),
    }
}

/// What a library that parses only what its own receive filled can express: not D and E,
/// as the kernel delivers no custom message on a Unix socket (nix, std).
pub fn parses_own_receives(scenario: Scenario) -> bool {
    !matches!(scenario, Scenario::D | Scenario::E)
}

/// Runs one operation and checks its answer.
pub fn check<I: Impl>(imp: &mut I, fixture: &Fixture, scenario: Scenario) {
    let got = op(imp, scenario);
    assert_eq!(
        got,
        imp.expected(fixture, scenario),
        "{} scenario {}",
        I::NAME,
        scenario.name()
    );
}

const DATA64: [u8; 64] = [0x5A; 64];

// ----- dispatch -----------------------------------------------------------------------

/// Something done once per implementation, generic so that every loop is monomorphic.
pub trait Visit {
    fn visit<I: Impl>(&mut self);
}

/// Visits every implementation, in table order.
pub fn for_each_impl(visitor: &mut impl Visit) {
    visitor.visit::<OursHeap>();
    visitor.visit::<OursStack>();
    visitor.visit::<Libc>();
    visitor.visit::<Nix>();
    visitor.visit::<Rustix>();
    #[cfg(all(feature = "std-unstable", nightly))]
    visitor.visit::<std_unstable::StdUnstable>();
    // The downstream harness.
    visitor.visit::<downstream::DsLibc>();
    visitor.visit::<downstream::DsRustix>();
    visitor.visit::<downstream::DsNix>();
    visitor.visit::<downstream::DsOursStack>();
    visitor.visit::<downstream::DsOursPerCall>();
    visitor.visit::<downstream::DsOursReused>();
}
