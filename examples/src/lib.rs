//! Examples live in `examples/`; run one with `cargo run -p examples --example <name>`.

/// The README's example, compiled and run by `cargo test --workspace` so that it cannot go
/// stale.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
