//! Names the crate's platform conditions, once, as cfg aliases:
//!
//! * `linux_like` (Linux or Android), `apple` (macOS or iOS), `bsd_like` (FreeBSD or
//!   Apple) and `supported_os` (any of those, the targets the crate builds for);
//! * `io_uring_target`: the `io-uring` feature is on, the OS is Linux-like and the
//!   architecture one of `io_uring_target.rs`'s list (the one list, shared with the build
//!   scripts of the tests, examples and fuzz crates);
//! * `padded_timespec`, set where `libc`'s `timespec` has a padding field, so that it
//!   cannot be a `PayloadField` and the time messages (`os::linux::timestamp`) are left
//!   out. That is a 32-bit target with a 64-bit `time_t` next to a 32-bit `long`: musl
//!   (always), and glibc when `libc` is asked for a 64-bit `time_t`
//!   (`--cfg libc_unstable_gnu_time_bits="64"`, its older
//!   `RUST_LIBC_UNSTABLE_GNU_TIME_BITS=64`, or `--cfg libc_unstable_time64`), as `libc`'s
//!   own build script decides it.

use std::env;

include!("io_uring_target.rs");

/// Declares the cfg `name`, and sets it if `on`.
fn alias(name: &str, on: bool) {
    println!("cargo::rustc-check-cfg=cfg({name})");
    if on {
        println!("cargo::rustc-cfg={name}");
    }
}

fn main() {
    println!("cargo::rerun-if-env-changed=RUST_LIBC_UNSTABLE_GNU_TIME_BITS");
    let cfg = |name: &str| env::var(format!("CARGO_CFG_{name}")).unwrap_or_default();
    let os = cfg("TARGET_OS");
    let linux_like = matches!(os.as_str(), "linux" | "android");
    let apple = matches!(os.as_str(), "macos" | "ios");
    let bsd_like = os == "freebsd" || apple;
    alias("linux_like", linux_like);
    alias("apple", apple);
    alias("bsd_like", bsd_like);
    alias("supported_os", linux_like || bsd_like);
    // Without the feature, no OS qualifies.
    let io_uring = env::var_os("CARGO_FEATURE_IO_URING").is_some();
    set_io_uring_target_cfg(if io_uring { &["linux", "android"] } else { &[] });

    let bits32 = cfg("TARGET_POINTER_WIDTH") == "32";
    let target_env = cfg("TARGET_ENV");
    let gnu_time64 = env::var("CARGO_CFG_LIBC_UNSTABLE_GNU_TIME_BITS")
        .or_else(|_| env::var("RUST_LIBC_UNSTABLE_GNU_TIME_BITS"))
        .is_ok_and(|bits| bits == "64")
        || env::var_os("CARGO_CFG_LIBC_UNSTABLE_TIME64").is_some();
    // Where glibc's `time_t` is 64 bits already, `libc` adds no padding.
    let gnu_padded = target_env == "gnu"
        && gnu_time64
        && os == "linux"
        && !matches!(cfg("TARGET_ARCH").as_str(), "riscv32" | "x86_64");
    let padded = bits32 && (target_env == "musl" || gnu_padded);
    alias("padded_timespec", padded);
}
