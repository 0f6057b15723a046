//! Linux extensions: flags and control messages.
//!
//! * Flags: [`SendOptionsExt`], [`RecvOptionsExt`], [`RecvResultExt`] (the RFC's, plus the
//!   error queue).
//! * Messages: [`ScmCredentials`] (`SCM_CREDENTIALS`), [`ScmSecurity`] (`SCM_SECURITY`),
//!   [`IpRecvErr`]/[`Ipv6RecvErr`] (`IP_RECVERR`/`IPV6_RECVERR`), [`UdpSegment`] and
//!   [`UdpGro`] (UDP GSO/GRO), and the pidfd of `SCM_PIDFD` through
//!   [`AncillaryData::take_pidfd`](crate::AncillaryData::take_pidfd) ([`SO_PASSPIDFD`]).
//! * What a UDP (QUIC) endpoint needs per datagram: ECN ([`IpTos`], [`IpTosSend`],
//!   [`Ipv6Tclass`], [`Ecn`]), addresses ([`InPktinfo`], [`In6Pktinfo`],
//!   [`IpOrigDstAddr`], [`Ipv6OrigDstAddr`]), [`IpTtl`], [`Ipv6HopLimit`], time
//!   ([`TimestampNs`], [`Timestamping`], and `TxTime` on Linux but not Android; none of
//!   them on 32-bit musl, nor with `libc`'s 64-bit `time_t` on 32-bit glibc, where
//!   `libc::timespec` has padding) and drops ([`RxqOvfl`]); the ECN and source-address
//!   messages a destination needs, IPv4-mapped ones included, chosen by
//!   [`DestinationExt`].
//! * Socket options that turn them on, without `unsafe`: [`SocketOptionsExt`]; every
//!   option as a type, and the ones a QUIC stack sets up its path with, in [`sockopt`].
//! * Batching: `sendmmsg`/`recvmmsg` with per-message ancillary data ([`send_mmsg`],
//!   [`recv_mmsg`]), and a receive batch made once per socket ([`RecvBatch`],
//!   [`recv_batch`]).
//!
//! # Android
//!
//! The module is compiled for Android too, where bionic and the kernel ABI are the same as
//! Linux's for everything here; but this project's CI neither builds nor tests Android, and
//! nothing Android-specific (such as its SELinux labels) has been tested.

mod options;
pub use self::options::*;

/// Declares its items where the value of [`SO_PASSPIDFD`] is known: not on SPARC and MIPS.
macro_rules! with_passpidfd {
    ($($item:item)*) => {$(
        #[cfg(not(any(
            target_arch = "sparc",
            target_arch = "sparc64",
            target_arch = "mips",
            target_arch = "mips64",
            target_arch = "mips32r6",
            target_arch = "mips64r6",
        )))]
        $item
    )*};
}

with_passpidfd! {
/// `SO_PASSPIDFD` (Linux 6.5+): with this socket option set on a Unix socket, every
/// received message carries an `SCM_PIDFD` control message holding a pidfd of the sender,
/// which the receiving [`AncillaryData`](crate::AncillaryData) owns; take it with
/// [`AncillaryData::take_pidfd`](crate::AncillaryData::take_pidfd). `libc` does not export
/// the constant yet; this is the value of the generic kernel ABI (`asm-generic/socket.h`).
/// SPARC and MIPS number their socket options differently, and the value there is
/// unverified, so the constant is not defined on them.
pub const SO_PASSPIDFD: core::ffi::c_int = 76;
}

/// `SCM_PIDFD`: the `cmsg_type` (at level `SOL_SOCKET`) of the message that carries a pidfd.
pub const SCM_PIDFD: core::ffi::c_int = crate::platform::SCM_PIDFD;

mod credentials;
mod security;
pub use self::credentials::ScmCredentials;
pub use self::security::{ScmSecurity, SCM_SECURITY};

mod mmsg;
pub use self::mmsg::{recv_mmsg, send_mmsg, send_mmsg_to, RecvMmsg, SendMmsg, MMSG_BATCH_MAX};

mod batch;
pub use self::batch::{recv_batch, RecvBatch, RecvBatchMessage};

mod errqueue;
pub use self::errqueue::{ExtendedErrorKind, IpRecvErr, Ipv6RecvErr, ERR_QUEUE_SPACE};

mod udp;
pub use self::udp::{UdpGro, UdpSegment};

pub use super::ecn::Ecn;

pub mod sockopt;
pub use self::sockopt::SocketOptionsExt;

mod ip;
pub use self::ip::{InPktinfo, IpOrigDstAddr, IpTos, IpTosSend, IpTtl};

mod ipv6;
pub use self::ipv6::Ipv6OrigDstAddr;

mod destination;
pub use self::destination::DestinationExt;
pub use super::ipv6::{In6Pktinfo, Ipv6HopLimit, Ipv6Tclass};

#[cfg(not(padded_timespec))]
mod timestamp;
#[cfg(all(target_os = "linux", not(padded_timespec)))]
#[cfg_attr(docsrs, doc(cfg(target_os = "linux")))]
pub use self::timestamp::TxTime;
#[cfg(not(padded_timespec))]
pub use self::timestamp::{TimestampNs, Timestamping};

mod rxq;
pub use self::rxq::RxqOvfl;
