//! The `cmsghdr` byte format, in one place: sizes and alignment (`const` equivalents of
//! `CMSG_ALIGN`, `CMSG_LEN` and `CMSG_SPACE`), and the header's bytes, decoded
//! ([`read_header`]) and encoded ([`encode_header`]).
//!
//! These equal the target's C macros (a test compares them with `libc`'s for every payload
//! length from 0 to 1024 bytes), but they are safe `const fn`s, so a buffer can be sized at
//! compile time:
//!
//! ```
//! use std::mem::MaybeUninit;
//! use ancillary::{cmsg_align, cmsg_space, AncillaryData};
//!
//! // Room for one message carrying 2 file descriptors.
//! const ROOM: usize = AncillaryData::space_for_fds(2);
//! assert_eq!(ROOM, cmsg_space(2 * size_of::<libc::c_int>()));
//! let mut storage = [MaybeUninit::<u8>::uninit(); ROOM];
//! let ancillary = AncillaryData::with_storage(&mut storage);
//! // At most the bytes before the first one aligned for a `cmsghdr` and for `CMSG_ALIGN`
//! // go unused (64-bit musl and FreeBSD have a 4-aligned `cmsghdr` but round to 8).
//! let align = core::mem::align_of::<libc::cmsghdr>().max(cmsg_align(1));
//! assert!(ancillary.capacity() >= ROOM - (align - 1));
//! ```

use core::ffi::c_int;
use core::mem::offset_of;
use std::os::fd::{AsRawFd, BorrowedFd, RawFd};

use crate::platform::CMSG_ALIGN_UNIT;

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

/// [`cmsg_align`] of the length of bytes that exist (a slice's length, or less), which is
/// at most `isize::MAX`: rounding it up cannot overflow, so nothing saturates.
#[inline]
pub(crate) const fn cmsg_align_in_bounds(len: usize) -> usize {
    debug_assert!(len <= isize::MAX as usize);
    let mask = CMSG_ALIGN_UNIT - 1;
    len.wrapping_add(mask) & !mask
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

// The docs of `with_storage` say how many bytes of a lent buffer alignment may cost: up to
// 7 on 64-bit targets, 3 on 32-bit ones and Apple's.
const _: () = assert!(
    BUFFER_ALIGN
        == if cfg!(any(target_vendor = "apple", target_pointer_width = "32")) {
            4
        } else {
            8
        }
);

/// The size in bytes of a field of a C struct `S`, read off the field itself (pass a
/// closure that names it), so that no list of targets can drift from `libc`'s definitions.
pub(crate) const fn size_of_field<S, T>(_: fn(&S) -> T) -> usize {
    core::mem::size_of::<T>()
}

// ----- the header's bytes ---------------------------------------------------------------

/// The size in bytes of `cmsghdr::cmsg_len`: `size_t` on glibc and bionic, `socklen_t` on
/// musl, Apple and the BSDs. Read off the field itself, so no target list can drift.
pub(crate) const fn cmsg_len_field_size() -> usize {
    size_of_field::<libc::cmsghdr, _>(|h| h.cmsg_len)
}

/// The largest value a `cmsg_len` field of `field_size` bytes holds, as a `usize`: the
/// field is a `size_t` on glibc and bionic and a 32-bit `socklen_t` on musl, Apple and the
/// BSDs (a function of the size, so that tests on any target check both forms).
pub(crate) const fn max_cmsg_len(field_size: usize) -> usize {
    if field_size >= size_of::<usize>() {
        usize::MAX
    } else {
        (1usize << (8 * field_size)) - 1
    }
}

/// Where a message with a `payload`-byte payload placed at `at` ends, padding included; or
/// `None` if its `cmsg_len` would exceed `max_len` (see [`max_cmsg_len`]) or the end would
/// not be a representable buffer length.
#[inline]
pub(crate) fn message_end(at: usize, payload: usize, max_len: usize) -> Option<usize> {
    if payload <= max_len - HEADER_LEN {
        at.checked_add(cmsg_space(payload))
            .filter(|&end| end != usize::MAX)
    } else {
        None
    }
}

/// The fields of a `cmsghdr`, copied out of a byte buffer.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Header {
    pub(crate) len: usize,
    pub(crate) level: c_int,
    pub(crate) ty: c_int,
}

/// Copies the header at the start of `bytes`, if a whole header is there. The bytes may
/// sit at any address: the fields are read as bytes, never through a `&cmsghdr`.
#[inline]
pub(crate) fn read_header(bytes: &[u8]) -> Option<Header> {
    let header: &[u8; size_of::<libc::cmsghdr>()] = bytes.first_chunk()?;
    let len_at = offset_of!(libc::cmsghdr, cmsg_len);
    // `cmsg_len` is `size_t` on glibc and bionic, a 32-bit `socklen_t` on musl, Apple and
    // the BSDs.
    let len = if cmsg_len_field_size() == 4 {
        u32::from_ne_bytes(field(header, len_at)) as usize
    } else {
        u64::from_ne_bytes(field(header, len_at)) as usize
    };
    Some(Header {
        len,
        level: c_int::from_ne_bytes(field(header, offset_of!(libc::cmsghdr, cmsg_level))),
        ty: c_int::from_ne_bytes(field(header, offset_of!(libc::cmsghdr, cmsg_type))),
    })
}

/// The `N` bytes at `at` of a header (`at` is a constant offset inside it, so the bounds
/// check folds away).
#[inline(always)]
fn field<const N: usize>(header: &[u8; size_of::<libc::cmsghdr>()], at: usize) -> [u8; N] {
    let mut out = [0; N];
    out.copy_from_slice(&header[at..at + N]);
    out
}

/// The bytes of a header with `cmsg_len` = `CMSG_LEN(payload)`, and zeroed padding up to
/// the payload.
#[inline]
pub(crate) fn encode_header(level: c_int, ty: c_int, payload: usize) -> [u8; HEADER_LEN] {
    let mut header = [0u8; HEADER_LEN];
    let len = cmsg_len(payload);
    let len_at = offset_of!(libc::cmsghdr, cmsg_len);
    if cmsg_len_field_size() == 4 {
        header[len_at..len_at + 4].copy_from_slice(&(len as u32).to_ne_bytes());
    } else {
        header[len_at..len_at + 8].copy_from_slice(&(len as u64).to_ne_bytes());
    }
    let level_at = offset_of!(libc::cmsghdr, cmsg_level);
    header[level_at..level_at + 4].copy_from_slice(&level.to_ne_bytes());
    let type_at = offset_of!(libc::cmsghdr, cmsg_type);
    header[type_at..type_at + 4].copy_from_slice(&ty.to_ne_bytes());
    header
}

// ----- the walk ------------------------------------------------------------------------

/// One message found by [`next`]: its header fields and payload, and the bytes after it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Found<'a> {
    pub(crate) level: c_int,
    pub(crate) ty: c_int,
    /// The payload; for a message cut by the end of the bytes, what is there of it.
    pub(crate) data: &'a [u8],
    /// Whether the message runs past the end of the bytes.
    pub(crate) truncated: bool,
    /// The bytes from the next header on (empty after a cut message).
    pub(crate) rest: &'a [u8],
}

/// The walk's one step: the message at the start of `bytes`, or `None` if no message can
/// start there (fewer bytes than a header, or a `cmsg_len` shorter than a header, which
/// cannot be walked past: stopping beats looping on the same header or guessing).
///
/// A whole message is followed by the bytes from its aligned end (empty past the end). A
/// `cmsg_len` running past the end yields the bytes that are there, `truncated`: its
/// payload is what follows the header, and if the cut is inside the header's padding (on
/// 64-bit FreeBSD the header is 12 bytes and the payload starts at 16) it is empty and
/// lies at the cut, inside the bytes.
#[inline]
pub(crate) fn next(bytes: &[u8]) -> Option<Found<'_>> {
    let header = read_header(bytes)?;
    if header.len < HEADER_LEN {
        return None;
    }
    let (data, truncated, rest) = match bytes.get(HEADER_LEN..header.len) {
        Some(data) => {
            let next_at = cmsg_align_in_bounds(header.len).min(bytes.len());
            (data, false, &bytes[next_at..])
        }
        None => (&bytes[HEADER_LEN.min(bytes.len())..], true, &[][..]),
    };
    Some(Found {
        level: header.level,
        ty: header.ty,
        data,
        truncated,
        rest,
    })
}

/// Whether no message can start in `rest`: it is shorter than a header.
#[inline(always)]
pub(crate) const fn at_end(rest: &[u8]) -> bool {
    rest.len() < size_of::<libc::cmsghdr>()
}

/// The message of `bytes` if it is whole and the only one: the common shape of a receive,
/// which then needs no walk. (What [`next`] would say, with `rest` empty: after the one
/// message, nothing but padding or bytes too few for a header.)
#[inline(always)]
pub(crate) fn sole(bytes: &[u8]) -> Option<Found<'_>> {
    let header = read_header(bytes)?;
    // Whole: its length covers a header and ends within the bytes.
    let data = bytes.get(HEADER_LEN..header.len)?;
    // Alone: no header fits after its padding. (`header.len` is at most the length of a
    // slice, so the sum cannot overflow.)
    if cmsg_align_in_bounds(header.len) + size_of::<libc::cmsghdr>() <= bytes.len() {
        return None;
    }
    Some(Found {
        level: header.level,
        ty: header.ty,
        data,
        truncated: false,
        rest: &[],
    })
}

// ----- writing messages ----------------------------------------------------------------

/// Writes a whole message into `dst`, which is exactly its `cmsg_space(payload.len())`
/// bytes: the header, the payload, and zeroed padding.
///
/// # Panics
/// If `dst` has another length.
#[inline(always)]
pub(crate) fn encode(dst: &mut [u8], level: c_int, ty: c_int, payload: &[u8]) {
    encode_with(dst, level, ty, payload.len(), |out| {
        out.copy_from_slice(payload);
    });
}

/// Writes a whole `SCM_RIGHTS` message of `fds` into `dst`, which is exactly its
/// `cmsg_space` bytes.
///
/// # Panics
/// If `dst` has another length.
#[inline(always)]
pub(crate) fn encode_fds(dst: &mut [u8], fds: &[BorrowedFd<'_>]) {
    let payload = size_of_val(fds);
    let space = dst.len();
    assert_eq!(space, cmsg_space(payload), "a message's bytes");
    dst[space - CMSG_ALIGN_UNIT..].fill(0);
    let (header, rest) = dst.split_at_mut(HEADER_LEN);
    header.copy_from_slice(&encode_header(libc::SOL_SOCKET, libc::SCM_RIGHTS, payload));
    copy_fds(&mut rest[..payload], fds);
}

/// Grows the `SCM_RIGHTS` message at the start of `dst` that carries `old` payload bytes by
/// `fds`: a new header, the descriptors after the old ones, and zeroed padding. `dst` is
/// exactly the grown message's `cmsg_space` bytes.
///
/// # Panics
/// If `dst` has another length.
#[inline]
pub(crate) fn extend_fds(dst: &mut [u8], old: usize, fds: &[BorrowedFd<'_>]) {
    let payload = old + size_of_val(fds);
    assert_eq!(dst.len(), cmsg_space(payload), "a message's bytes");
    dst[..HEADER_LEN].copy_from_slice(&encode_header(libc::SOL_SOCKET, libc::SCM_RIGHTS, payload));
    // The old descriptors stay; the new ones overwrite the old padding.
    let (added, padding) = dst[HEADER_LEN + old..].split_at_mut(size_of_val(fds));
    padding.fill(0);
    copy_fds(added, fds);
}

/// Writes a message of a `payload`-byte payload that `write_payload` fills into `dst`,
/// which is exactly `cmsg_space(payload)` bytes. The padding is zeroed before the payload
/// is written: it all lies in the last alignment unit, so that is one store.
#[inline(always)]
fn encode_with(
    dst: &mut [u8],
    level: c_int,
    ty: c_int,
    payload: usize,
    write_payload: impl FnOnce(&mut [u8]),
) {
    let space = dst.len();
    assert_eq!(space, cmsg_space(payload), "a message's bytes");
    dst[space - CMSG_ALIGN_UNIT..].fill(0);
    let (header, rest) = dst.split_at_mut(HEADER_LEN);
    header.copy_from_slice(&encode_header(level, ty, payload));
    write_payload(&mut rest[..payload]);
}

// ----- descriptor arrays ---------------------------------------------------------------

/// The size of one descriptor in an `SCM_RIGHTS` payload.
pub(crate) const FD_LEN: usize = size_of::<c_int>();

/// Copies the descriptor numbers of `fds`, native-endian, into `dst`, which is exactly as
/// long as they are.
#[inline(always)]
fn copy_fds(dst: &mut [u8], fds: &[BorrowedFd<'_>]) {
    // A few descriptors, the common case, are one or two stores: two descriptors at a
    // time, the first pair and the last (which overlap for three). A loop, or a copy
    // through an array, becomes a call to `memcpy` (BENCHMARKS.md, "Why the code is shaped
    // so").
    let pair = |i: usize| {
        let (a, b) = (fds[i].as_raw_fd(), fds[i + 1].as_raw_fd());
        let mut both = [0; 2 * FD_LEN];
        both[..FD_LEN].copy_from_slice(&a.to_ne_bytes());
        both[FD_LEN..].copy_from_slice(&b.to_ne_bytes());
        both
    };
    match fds.len() {
        1 => dst[..FD_LEN].copy_from_slice(&fds[0].as_raw_fd().to_ne_bytes()),
        n @ 2..=4 => {
            let last = (n - 2) * FD_LEN;
            dst[..2 * FD_LEN].copy_from_slice(&pair(0));
            dst[last..last + 2 * FD_LEN].copy_from_slice(&pair(n - 2));
        }
        _ => {
            let mut rest = dst;
            for fd in fds {
                let Some((slot, after)) = rest.split_first_chunk_mut::<FD_LEN>() else {
                    return;
                };
                *slot = fd.as_raw_fd().to_ne_bytes();
                rest = after;
            }
        }
    }
}

/// The first descriptor of a payload and the bytes after it; `None` when fewer than
/// [`FD_LEN`] bytes are left. The number may be negative (no kernel sends one).
#[inline(always)]
pub(crate) fn split_fd(data: &[u8]) -> Option<(RawFd, &[u8])> {
    let (first, rest) = data.split_first_chunk::<FD_LEN>()?;
    Some((c_int::from_ne_bytes(*first), rest))
}

/// The descriptors of a payload: whole native-endian `c_int`s, negative values skipped
/// (no kernel sends them, and `-1` is not a valid descriptor).
pub(crate) fn raw_fds(data: &[u8]) -> impl Iterator<Item = RawFd> + '_ {
    let mut rest = data;
    core::iter::from_fn(move || {
        let (fd, after) = split_fd(rest)?;
        rest = after;
        Some(fd)
    })
    .filter(|&fd| fd >= 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The figures against the C macros of the target are in the tests crate's
    /// `layout.rs`, for every payload length up to 1024 bytes.
    /// `sole` is `next` filtered to a whole message with no header after it, for every
    /// `cmsg_len` up to past the end of buffers of every length up to two messages.
    #[test]
    fn sole_agrees_with_the_walk_for_every_length() {
        for total in 0..3 * HEADER_LEN + 16 {
            for len in 0..total + 12 {
                // A header of level 7, type 8 and `cmsg_len` `len`, cut to the buffer.
                let mut header = encode_header(7, 8, 0);
                let at = offset_of!(libc::cmsghdr, cmsg_len);
                if cmsg_len_field_size() == 4 {
                    header[at..at + 4].copy_from_slice(&(len as u32).to_ne_bytes());
                } else {
                    header[at..at + 8].copy_from_slice(&(len as u64).to_ne_bytes());
                }
                let mut bytes = vec![0xAA; total];
                let cut = HEADER_LEN.min(total);
                bytes[..cut].copy_from_slice(&header[..cut]);
                let walked = next(&bytes).filter(|found| !found.truncated && at_end(found.rest));
                let found = sole(&bytes);
                assert_eq!(
                    found.as_ref().map(|f| (f.level, f.ty, f.data)),
                    walked.as_ref().map(|f| (f.level, f.ty, f.data)),
                    "{total} bytes, cmsg_len {len}"
                );
                if let Some(found) = found {
                    assert!(!found.truncated && found.rest.is_empty());
                }
            }
        }
    }

    #[test]
    fn header_len_covers_a_header_and_keeps_buffers_aligned() {
        assert!(HEADER_LEN >= core::mem::size_of::<libc::cmsghdr>());
        assert_eq!(HEADER_LEN % CMSG_ALIGN_UNIT, 0);
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

    #[test]
    fn largest_cmsg_len_of_each_field_size() {
        // A 32-bit `socklen_t` field (musl, Apple, the BSDs), a 64-bit `size_t` (glibc).
        assert_eq!(max_cmsg_len(4), u32::MAX as usize);
        assert_eq!(max_cmsg_len(2), 0xFFFF);
        assert_eq!(max_cmsg_len(8), usize::MAX);
        assert_eq!(max_cmsg_len(size_of::<usize>()), usize::MAX);
    }

    #[test]
    fn message_end_is_the_aligned_end_of_the_message() {
        assert_eq!(message_end(0, 0, usize::MAX), Some(HEADER_LEN));
        assert_eq!(message_end(8, 5, usize::MAX), Some(8 + cmsg_space(5)));
        // An end of `usize::MAX` or past it is no buffer length.
        let last = usize::MAX - HEADER_LEN;
        assert_eq!(message_end(last, 0, usize::MAX), None);
        assert_eq!(message_end(last - 1, 0, usize::MAX), Some(usize::MAX - 1));
        assert_eq!(message_end(usize::MAX - 3, 0, usize::MAX), None);
    }

    /// The check that only 64-bit targets with a 32-bit `cmsg_len` (musl, Apple, FreeBSD)
    /// need, run on every 64-bit target: a payload whose `cmsg_len` exceeds `u32::MAX` is
    /// refused, the largest one that fits is not.
    #[cfg(target_pointer_width = "64")]
    #[test]
    fn message_end_refuses_a_cmsg_len_the_field_cannot_hold() {
        let max = max_cmsg_len(4);
        let largest = max - HEADER_LEN;
        assert_eq!(cmsg_len(largest), max);
        assert_eq!(message_end(0, largest, max), Some(cmsg_space(largest)));
        assert_eq!(message_end(0, largest + 1, max), None);
        assert_eq!(message_end(0, 1 << 30, max), Some(cmsg_space(1 << 30)));
        // With a 64-bit field the same payloads are fine.
        assert_eq!(
            message_end(0, largest + 1, usize::MAX),
            Some(cmsg_space(largest + 1))
        );
    }

    /// A header for a payload of 4 GiB or more keeps every bit of its length where the
    /// `cmsg_len` field is 64-bit (glibc), and the low 32 bits where it is 32-bit.
    #[cfg(target_pointer_width = "64")]
    #[test]
    fn header_writes_the_whole_cmsg_len_field() {
        let payload = (1usize << 32) + 3;
        let header = encode_header(7, 9, payload);
        let read = read_header(&header).unwrap();
        assert_eq!(
            read.len,
            cmsg_len(payload) & max_cmsg_len(cmsg_len_field_size())
        );
        if cmsg_len_field_size() == 8 {
            assert_eq!(read.len, (1 << 32) + HEADER_LEN + 3);
        }
        assert_eq!((read.level, read.ty), (7, 9));
    }

    /// Growing a message of one descriptor by one keeps the first, which sits in the
    /// last alignment unit of the message on 64-bit targets; padding ends zeroed.
    #[test]
    fn extending_a_rights_message_keeps_the_descriptors_it_had() {
        let (stdin, stdout) = (std::io::stdin(), std::io::stdout());
        let (a, b) = (
            std::os::fd::AsFd::as_fd(&stdin),
            std::os::fd::AsFd::as_fd(&stdout),
        );
        let mut one = vec![0xEE; cmsg_space(FD_LEN)];
        encode_fds(&mut one, &[a]);
        let mut two = vec![0xEE; cmsg_space(2 * FD_LEN)];
        two[..one.len()].copy_from_slice(&one);
        extend_fds(&mut two, FD_LEN, &[b]);
        let found = sole(&two).unwrap();
        assert_eq!(
            (found.level, found.ty),
            (libc::SOL_SOCKET, libc::SCM_RIGHTS)
        );
        assert_eq!(raw_fds(found.data).collect::<Vec<_>>(), [0, 1]);
        assert!(two[cmsg_len(2 * FD_LEN)..].iter().all(|&b| b == 0));
    }

    /// The walk's step: a whole message and what follows, a cut one, and headers it
    /// cannot step past.
    #[test]
    fn next_steps_over_whole_messages_and_stops_at_bad_ones() {
        let mut bytes = vec![0xEE; cmsg_space(3) + cmsg_space(1)];
        let first = cmsg_space(3);
        encode(&mut bytes[..first], 1, 2, &[7; 3]);
        encode(&mut bytes[first..], 3, 4, &[9]);
        let found = next(&bytes).unwrap();
        assert_eq!((found.level, found.ty, found.data), (1, 2, &[7u8; 3][..]));
        assert!(!found.truncated);
        assert_eq!(found.rest.len(), cmsg_space(1));
        assert!(sole(&bytes).is_none(), "two messages");
        assert_eq!(sole(found.rest).unwrap().data, [9]);

        let cut = &bytes[..HEADER_LEN + 1];
        let found = next(cut).unwrap();
        assert!(found.truncated);
        assert_eq!(found.data, [7]);
        assert!(found.rest.is_empty());
        assert!(sole(cut).is_none(), "a cut message is not whole");

        assert!(next(&bytes[..size_of::<libc::cmsghdr>() - 1]).is_none());
        // A `cmsg_len` of one byte less than a header: `encode_header` of a payload of
        // `usize::MAX` bytes saturates its length, so build the field by hand.
        let mut bad = encode_header(1, 2, 0);
        let len_at = offset_of!(libc::cmsghdr, cmsg_len);
        let short = HEADER_LEN as u64 - 1;
        if cmsg_len_field_size() == 4 {
            bad[len_at..len_at + 4].copy_from_slice(&(short as u32).to_ne_bytes());
        } else {
            bad[len_at..len_at + 8].copy_from_slice(&short.to_ne_bytes());
        }
        assert_eq!(read_header(&bad).unwrap().len, HEADER_LEN - 1);
        assert!(next(&bad).is_none(), "a cmsg_len shorter than a header");
    }
}
