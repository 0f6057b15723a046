//! Conversions between the address and integer fields of `libc`'s structs and std's
//! types, shared by the platform modules' messages.

use core::ffi::c_int;
use std::net::Ipv4Addr;

/// The address in an `in_addr` (whose bytes are in network order).
pub(crate) fn ipv4(addr: libc::in_addr) -> Ipv4Addr {
    Ipv4Addr::from(addr.s_addr.to_ne_bytes())
}

/// The `in_addr` of an address.
pub(crate) fn in_addr(ip: Ipv4Addr) -> libc::in_addr {
    libc::in_addr {
        s_addr: u32::from_ne_bytes(ip.octets()),
    }
}

/// An `int` payload read as the byte it holds (TTL, TOS, traffic class, hop limit); a
/// value out of range, which no kernel sends, reads as 255.
pub(crate) fn int_byte(value: c_int) -> u8 {
    u8::try_from(value).unwrap_or(u8::MAX)
}
