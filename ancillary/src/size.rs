//! Sizing control-message buffers: `const` equivalents of `CMSG_ALIGN`, `CMSG_LEN` and
//! `CMSG_SPACE`.
//!
//! These equal the target's C macros (a test compares them with `libc`'s for every payload
//! length from 0 to 1024 bytes), but they are safe `const fn`s, so a buffer can be sized at
//! compile time:
//!
//! ```
//! use std::mem::MaybeUninit;
//! use ancillary::{cmsg_space, AncillaryData};
//!
//! // Room for one message carrying 2 file descriptors.
//! const ROOM: usize = AncillaryData::space_for_fds(2);
//! assert_eq!(ROOM, cmsg_space(2 * size_of::<libc::c_int>()));
//! let mut storage = [MaybeUninit::<u8>::uninit(); ROOM];
//! let ancillary = AncillaryData::with_storage(&mut storage);
//! assert!(ancillary.capacity() >= ROOM - (core::mem::align_of::<libc::cmsghdr>() - 1));
//! ```

use crate::os::CMSG_ALIGN_UNIT;

/// Rounds `len` up to the control-message alignment of this target (`CMSG_ALIGN`).
///
/// Saturates at the largest aligned `usize` instead of overflowing, so absurd inputs give an
/// absurd size (which no allocation satisfies) rather than a panic.
#[doc(alias = "CMSG_ALIGN")]
#[must_use]
pub const fn cmsg_align(len: usize) -> usize {
    let mask = CMSG_ALIGN_UNIT - 1;
    match len.checked_add(mask) {
        Some(padded) => padded & !mask,
        None => usize::MAX & !mask,
    }
}

/// The size of a control-message header including the padding before the payload: the
/// offset of the payload from the start of its message (`CMSG_LEN(0)`).
///
/// This is *not* always `size_of::<cmsghdr>()`: on 64-bit FreeBSD the header is 12 bytes and
/// the payload starts at 16.
pub const HEADER_LEN: usize = cmsg_align(core::mem::size_of::<libc::cmsghdr>());

/// The value of `cmsg_len` for a message with a payload of `payload_len` bytes
/// (`CMSG_LEN`): header plus payload, without trailing padding.
///
/// Saturates instead of overflowing.
#[doc(alias = "CMSG_LEN")]
#[must_use]
pub const fn cmsg_len(payload_len: usize) -> usize {
    HEADER_LEN.saturating_add(payload_len)
}

/// The number of buffer bytes one message with a `payload_len`-byte payload occupies,
/// trailing padding included (`CMSG_SPACE`). Add these up to size a buffer for several
/// messages.
///
/// Saturates instead of overflowing.
#[doc(alias = "CMSG_SPACE")]
#[must_use]
pub const fn cmsg_space(payload_len: usize) -> usize {
    match HEADER_LEN.checked_add(cmsg_align(payload_len)) {
        Some(space) => space,
        None => cmsg_align(usize::MAX - CMSG_ALIGN_UNIT),
    }
}

/// The alignment the start of a control-message buffer needs on this target: enough for a
/// `cmsghdr`, and for the `CMSG_ALIGN` unit, so that every header and payload offset the
/// kernel computes from the start is aligned too.
pub(crate) const BUFFER_ALIGN: usize = {
    let hdr = core::mem::align_of::<libc::cmsghdr>();
    if hdr > CMSG_ALIGN_UNIT {
        hdr
    } else {
        CMSG_ALIGN_UNIT
    }
};

/// The size in bytes of a field of a C struct `S`, read off the field itself (pass a
/// closure that names it), so that no list of targets can drift from `libc`'s definitions.
pub(crate) const fn size_of_field<S, T>(_: fn(&S) -> T) -> usize {
    core::mem::size_of::<T>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_libc_for_every_small_length() {
        for len in 0..=1024usize {
            let c = len as libc::c_uint;
            // SAFETY: CMSG_SPACE and CMSG_LEN are pure arithmetic on their argument.
            let (space, cmsg_len_c) = unsafe { (libc::CMSG_SPACE(c), libc::CMSG_LEN(c)) };
            assert_eq!(cmsg_space(len), space as usize, "CMSG_SPACE({len})");
            assert_eq!(cmsg_len(len), cmsg_len_c as usize, "CMSG_LEN({len})");
        }
    }

    #[test]
    fn header_len_is_cmsg_len_of_zero() {
        // SAFETY: pure arithmetic.
        assert_eq!(HEADER_LEN, unsafe { libc::CMSG_LEN(0) } as usize);
        assert!(HEADER_LEN >= core::mem::size_of::<libc::cmsghdr>());
        assert_eq!(BUFFER_ALIGN % core::mem::align_of::<libc::cmsghdr>(), 0);
    }

    #[test]
    fn saturates_instead_of_panicking() {
        // The largest aligned `usize`.
        let top = usize::MAX - (CMSG_ALIGN_UNIT - 1);
        assert_eq!(top % CMSG_ALIGN_UNIT, 0);
        assert_eq!(cmsg_align(usize::MAX), top);
        assert_eq!(cmsg_align(usize::MAX - 1), top);
        assert_eq!(cmsg_align(top), top);
        assert_eq!(cmsg_align(top - 1), top);
        assert_eq!(cmsg_space(usize::MAX), top);
        assert_eq!(cmsg_space(top - HEADER_LEN), top);
        assert_eq!(cmsg_len(usize::MAX), usize::MAX);
    }
}
