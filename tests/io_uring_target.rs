// Included by the build scripts of the tests, examples and fuzz crates (`include!`), so
// that the one condition for io_uring code is written once for them.

/// The architectures whose kernel ABI the `io-uring` crate ships, where `ancillary`'s
/// `io-uring` feature builds (the list in the `Cargo.toml`s that depend on `io-uring`).
const IO_URING_ARCHS: [&str; 5] = ["x86_64", "aarch64", "riscv64", "loongarch64", "powerpc64"];

/// Sets the `io_uring_target` cfg when building for Linux on one of those.
fn set_io_uring_target_cfg() {
    println!("cargo::rustc-check-cfg=cfg(io_uring_target)");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    if os == "linux" && IO_URING_ARCHS.contains(&arch.as_str()) {
        println!("cargo::rustc-cfg=io_uring_target");
    }
}
