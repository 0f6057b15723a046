//! [`Ecn`]: the two ECN bits of the IPv4 TOS byte and the IPv6 traffic class (RFC 3168),
//! shared by the platform modules that receive and send them (each re-exports it).

/// The Explicit Congestion Notification codepoint: the two low bits of the IPv4 TOS byte
/// or the IPv6 traffic class (RFC 3168), what QUIC and other congestion controllers read
/// from every received datagram and set on every sent one.
///
/// ```
/// # #[cfg(target_os = "freebsd")] use ancillary::os::freebsd::Ecn;
/// # #[cfg(any(target_os = "macos", target_os = "ios"))] use ancillary::os::macos::Ecn;
/// # #[cfg(any(target_os = "linux", target_os = "android"))]
/// use ancillary::os::linux::Ecn;
///
/// assert_eq!(Ecn::from_bits(0b1011_1010), Ecn::Ect0);
/// assert_eq!(Ecn::Ce.bits(), 3);
/// assert_eq!(Ecn::Ect1.with_dscp(0b1011_1000), 0b1011_1001);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[repr(u8)]
#[doc(alias = "ECN")]
pub enum Ecn {
    /// `00`: not ECN-capable transport.
    #[default]
    NotEct = 0b00,
    /// `01`: ECN-capable transport, ECT(1).
    Ect1 = 0b01,
    /// `10`: ECN-capable transport, ECT(0).
    Ect0 = 0b10,
    /// `11`: congestion experienced.
    Ce = 0b11,
}

impl Ecn {
    /// The codepoint in the two low bits of a TOS or traffic class byte; the other bits
    /// (the DSCP) are ignored.
    #[must_use]
    pub const fn from_bits(tos: u8) -> Ecn {
        match tos & 0b11 {
            0b00 => Ecn::NotEct,
            0b01 => Ecn::Ect1,
            0b10 => Ecn::Ect0,
            _ => Ecn::Ce,
        }
    }

    /// The two bits, as the low bits of a byte.
    #[must_use]
    pub const fn bits(self) -> u8 {
        self as u8
    }

    /// A TOS or traffic class byte with these two low bits and the high six bits of `tos`
    /// (its DSCP).
    #[must_use]
    pub const fn with_dscp(self, tos: u8) -> u8 {
        (tos & !0b11) | self.bits()
    }
}
