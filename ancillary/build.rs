//! Names one platform condition for the crate: `padded_timespec`, set where `libc`'s
//! `timespec` has a padding field, so that it cannot be a `PayloadField` and the time
//! messages (`os::linux::timestamp`) are left out. That is a 32-bit target with a 64-bit
//! `time_t` next to a 32-bit `long`: musl (always), and glibc when `libc` is asked for a
//! 64-bit `time_t` (`--cfg libc_unstable_gnu_time_bits="64"`, its older
//! `RUST_LIBC_UNSTABLE_GNU_TIME_BITS=64`, or `--cfg libc_unstable_time64`), as `libc`'s own
//! build script decides it.

use std::env;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(padded_timespec)");
    println!("cargo::rerun-if-env-changed=RUST_LIBC_UNSTABLE_GNU_TIME_BITS");
    let cfg = |name: &str| env::var(format!("CARGO_CFG_{name}")).unwrap_or_default();
    let bits32 = cfg("TARGET_POINTER_WIDTH") == "32";
    let target_env = cfg("TARGET_ENV");
    let gnu_time64 = env::var("CARGO_CFG_LIBC_UNSTABLE_GNU_TIME_BITS")
        .or_else(|_| env::var("RUST_LIBC_UNSTABLE_GNU_TIME_BITS"))
        .is_ok_and(|bits| bits == "64")
        || env::var_os("CARGO_CFG_LIBC_UNSTABLE_TIME64").is_some();
    // Where glibc's `time_t` is 64 bits already, `libc` adds no padding.
    let gnu_padded = target_env == "gnu"
        && gnu_time64
        && cfg("TARGET_OS") == "linux"
        && !matches!(cfg("TARGET_ARCH").as_str(), "riscv32" | "x86_64");
    if bits32 && (target_env == "musl" || gnu_padded) {
        println!("cargo::rustc-cfg=padded_timespec");
    }
}
