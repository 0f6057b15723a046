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

#[cfg(all(feature = "std-unstable", nightly))]
mod std_unstable;

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
        let one: c_int = 1;
        // SAFETY: SO_PASSCRED takes a c_int option value, passed by pointer and length.
        let rc = unsafe {
            libc::setsockopt(
                r.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_PASSCRED,
                (&raw const one).cast(),
                size_of::<c_int>() as libc::socklen_t,
            )
        };
        assert_eq!(rc, 0, "SO_PASSCRED");
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

// ----- ours, heap storage -------------------------------------------------------------

/// Ours with heap storage (`AncillaryData::with_capacity`), made once and reused.
pub struct OursHeap {
    fx: &'static Fixture,
    send: AncillaryData<'static>,
    recv: AncillaryData<'static>,
    none: AncillaryData<'static>,
    buf2: ancillary::ControlMessagesBuf<'static>,
    buf3: ancillary::ControlMessagesBuf<'static>,
}

impl Impl for OursHeap {
    const NAME: &'static str = "ours-heap";

    fn new(fx: &'static Fixture) -> Self {
        let mut buf2 = ancillary::ControlMessagesBuf::with_capacity(fx.two_len);
        for m in ControlMessages::from_bytes(fx.two()) {
            buf2.push(&m);
        }
        let mut buf3 = ancillary::ControlMessagesBuf::with_capacity(fx.three_len);
        for m in ControlMessages::from_bytes(fx.three()) {
            buf3.push(&m);
        }
        OursHeap {
            fx,
            send: AncillaryData::with_capacity(AncillaryData::space_for_fds(4)),
            recv: AncillaryData::with_capacity(AncillaryData::space_for_fds(4)),
            none: AncillaryData::new(),
            buf2,
            buf3,
        }
    }

    #[inline(always)]
    fn pass_fds<const N: usize>(&mut self) -> u64 {
        self.send.clear();
        self.send.add_file_descriptors(&self.fx.send_fds[..N]);
        MessageSender::new(&self.fx.tx, b"x")
            .ancillary_data(&mut self.send)
            .send()
            .expect("send");
        let mut byte = [0u8; 1];
        MessageReceiver::new(&self.fx.rx, &mut byte)
            .ancillary_data(&mut self.recv)
            .recv()
            .expect("recv");
        let mut n = 0;
        for fd in self.recv.drain_fds() {
            drop(fd);
            n += 1;
        }
        n
    }

    #[inline(always)]
    fn data64(&mut self) -> u64 {
        MessageSender::new(&self.fx.tx, &DATA64)
            .ancillary_data(&mut self.none)
            .send()
            .expect("send");
        let mut buf = [0u8; 64];
        let (n, _) = MessageReceiver::new(&self.fx.rx, &mut buf)
            .ancillary_data(&mut self.none)
            .recv()
            .expect("recv");
        n as u64
    }

    #[inline(always)]
    fn parse(&mut self, custom: bool) -> u64 {
        let buf = if custom { &self.buf3 } else { &self.buf2 };
        let mut sum = 0;
        for m in black_box(buf).iter() {
            sum += sum_message(m.cmsg_level(), m.cmsg_type(), m.data());
        }
        sum
    }

    #[inline(always)]
    fn find_custom(&mut self) -> u64 {
        let custom = black_box(&self.buf3)
            .find::<Custom>()
            .expect("a custom message")
            .expect("well-formed");
        u64::from(custom.a) + u64::from(custom.b)
    }
}

// ----- ours, caller (stack) storage ---------------------------------------------------

/// Ours with caller storage (`AncillaryData::with_storage` over a stack array), made
/// afresh for every operation.
pub struct OursStack {
    fx: &'static Fixture,
    two: Aligned,
    three: Aligned,
}

impl Impl for OursStack {
    const NAME: &'static str = "ours-stack";

    fn new(fx: &'static Fixture) -> Self {
        OursStack {
            fx,
            two: fx.two,
            three: fx.three,
        }
    }

    #[inline(always)]
    fn pass_fds<const N: usize>(&mut self) -> u64 {
        let fds = &self.fx.send_fds[..N];
        let mut send_storage = Storage::<{ AncillaryData::space_for_fds(4) }>::new();
        let mut send = AncillaryData::with_storage(&mut send_storage.0);
        send.add_file_descriptors(fds);
        MessageSender::new(&self.fx.tx, b"x")
            .ancillary_data(&mut send)
            .send()
            .expect("send");
        drop(send);
        let mut recv_storage = Storage::<{ AncillaryData::space_for_fds(4) }>::new();
        let mut recv = AncillaryData::with_storage(&mut recv_storage.0);
        let mut byte = [0u8; 1];
        MessageReceiver::new(&self.fx.rx, &mut byte)
            .ancillary_data(&mut recv)
            .recv()
            .expect("recv");
        let mut n = 0;
        for fd in recv.drain_fds() {
            drop(fd);
            n += 1;
        }
        n
    }

    #[inline(always)]
    fn data64(&mut self) -> u64 {
        MessageSender::new(&self.fx.tx, &DATA64)
            .send()
            .expect("send");
        let mut buf = [0u8; 64];
        let (n, _) = MessageReceiver::new(&self.fx.rx, &mut buf)
            .recv()
            .expect("recv");
        n as u64
    }

    #[inline(always)]
    fn parse(&mut self, custom: bool) -> u64 {
        let bytes = if custom {
            &self.three.0[..self.fx.three_len]
        } else {
            &self.two.0[..self.fx.two_len]
        };
        let mut sum = 0;
        for m in ControlMessages::from_bytes(black_box(bytes)) {
            sum += sum_message(m.cmsg_level(), m.cmsg_type(), m.data());
        }
        sum
    }

    #[inline(always)]
    fn find_custom(&mut self) -> u64 {
        let bytes = &self.three.0[..self.fx.three_len];
        let custom = ControlMessages::from_bytes(black_box(bytes))
            .find::<Custom>()
            .expect("a custom message")
            .expect("well-formed");
        u64::from(custom.a) + u64::from(custom.b)
    }
}

// ----- raw libc -----------------------------------------------------------------------

/// Raw `libc`: `msghdr`s filled by hand, `CMSG_FIRSTHDR`/`CMSG_NXTHDR`/`CMSG_DATA`.
pub struct Libc {
    fx: &'static Fixture,
    two: Aligned,
    three: Aligned,
}

/// A zeroed `msghdr` over one `iovec` and a control buffer.
#[inline(always)]
fn libc_msghdr(iov: &mut libc::iovec, control: *mut u8, control_len: usize) -> libc::msghdr {
    // SAFETY: msghdr is plain pointers and integers; all zeroes is valid.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.cast();
    msg.msg_controllen = control_len as _;
    msg
}

/// Sums the fields of the messages of `msg` (its control buffer must hold well-formed
/// messages), walking them with the C macros.
#[inline(always)]
fn libc_sum(msg: &libc::msghdr) -> u64 {
    let mut sum = 0u64;
    // SAFETY: `msg` describes a live, aligned control buffer; CMSG_FIRSTHDR/CMSG_NXTHDR
    // only return headers that lie within it, and each payload read stays within the
    // header's `cmsg_len`, which the kernel (or the fixture) wrote.
    unsafe {
        let mut c = libc::CMSG_FIRSTHDR(msg);
        while !c.is_null() {
            let data = libc::CMSG_DATA(c);
            let payload = (*c).cmsg_len as usize - libc::CMSG_LEN(0) as usize;
            match ((*c).cmsg_level, (*c).cmsg_type) {
                (libc::SOL_SOCKET, libc::SCM_RIGHTS) => {
                    for i in 0..payload / size_of::<c_int>() {
                        let fd = data.cast::<c_int>().add(i).read_unaligned();
                        sum += fd as u64;
                    }
                }
                (libc::SOL_SOCKET, libc::SCM_CREDENTIALS) if payload >= 12 => {
                    let cred = data.cast::<libc::ucred>().read_unaligned();
                    sum += cred.pid as u64 + u64::from(cred.uid) + u64::from(cred.gid);
                }
                (CUSTOM_LEVEL, CUSTOM_TYPE) if payload >= 8 => {
                    let a = data.cast::<u32>().read_unaligned();
                    let b = data.cast::<u32>().add(1).read_unaligned();
                    sum += u64::from(a) + u64::from(b);
                }
                _ => {}
            }
            c = libc::CMSG_NXTHDR(msg, c);
        }
    }
    sum
}

impl Impl for Libc {
    const NAME: &'static str = "libc";

    fn new(fx: &'static Fixture) -> Self {
        Libc {
            fx,
            two: fx.two,
            three: fx.three,
        }
    }

    #[inline(always)]
    fn pass_fds<const N: usize>(&mut self) -> u64 {
        let mut cbuf = [0u64; 4];
        let mut iov = libc::iovec {
            iov_base: b"x".as_ptr().cast_mut().cast(),
            iov_len: 1,
        };
        // SAFETY: CMSG_SPACE/CMSG_LEN are arithmetic.
        let (space, len) = unsafe {
            (
                libc::CMSG_SPACE((N * size_of::<c_int>()) as u32) as usize,
                libc::CMSG_LEN((N * size_of::<c_int>()) as u32) as usize,
            )
        };
        let msg = libc_msghdr(&mut iov, cbuf.as_mut_ptr().cast(), space);
        // SAFETY: `cbuf` is aligned and holds `space` (at most 32) bytes, so the first
        // header and its `N` descriptors fit; `msg` points to live buffers for `sendmsg`,
        // which only reads them.
        let sent = unsafe {
            let c = libc::CMSG_FIRSTHDR(&msg);
            (*c).cmsg_level = libc::SOL_SOCKET;
            (*c).cmsg_type = libc::SCM_RIGHTS;
            (*c).cmsg_len = len as _;
            let data = libc::CMSG_DATA(c).cast::<c_int>();
            for (i, fd) in self.fx.send_fds[..N].iter().enumerate() {
                data.add(i).write_unaligned(fd.as_raw_fd());
            }
            libc::sendmsg(self.fx.tx.as_raw_fd(), &msg, 0)
        };
        assert_eq!(sent, 1, "sendmsg");

        let mut rbuf = [0u64; 4];
        let mut byte = [0u8; 1];
        let mut iov = libc::iovec {
            iov_base: byte.as_mut_ptr().cast(),
            iov_len: 1,
        };
        let mut msg = libc_msghdr(&mut iov, rbuf.as_mut_ptr().cast(), size_of_val(&rbuf));
        // SAFETY: `msg` points to live, writable buffers of the stated lengths.
        let received =
            unsafe { libc::recvmsg(self.fx.rx.as_raw_fd(), &mut msg, libc::MSG_CMSG_CLOEXEC) };
        assert_eq!(received, 1, "recvmsg");
        let mut n = 0;
        // SAFETY: the kernel wrote `msg_controllen` bytes of well-formed messages; every
        // SCM_RIGHTS descriptor is new and ours to close.
        unsafe {
            let mut c = libc::CMSG_FIRSTHDR(&msg);
            while !c.is_null() {
                if (*c).cmsg_level == libc::SOL_SOCKET && (*c).cmsg_type == libc::SCM_RIGHTS {
                    let count =
                        ((*c).cmsg_len as usize - libc::CMSG_LEN(0) as usize) / size_of::<c_int>();
                    let data = libc::CMSG_DATA(c).cast::<c_int>();
                    for i in 0..count {
                        libc::close(data.add(i).read_unaligned());
                        n += 1;
                    }
                }
                c = libc::CMSG_NXTHDR(&msg, c);
            }
        }
        n
    }

    #[inline(always)]
    fn data64(&mut self) -> u64 {
        let mut iov = libc::iovec {
            iov_base: DATA64.as_ptr().cast_mut().cast(),
            iov_len: DATA64.len(),
        };
        let msg = libc_msghdr(&mut iov, std::ptr::null_mut(), 0);
        // SAFETY: `msg` points to a live buffer that `sendmsg` only reads.
        let sent = unsafe { libc::sendmsg(self.fx.tx.as_raw_fd(), &msg, 0) };
        assert_eq!(sent, 64, "sendmsg");
        let mut buf = [0u8; 64];
        let mut iov = libc::iovec {
            iov_base: buf.as_mut_ptr().cast(),
            iov_len: buf.len(),
        };
        let mut msg = libc_msghdr(&mut iov, std::ptr::null_mut(), 0);
        // SAFETY: `msg` points to a live, writable buffer of the stated length.
        let n = unsafe { libc::recvmsg(self.fx.rx.as_raw_fd(), &mut msg, libc::MSG_CMSG_CLOEXEC) };
        assert!(n >= 0, "recvmsg");
        n as u64
    }

    #[inline(always)]
    fn parse(&mut self, custom: bool) -> u64 {
        let (buf, len) = if custom {
            (&mut self.three, self.fx.three_len)
        } else {
            (&mut self.two, self.fx.two_len)
        };
        let mut iov = libc::iovec {
            iov_base: std::ptr::null_mut(),
            iov_len: 0,
        };
        let msg = libc_msghdr(&mut iov, black_box(buf.0.as_mut_ptr()), len);
        libc_sum(&msg)
    }

    #[inline(always)]
    fn find_custom(&mut self) -> u64 {
        let mut iov = libc::iovec {
            iov_base: std::ptr::null_mut(),
            iov_len: 0,
        };
        let msg = libc_msghdr(
            &mut iov,
            black_box(self.three.0.as_mut_ptr()),
            self.fx.three_len,
        );
        // SAFETY: as in `libc_sum`.
        unsafe {
            let mut c = libc::CMSG_FIRSTHDR(&msg);
            while !c.is_null() {
                if (*c).cmsg_level == CUSTOM_LEVEL
                    && (*c).cmsg_type == CUSTOM_TYPE
                    && (*c).cmsg_len as usize == libc::CMSG_LEN(8) as usize
                {
                    let data = libc::CMSG_DATA(c).cast::<u32>();
                    let a = data.read_unaligned();
                    let b = data.add(1).read_unaligned();
                    return u64::from(a) + u64::from(b);
                }
                c = libc::CMSG_NXTHDR(&msg, c);
            }
        }
        0
    }
}

// ----- nix 0.31 -----------------------------------------------------------------------

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

// ----- rustix 1.x ---------------------------------------------------------------------

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
}
