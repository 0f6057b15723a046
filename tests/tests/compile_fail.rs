//! Compile-fail tests of `#[derive(ControlMessage)]`: one mistake per file in `ui/`, named
//! after it, each with the exact error a user sees pinned in its `.stderr`.
//!
//! The snapshots are pinned to the toolchain CI uses (stable 1.95); regenerate them with
//! `TRYBUILD=overwrite cargo test -p tests --test compile_fail` after a toolchain bump and
//! read every diff.

#[cfg_attr(miri, ignore)]
#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
