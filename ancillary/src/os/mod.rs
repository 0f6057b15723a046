//! Per-platform extensions: flags and control messages that exist on one operating
//! system (`linux`, `freebsd`, `macos`). Only public items live here; the constants the
//! core of the crate needs from each platform are in the private `platform` module.

#[cfg(linux_like)]
#[cfg_attr(docsrs, doc(cfg(any(target_os = "linux", target_os = "android"))))]
pub mod linux;

#[cfg(target_os = "freebsd")]
#[cfg_attr(docsrs, doc(cfg(target_os = "freebsd")))]
pub mod freebsd;

#[cfg(apple)]
#[cfg_attr(docsrs, doc(cfg(any(target_os = "macos", target_os = "ios"))))]
// What the shared BSD modules leave out on FreeBSD is there on every Apple target.
#[cfg_attr(docsrs, doc(auto_cfg(hide(target_os = "freebsd"))))]
pub mod macos;

// Shared by the platform modules above, which re-export what is public. (`os` is built
// on the supported targets only; elsewhere the crate fails with its one error.) In the
// docs, their items, and their trait impls on the traits' pages, are on the platform of
// the build, whose module re-exports them, as the items of `linux`.
#[cfg(bsd_like)]
#[cfg_attr(all(docsrs, target_os = "freebsd"), doc(cfg(target_os = "freebsd")))]
#[cfg_attr(
    all(docsrs, apple),
    doc(cfg(any(target_os = "macos", target_os = "ios")))
)]
mod bsd_creds;
#[cfg(bsd_like)]
#[cfg_attr(all(docsrs, target_os = "freebsd"), doc(cfg(target_os = "freebsd")))]
#[cfg_attr(
    all(docsrs, apple),
    doc(cfg(any(target_os = "macos", target_os = "ios")))
)]
mod bsd_inet;
#[cfg(bsd_like)]
#[cfg_attr(all(docsrs, target_os = "freebsd"), doc(cfg(target_os = "freebsd")))]
#[cfg_attr(
    all(docsrs, apple),
    doc(cfg(any(target_os = "macos", target_os = "ios")))
)]
mod bsd_sockopt;
mod ecn;
mod inet;
mod ipv6;
mod sockopt;

/// Seals the platform extension traits: they are implemented for this crate's option
/// types only, so that methods can be added to them without breaking anyone.
mod sealed {
    pub trait Sealed {}
    impl Sealed for crate::SendOptions {}
    impl Sealed for crate::RecvOptions {}
    impl Sealed for crate::RecvResult {}
}
#[allow(
    unused_imports,
    reason = "not every platform has extension traits for every type"
)]
pub(crate) use sealed::Sealed;
