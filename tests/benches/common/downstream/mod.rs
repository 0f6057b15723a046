//! The downstream harness (issue 14): the scenarios as a separate crate calls a library,
//! next to the main harness, whose loops the compiler inlines and specialises.
//!
//! Every operation goes through functions the compiler does not inline
//! (`#[inline(never)]`), the descriptors to send are a slice whose length is known only
//! at run time, and each receive or send builds its buffers the way the README and the
//! guide show, per call: so what is measured is what a user's receive loop gets, whether
//! or not the compiler would have inlined the library into it. Arguments go through
//! `black_box`, so that no call is specialised for the constants of one scenario.
//!
//! Implementations (named `ds-*` in the tables):
//!
//! * `ds-ours-stack`: an `AncillaryStorage` on the stack per call, `drain_fds` to close.
//! * `ds-ours-per-call`: the RFC's style, a fresh `AncillaryData::new()` to send and
//!   `with_capacity(space_for_fds(4))` to receive, per call (inside the value: these
//!   scenarios' control data fits its 64 bytes).
//! * `ds-ours-reused`: `AncillaryData`s made once with `with_capacity`, passed by `&mut`
//!   to the calls.
//! * `ds-libc`, `ds-rustix`, `ds-nix`: the same calls written with each of those, with
//!   their per-call buffers on the stack (nix's on the heap, as its `cmsg_space!` makes).
//!
//! Scenarios A, B, C and D2 (D and E are parse-only variants the main harness covers).

use super::*;

mod nix_crate;
mod ours;
mod raw_libc;
mod rustix_crate;

pub use self::nix_crate::DsNix;
pub use self::ours::{DsOursPerCall, DsOursReused, DsOursStack};
pub use self::raw_libc::DsLibc;
pub use self::rustix_crate::DsRustix;

/// The most descriptors a scenario sends (B); receive buffers have room for this many.
pub const MAX_FDS: usize = 4;

/// The scenarios this harness runs.
pub fn supported(scenario: Scenario) -> bool {
    matches!(
        scenario,
        Scenario::A | Scenario::B | Scenario::C | Scenario::D2
    )
}

/// The calls one implementation provides, each a function the compiler does not inline.
pub trait Calls {
    /// Sends `fds` and one data byte. (`'static`: the fixture's descriptors are open for
    /// the whole process, which lets a reused buffer hold them.)
    fn send_fds(&mut self, tx: &UnixStream, fds: &[BorrowedFd<'static>]);
    /// Receives one data byte and the descriptors sent with it, closes them, and returns
    /// how many there were.
    fn recv_close(&mut self, rx: &UnixStream) -> u64;
    /// Sends `data` with no control data.
    fn send_data(&mut self, tx: &UnixStream, data: &[u8]);
    /// Receives into `buf` with no control data; returns the byte count.
    fn recv_data(&mut self, rx: &UnixStream, buf: &mut [u8]) -> u64;
    /// Sums the fields of the messages in `bytes` (scenario D2's buffer, as the kernel
    /// delivered it; mutable because rustix parses in place).
    fn parse(&mut self, bytes: &mut [u8]) -> u64;
}

/// Adapts a [`Calls`] implementation to the scenarios of the main harness.
pub struct Downstream<C> {
    fx: &'static Fixture,
    calls: C,
    /// The D2 buffer, copied so that it is this implementation's own memory.
    two: Aligned,
}

/// How a [`Calls`] implementation is named and made.
pub trait NewCalls: Calls + Sized {
    const NAME: &'static str;
    fn new() -> Self;
    /// What D2 sums to for this implementation (see [`super::expected_own_d2`]).
    fn d2_expected(fx: &Fixture) -> u64 {
        fx.two_sum
    }
    /// Whether the implementation can express the scenario.
    fn supports(scenario: Scenario) -> bool {
        supported(scenario)
    }
}

impl<C: NewCalls> Impl for Downstream<C> {
    const NAME: &'static str = C::NAME;

    fn new(fx: &'static Fixture) -> Self {
        Downstream {
            fx,
            calls: C::new(),
            two: fx.two,
        }
    }

    fn supports(scenario: Scenario) -> bool {
        C::supports(scenario)
    }

    #[inline(always)]
    fn pass_fds<const N: usize>(&mut self) -> u64 {
        let fds: &[BorrowedFd<'static>] = &self.fx.send_fds[..N];
        self.calls.send_fds(black_box(&self.fx.tx), black_box(fds));
        self.calls.recv_close(black_box(&self.fx.rx))
    }

    #[inline(always)]
    fn data64(&mut self) -> u64 {
        self.calls
            .send_data(black_box(&self.fx.tx), black_box(&DATA64[..]));
        let mut buf = [0u8; 64];
        self.calls
            .recv_data(black_box(&self.fx.rx), black_box(&mut buf[..]))
    }

    #[inline(always)]
    fn parse(&mut self, custom: bool) -> u64 {
        assert!(!custom, "the downstream harness runs D2 only");
        self.calls
            .parse(black_box(&mut self.two.0[..self.fx.two_len]))
    }

    fn expected(&self, fixture: &Fixture, scenario: Scenario) -> u64 {
        expected_own_d2(fixture, scenario, C::d2_expected(fixture))
    }
}
