// The one list of the architectures where io_uring code is built, included (`include!`)
// by the build scripts of `ancillary` and of the tests, examples and fuzz crates, each of
// which sets the `io_uring_target` cfg from it. (A manifest cannot read a custom cfg: the
// `Cargo.toml`s that depend on `io-uring` repeat the list and point here.)

/// The architectures whose kernel ABI the `io-uring` crate ships, where `ancillary`'s
/// `io-uring` feature builds.
const IO_URING_ARCHS: [&str; 5] = ["x86_64", "aarch64", "riscv64", "loongarch64", "powerpc64"];

/// Declares the `io_uring_target` cfg, and sets it when the target OS is one of `oses` and
/// its architecture one of [`IO_URING_ARCHS`].
fn set_io_uring_target_cfg(oses: &[&str]) {
    println!("cargo::rustc-check-cfg=cfg(io_uring_target)");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    if oses.contains(&os.as_str()) && IO_URING_ARCHS.contains(&arch.as_str()) {
        println!("cargo::rustc-cfg=io_uring_target");
    }
}
