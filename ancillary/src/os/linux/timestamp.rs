//! Time messages (level `SOL_SOCKET`): [`TimestampNs`] and [`Timestamping`] on receive,
//! [`TxTime`] on send.
//!
//! Not on 32-bit musl, nor on 32-bit glibc with `libc`'s 64-bit `time_t` option
//! (`libc_unstable_gnu_time_bits = "64"`): `libc::timespec` has padding there (a 64-bit
//! `time_t` next to a 32-bit `long`), so it is no [`PayloadField`](crate::PayloadField).

use core::fmt;
use std::time::{Duration, SystemTime};

use crate::ControlMessage;

/// A `timespec` as a duration; `None` if it is negative or its nanoseconds are out of
/// range (which no kernel sends).
fn duration(ts: &libc::timespec) -> Option<Duration> {
    let secs = u64::try_from(ts.tv_sec).ok()?;
    let nanos = u32::try_from(ts.tv_nsec)
        .ok()
        .filter(|&n| n < 1_000_000_000)?;
    Some(Duration::new(secs, nanos))
}

/// `SO_TIMESTAMPNS`: when a datagram was received (`CLOCK_REALTIME`, to the nanosecond),
/// with [`set_timestamp_ns`](super::SocketOptionsExt::set_timestamp_ns). The payload is a
/// `struct timespec`, the `libc` one of the target (32-bit `time_t` on 32-bit glibc, as
/// `libc::SO_TIMESTAMPNS` asks for there).
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// use std::net::UdpSocket;
/// use std::time::{Duration, SystemTime};
/// use ancillary::os::linux::{SocketOptionsExt, TimestampNs};
/// use ancillary::{AncillaryData, ControlMessagePayload, MessageReceiver};
///
/// let socket = UdpSocket::bind("127.0.0.1:0")?;
/// # // qemu-user cannot set SO_TIMESTAMPNS (ENOPROTOOPT).
/// socket.set_timestamp_ns(true)?;
/// socket.send_to(b"now", socket.local_addr()?)?;
/// let mut ancillary = AncillaryData::with_capacity(TimestampNs::SPACE);
/// MessageReceiver::new(&socket, &mut [0; 8]).ancillary_data(&mut ancillary).recv()?;
/// let received = ancillary.control_messages().find::<TimestampNs>().unwrap()?;
/// let age = SystemTime::now().duration_since(received.system_time().unwrap()).unwrap();
/// assert!(age < Duration::from_secs(60));
/// # Ok(())
/// # }
/// ```
///
/// # References
/// `socket(7)`, `SO_TIMESTAMPNS`.
#[derive(ControlMessage, Clone, Copy)]
#[cmsg(crate = crate, level = libc::SOL_SOCKET, type = libc::SCM_TIMESTAMPNS)]
#[repr(transparent)]
#[doc(alias = "SO_TIMESTAMPNS")]
#[doc(alias = "SCM_TIMESTAMPNS")]
pub struct TimestampNs(libc::timespec);

impl TimestampNs {
    /// The time since the Unix epoch; `None` if the value is out of range (before 1970).
    #[must_use]
    pub fn since_epoch(&self) -> Option<Duration> {
        duration(&self.0)
    }

    /// The time, as a `SystemTime`; `None` if out of range.
    #[must_use]
    pub fn system_time(&self) -> Option<SystemTime> {
        SystemTime::UNIX_EPOCH.checked_add(self.since_epoch()?)
    }

    /// The C struct.
    #[must_use]
    pub const fn as_libc(&self) -> &libc::timespec {
        &self.0
    }
}

impl fmt::Debug for TimestampNs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TimestampNs")
            .field("tv_sec", &self.0.tv_sec)
            .field("tv_nsec", &self.0.tv_nsec)
            .finish()
    }
}

/// `SO_TIMESTAMPING` (`struct scm_timestamping`): up to three timestamps of a datagram,
/// with [`set_timestamping`](super::SocketOptionsExt::set_timestamping): a software one
/// (`CLOCK_REALTIME`), a legacy one that kernels leave zero, and a raw hardware one (the
/// NIC's clock). A timestamp the flags did not ask for, or that the device could not
/// take, is zero, and reads as `None`; the kernel may also send no message for a datagram
/// (it does for the first datagrams after the first socket of the system asks for software
/// receive timestamps, until it has turned them on).
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// use std::net::UdpSocket;
/// use ancillary::os::linux::{SocketOptionsExt, Timestamping};
/// use ancillary::{AncillaryData, ControlMessagePayload, MessageReceiver};
///
/// let socket = UdpSocket::bind("127.0.0.1:0")?;
/// let flags = libc::SOF_TIMESTAMPING_RX_SOFTWARE | libc::SOF_TIMESTAMPING_SOFTWARE;
/// socket.set_timestamping(flags)?;
/// let mut ancillary = AncillaryData::with_capacity(Timestamping::SPACE);
/// // The kernel turns receive timestamps on a moment after the first socket asks for
/// // them, so the first datagrams may come without one.
/// let mut software = None;
/// for _ in 0..100 {
///     socket.send_to(b"now", socket.local_addr()?)?;
///     MessageReceiver::new(&socket, &mut [0; 8]).ancillary_data(&mut ancillary).recv()?;
///     if let Some(stamps) = ancillary.control_messages().find::<Timestamping>() {
///         let stamps = stamps?;
///         assert!(stamps.hardware().is_none()); // loopback has no hardware clock
///         software = stamps.software();
///         break;
///     }
///     std::thread::sleep(std::time::Duration::from_millis(10));
/// }
/// assert!(software.is_some());
/// # Ok(())
/// # }
/// ```
///
/// # References
/// The kernel's `Documentation/networking/timestamping.rst`, "SCM_TIMESTAMPING records".
#[derive(ControlMessage, Clone, Copy)]
#[cmsg(crate = crate, level = libc::SOL_SOCKET, type = libc::SCM_TIMESTAMPING)]
#[repr(C)]
#[doc(alias = "SO_TIMESTAMPING")]
#[doc(alias = "SCM_TIMESTAMPING")]
#[doc(alias = "scm_timestamping")]
pub struct Timestamping {
    ts: [libc::timespec; 3],
}

impl Timestamping {
    /// The software timestamp (`ts[0]`, `CLOCK_REALTIME` since the epoch), if there is one.
    #[must_use]
    pub fn software(&self) -> Option<Duration> {
        duration(&self.ts[0]).filter(|d| !d.is_zero())
    }

    /// The raw hardware timestamp (`ts[2]`, the device's clock), if there is one.
    #[must_use]
    pub fn hardware(&self) -> Option<Duration> {
        duration(&self.ts[2]).filter(|d| !d.is_zero())
    }

    /// The three C structs as the kernel wrote them.
    #[must_use]
    pub const fn as_libc(&self) -> &[libc::timespec; 3] {
        &self.ts
    }
}

impl fmt::Debug for Timestamping {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timestamping")
            .field("software", &self.software())
            .field("hardware", &self.hardware())
            .finish()
    }
}

/// `SCM_TXTIME` (Linux 4.19+): when to send a datagram, in nanoseconds of the clock chosen
/// with [`set_txtime`](super::SocketOptionsExt::set_txtime) (which must be set first, or
/// the send fails with `EINVAL`). A queueing discipline that honours it (`etf`, `fq`)
/// holds the datagram until then; others send it at once.
///
/// Not on Android, whose `libc` has no `SCM_TXTIME`.
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// use std::net::UdpSocket;
/// use ancillary::os::linux::{SocketOptionsExt, TxTime};
/// use ancillary::{AncillaryData, ControlMessagePayload, MessageSender};
///
/// let socket = UdpSocket::bind("127.0.0.1:0")?;
/// socket.set_txtime(libc::CLOCK_MONOTONIC, 0)?;
/// let mut ancillary = AncillaryData::with_capacity(TxTime::SPACE);
/// ancillary.add_control_message(&TxTime::new(0)); // as soon as possible
/// MessageSender::new(&socket, b"now").ancillary_data(&mut ancillary).send_to(&socket.local_addr()?)?;
/// assert_eq!(socket.recv(&mut [0; 8])?, 3);
/// # Ok(())
/// # }
/// ```
///
/// # References
/// `tc-etf(8)`; the kernel's `include/uapi/linux/net_tstamp.h` (`struct sock_txtime`).
#[cfg(target_os = "linux")]
#[derive(ControlMessage, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cmsg(crate = crate, level = libc::SOL_SOCKET, type = libc::SCM_TXTIME)]
#[repr(C)]
#[doc(alias = "SO_TXTIME")]
#[doc(alias = "SCM_TXTIME")]
pub struct TxTime {
    txtime: u64,
}

#[cfg(target_os = "linux")]
impl TxTime {
    /// Send at `nanos` nanoseconds of the socket's `SO_TXTIME` clock.
    #[must_use]
    pub const fn new(nanos: u64) -> TxTime {
        TxTime { txtime: nanos }
    }

    /// The time, in nanoseconds of the clock.
    #[must_use]
    pub const fn nanos(&self) -> u64 {
        self.txtime
    }
}
