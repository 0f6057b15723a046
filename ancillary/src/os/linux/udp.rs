//! [`UdpSegment`] and [`UdpGro`]: UDP segmentation offload per send (GSO), and the segment
//! size of coalesced datagrams on receive (GRO).
//!
//! Each is a few lines with `#[derive(ControlMessage)]`, like any downstream message.

use crate::ControlMessage;

/// `UDP_SEGMENT` (Linux 4.18+), sent with one large buffer: the kernel splits it into
/// datagrams of `size` bytes each (the last may be shorter), as if each had been sent on
/// its own. The payload is a `u16`.
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// # // qemu-user passes UDP_SEGMENT unconverted: a big-endian guest's size arrives swapped.
/// use std::net::UdpSocket;
/// use ancillary::os::linux::UdpSegment;
/// use ancillary::{AncillaryData, MessageSender};
///
/// let receiver = UdpSocket::bind("127.0.0.1:0")?;
/// # // Fewer datagrams than expected fail the example instead of hanging it.
/// # receiver.set_read_timeout(Some(std::time::Duration::from_secs(10)))?;
/// let sender = UdpSocket::bind("127.0.0.1:0")?;
/// sender.connect(receiver.local_addr()?)?;
/// let mut ancillary = AncillaryData::new();
/// ancillary.add_control_message(&UdpSegment::new(100));
/// MessageSender::new(&sender, &[7u8; 250]).ancillary_data(&mut ancillary).send()?;
///
/// let mut buf = [0u8; 500];
/// let sizes: Vec<usize> = (0..3).map(|_| receiver.recv(&mut buf)).collect::<Result<_, _>>()?;
/// assert_eq!(sizes, [100, 100, 50]);
/// # Ok(())
/// # }
/// ```
///
/// # References
/// `udp(7)`, `UDP_SEGMENT`.
#[derive(ControlMessage, Clone, Copy, Debug, PartialEq, Eq)]
#[cmsg(crate = crate, level = libc::SOL_UDP, type = libc::UDP_SEGMENT)]
#[repr(C)]
#[doc(alias = "UDP_SEGMENT")]
#[doc(alias = "GSO")]
pub struct UdpSegment {
    size: u16,
}

impl UdpSegment {
    /// Segments of `size` bytes.
    #[must_use]
    pub const fn new(size: u16) -> UdpSegment {
        UdpSegment { size }
    }

    /// The segment size.
    #[must_use]
    pub const fn size(&self) -> u16 {
        self.size
    }
}

/// `UDP_GRO` (Linux 5.0+), received with the `UDP_GRO` socket option set: the datagram
/// handed to this receive is several datagrams of `segment_size()` bytes each coalesced by
/// the kernel (the last may be shorter). The payload is an `int`; reading it as a smaller
/// integer would give 0 on big-endian targets, which the typed view rules out. The size is
/// read as a `u16`, the type of the kernel's GSO size and of [`UdpSegment::new`].
///
/// # References
/// `udp(7)`, `UDP_GRO`.
#[derive(ControlMessage, Clone, Copy, Debug, PartialEq, Eq)]
#[cmsg(crate = crate, level = libc::SOL_UDP, type = libc::UDP_GRO)]
#[repr(C)]
#[doc(alias = "UDP_GRO")]
pub struct UdpGro {
    segment_size: core::ffi::c_int,
}

impl UdpGro {
    /// The size of each coalesced datagram but the last, as [`UdpSegment::new`] takes it
    /// (a value out of range, which no kernel sends, reads as `u16::MAX`).
    #[must_use]
    pub fn segment_size(&self) -> u16 {
        u16::try_from(self.segment_size).unwrap_or(u16::MAX)
    }
}
