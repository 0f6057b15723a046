//! [`DestinationExt`]: the ECN codepoint and source address of one datagram, written as the
//! message its destination needs (IPv4, IPv6, or IPv4 through a dual-stack IPv6 socket).

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use super::{Ecn, In6Pktinfo, InPktinfo, IpTosSend, Ipv6Tclass};
use crate::{AncillaryData, CapacityError, ControlMessage, ControlMessagesBuf};

/// The IPv4 address a datagram to `dest` travels to, if it travels over IPv4: an IPv4
/// destination, or an IPv4-mapped IPv6 one (`::ffff:a.b.c.d`), which a dual-stack IPv6
/// socket sends through the kernel's IPv4 path.
#[inline]
fn ipv4_path(dest: &SocketAddr) -> Option<Ipv4Addr> {
    match dest {
        SocketAddr::V4(dest) => Some(*dest.ip()),
        SocketAddr::V6(dest) => dest.ip().to_ipv4_mapped(),
    }
}

mod sealed {
    use crate::{CapacityError, ControlMessage};

    /// The two buffers' `push` and `try_push`.
    pub trait Sealed {
        fn push(&mut self, message: &ControlMessage<'_>);
        fn try_push(&mut self, message: &ControlMessage<'_>) -> Result<(), CapacityError>;
    }
}

impl sealed::Sealed for ControlMessagesBuf<'_> {
    #[inline]
    fn push(&mut self, message: &ControlMessage<'_>) {
        ControlMessagesBuf::push(self, message);
    }
    #[inline]
    fn try_push(&mut self, message: &ControlMessage<'_>) -> Result<(), CapacityError> {
        ControlMessagesBuf::try_push(self, message)
    }
}

impl sealed::Sealed for AncillaryData<'_> {
    #[inline]
    fn push(&mut self, message: &ControlMessage<'_>) {
        self.control_messages_mut().push(message);
    }
    #[inline]
    fn try_push(&mut self, message: &ControlMessage<'_>) -> Result<(), CapacityError> {
        self.control_messages_mut().try_push(message)
    }
}

/// Per-datagram messages chosen by the destination, for [`AncillaryData`] and
/// [`ControlMessagesBuf`].
///
/// Linux sends a datagram to an IPv4-mapped address (`::ffff:a.b.c.d`) from a dual-stack
/// IPv6 socket through its IPv4 path, which reads only `IPPROTO_IP` messages (and
/// `IPV6_PKTINFO`): an [`Ipv6Tclass`] there is skipped without an error, so the ECN bits
/// are lost. These methods pick the message from the destination address instead:
///
/// | destination | ECN | source address |
/// |---|---|---|
/// | IPv4 | [`IpTosSend`] (`IP_TOS`) | [`InPktinfo`] (`IP_PKTINFO`) |
/// | IPv4-mapped IPv6, on a dual-stack socket | [`IpTosSend`] (`IP_TOS`) | [`InPktinfo`] (`IP_PKTINFO`) |
/// | IPv6 | [`Ipv6Tclass`] (`IPV6_TCLASS`) | [`In6Pktinfo`] (`IPV6_PKTINFO`) |
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// # // qemu-user passes IP_TOS unconverted: big-endian guests get EINVAL.
/// use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
/// use ancillary::os::linux::{DestinationExt, Ecn, IpTos, SocketOptionsExt};
/// use ancillary::{AncillaryData, ControlMessagePayload, MessageReceiver, MessageSender};
///
/// let receiver = UdpSocket::bind("127.0.0.1:0")?;
/// receiver.set_recv_tos_v4(true)?;
/// // An IPv6 socket that also reaches IPv4 peers, as QUIC servers often bind.
/// let sender = UdpSocket::bind("[::]:0")?;
/// // ::ffff:127.0.0.1
/// let to = SocketAddr::from((Ipv4Addr::LOCALHOST.to_ipv6_mapped(), receiver.local_addr()?.port()));
///
/// let mut ancillary = AncillaryData::with_capacity(64);
/// ancillary.add_ecn_for(&to, Ecn::Ect0); // IP_TOS, not IPV6_TCLASS
/// MessageSender::new(&sender, b"ecn").ancillary_data(&mut ancillary).send_to(&to)?;
///
/// let mut ancillary = AncillaryData::with_capacity(IpTos::SPACE);
/// MessageReceiver::new(&receiver, &mut [0; 8]).ancillary_data(&mut ancillary).recv()?;
/// assert_eq!(ancillary.control_messages().find::<IpTos>().unwrap()?.ecn(), Ecn::Ect0);
/// # Ok(())
/// # }
/// ```
///
/// The trait is sealed: it is implemented for the two buffer types only.
///
/// # References
/// `ip(7)`, `IP_TOS` and `IP_PKTINFO`; `ipv6(7)`, `IPV6_TCLASS` and `IPV6_PKTINFO`.
pub trait DestinationExt: sealed::Sealed {
    /// Adds the message that sends `ecn` (with DSCP 0) to `dest`: [`IpTosSend`] for an IPv4
    /// or IPv4-mapped destination, [`Ipv6Tclass`] for an IPv6 one.
    ///
    /// If it does not fit fixed storage, nothing is added and the next send fails, as
    /// with [`ControlMessagesBuf::push`].
    #[inline]
    fn add_ecn_for(&mut self, dest: &SocketAddr, ecn: Ecn) {
        match ipv4_path(dest) {
            Some(_) => self.push(&ControlMessage::from(&IpTosSend::from_ecn(ecn))),
            None => self.push(&ControlMessage::from(&Ipv6Tclass::from_ecn(ecn))),
        }
    }

    /// [`add_ecn_for`](Self::add_ecn_for), or why the message does not fit (adding
    /// nothing).
    ///
    /// # Errors
    /// [`CapacityError`] when fixed storage is too small.
    #[inline]
    fn try_add_ecn_for(&mut self, dest: &SocketAddr, ecn: Ecn) -> Result<(), CapacityError> {
        match ipv4_path(dest) {
            Some(_) => self.try_push(&ControlMessage::from(&IpTosSend::from_ecn(ecn))),
            None => self.try_push(&ControlMessage::from(&Ipv6Tclass::from_ecn(ecn))),
        }
    }

    /// Adds the message that sends a datagram to `dest` from the local address `source`,
    /// on the interface routing picks: [`InPktinfo`] for an IPv4 or IPv4-mapped
    /// destination (`source` an IPv4 or IPv4-mapped address), [`In6Pktinfo`] for an IPv6
    /// one (`source` an IPv6 address that is not IPv4-mapped).
    ///
    /// # Errors
    /// An [`io::Error`] of kind `InvalidInput` when `source` and `dest` are not of the
    /// same family (a kernel would skip or refuse the message), and one converted from
    /// [`CapacityError`] when fixed storage is too small. Nothing is added then.
    #[inline]
    fn try_add_source_for(&mut self, dest: &SocketAddr, source: IpAddr) -> io::Result<()> {
        match (ipv4_path(dest), source.to_canonical()) {
            (Some(_), IpAddr::V4(source)) => {
                self.try_push(&ControlMessage::from(&InPktinfo::from_source(source)))?;
            }
            (None, IpAddr::V6(source)) => {
                self.try_push(&ControlMessage::from(&In6Pktinfo::from_source(source)))?;
            }
            _ => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("source address {source} is not of the family of {dest}"),
                ))
            }
        }
        Ok(())
    }
}

impl DestinationExt for ControlMessagesBuf<'_> {}
impl DestinationExt for AncillaryData<'_> {}
