//! Shared helpers for the integration tests, one module per kind (all re-exported here).
//!
//! Everything here is written against the public API of `ancillary` and plain `libc`, as
//! a downstream crate would use them.

mod alloc;
mod fds;
mod qemu;
mod send_recv;
mod temp;
mod udp;
#[cfg(io_uring_target)]
mod uring;

pub use crate::alloc::{
    allocations_in, heap_bytes_kept_by, other_thread_allocations, with_allocations_refused_from,
    CountingAlloc,
};
pub use crate::fds::*;
pub use crate::qemu::*;
pub use crate::send_recv::*;
pub use crate::temp::{file_with, TempDir};
pub use crate::udp::{udp_bind, udp_bind_v6};
#[cfg(io_uring_target)]
pub use crate::uring::*;

/// The README's Rust examples, compiled and run as doctests, so that the first code a
/// newcomer copies keeps working.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

/// The crate's own README (its crates.io page), compiled and run the same way.
#[cfg(doctest)]
#[doc = include_str!("../../ancillary/README.md")]
pub struct CrateReadmeDoctests;
