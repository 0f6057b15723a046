//! Compile-fail tests of `#[derive(ControlMessage)]`: one mistake per file in `ui/`, named
//! after it, each with the exact error a user sees pinned in its `.stderr`.
//!
//! The snapshots are pinned to the toolchain CI uses (stable 1.95); regenerate them with
//! `TRYBUILD=overwrite cargo test -p tests --test compile_fail` after a toolchain bump and
//! read every diff.

#[cfg_attr(miri, ignore)]
#[test]
fn ui() {
    // Set by CI's qemu runs: the snapshots are compiler output for the host, the same
    // whatever `--target` says, and the native run already checked them.
    if std::env::var_os("ANCILLARY_SKIP_TRYBUILD").is_some_and(|v| v == "1") {
        println!("skipped: trybuild compares host compiler output; not a per-target test");
        return;
    }
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
