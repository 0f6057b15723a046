//! Sets two `cfg`s for the tests and benchmarks:
//!
//! * `io_uring_target`: the target is one where `ancillary`'s `io-uring` feature builds
//!   (Linux on the architectures of `ancillary/io_uring_target.rs`, the one list), so
//!   that the io_uring tests name the condition once;
//! * `nightly`: the compiler is a nightly, so that the `std-unstable` feature (std's
//!   unstable `unix_socket_ancillary_data` in the issue-6 benchmarks) turns itself off,
//!   with a warning, on a stable toolchain instead of failing the build.

use std::process::Command;

include!("../ancillary/io_uring_target.rs");

fn main() {
    set_io_uring_target_cfg(&["linux"]);

    println!("cargo::rustc-check-cfg=cfg(nightly)");
    println!("cargo::rerun-if-env-changed=RUSTC");
    if std::env::var_os("CARGO_FEATURE_STD_UNSTABLE").is_none() {
        return;
    }
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let version = Command::new(rustc)
        .arg("-vV")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
        .unwrap_or_default();
    if version.contains("-nightly") || version.contains("-dev") {
        println!("cargo::rustc-cfg=nightly");
    } else {
        println!(
            "cargo::warning=feature std-unstable needs a nightly toolchain \
             (cargo +nightly ...); the std benchmarks are left out"
        );
    }
}
