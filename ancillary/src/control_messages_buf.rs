//! [`ControlMessagesBuf`]: an owned, growable buffer of control messages that owns the
//! file descriptors it received.
//!
//! The public API can only append: nothing shortens the buffer or rewrites bytes that are
//! already in it. That is what makes descriptor ownership sound: the bytes a receive wrote
//! stay exactly as the kernel wrote them until the descriptors in them are taken or closed.

mod received;

use core::ffi::c_int;
use core::fmt;
use core::mem::MaybeUninit;
use core::ops::{Deref, DerefMut};
use std::collections::TryReserveError;
use std::os::fd::BorrowedFd;

use crate::cmsg::{
    self, cmsg_align, cmsg_len_field_size, cmsg_space, max_cmsg_len, message_end, FD_LEN,
};
use crate::control_messages::ControlMessages;
use crate::error::CapacityError;
use crate::fds::ReceivedFds;
use crate::message::ControlMessage;
use crate::platform::CMSG_ALIGN_UNIT;
use crate::region::{GrowError, Storage};

/// An owned buffer of control messages.
///
/// It dereferences to [`ControlMessages`] for reading and iterating, and it exposes a subset
/// of `Vec`'s capacity management. It can only grow: no public method removes bytes, so a
/// descriptor that a receive placed in it is never lost. Descriptors received into the
/// buffer are owned by it and closed when it is dropped, unless they were taken first (see
/// [`AncillaryData::take_owned_fds`](crate::AncillaryData::take_owned_fds)).
///
/// The storage is either the buffer's own ([`new`](Self::new),
/// [`with_capacity`](Self::with_capacity): its first 64 bytes inside the value, more on the
/// heap; the lifetime is then `'static`) or a buffer the caller lends
/// ([`with_storage`](Self::with_storage)). A lent buffer may sit at any address: the
/// messages start at its first suitably aligned byte. It never grows: [`push`](Self::push)
/// into a full one records a [`CapacityError`] that the next send returns, and
/// [`try_push`](Self::try_push) returns it at once.
///
/// ```
/// use ancillary::{ControlMessage, ControlMessagesBuf};
///
/// let mut buf = ControlMessagesBuf::with_capacity(64);
/// buf.push(&ControlMessage::new(libc::IPPROTO_IP, libc::IP_TTL, &64i32.to_ne_bytes()));
/// assert_eq!(buf.len(), ancillary::cmsg_space(4));
/// assert_eq!(buf.iter().next().unwrap().data(), &64i32.to_ne_bytes());
/// ```
// `repr(C)` keeps the four words that a clear resets next to each other (`len` to
// `open_payload`), so that they are reset as one block (BENCHMARKS.md, "Why the code is
// shaped so").
#[repr(C)]
pub struct ControlMessagesBuf<'s> {
    storage: Storage<'s>,
    /// Bytes of messages in the buffer. Invariant: `received <= len <= storage.capacity()`.
    len: usize,
    /// `bytes[..received]` came from the last receive.
    received: usize,
    /// `needed` of the first message that did not fit since the last clear; 0 if none did
    /// (a failed append always needed at least a byte).
    overflow_needed: usize,
    /// Payload length of the last message if it is an `SCM_RIGHTS` message added for
    /// sending (it starts at `len - cmsg_space(open_payload)`), so that further descriptors
    /// join it instead of starting a second one; 0 if there is none (an empty list of
    /// descriptors adds no message).
    open_payload: usize,
    /// The owner of the descriptors in `bytes[..received]` (if any) not yet taken.
    fds: ReceivedFds,
}

/// The largest payload [`ControlMessagesBuf::try_push`] and `try_push_fds` add inline (64
/// descriptors); larger ones take the general path.
const FAST_PAYLOAD: usize = 256;

impl ControlMessagesBuf<'static> {
    /// An empty buffer with no room yet. It grows as messages are added: inside the value
    /// for the first 64 bytes, on the heap beyond.
    #[must_use]
    #[inline]
    pub const fn new() -> ControlMessagesBuf<'static> {
        ControlMessagesBuf::from_storage(Storage::new())
    }

    /// An empty buffer without room: see [`AncillaryData::none`](crate::AncillaryData).
    #[inline]
    pub(crate) const fn none() -> ControlMessagesBuf<'static> {
        ControlMessagesBuf::from_storage(Storage::none())
    }

    /// An empty buffer with room for `capacity` bytes of messages, rounded up to a multiple
    /// of 8: inside the value up to 64 bytes, on the heap (allocated now) beyond.
    ///
    /// Size it with [`cmsg_space`](crate::cmsg_space) per message, or
    /// [`AncillaryData::space_for_fds`](crate::AncillaryData::space_for_fds).
    #[must_use]
    pub fn with_capacity(capacity: usize) -> ControlMessagesBuf<'static> {
        ControlMessagesBuf::from_storage(Storage::with_capacity(capacity))
    }
}

impl Default for ControlMessagesBuf<'static> {
    fn default() -> Self {
        ControlMessagesBuf::new()
    }
}

impl<'s> ControlMessagesBuf<'s> {
    /// An empty buffer over caller-provided storage, such as a stack array.
    ///
    /// The storage may start at any address; bytes at its start are skipped up to the first
    /// one aligned for a `cmsghdr` and for `CMSG_ALIGN`: up to 7 on 64-bit targets (3 on
    /// 32-bit targets and Apple platforms). It is zeroed here, once, and never
    /// reallocated.
    ///
    /// ```
    /// use std::mem::MaybeUninit;
    /// use ancillary::ControlMessagesBuf;
    ///
    /// let mut storage = [MaybeUninit::uninit(); 128];
    /// let buf = ControlMessagesBuf::with_storage(&mut storage[1..]); // an odd address is fine
    /// assert!(buf.capacity() >= 128 - 8);
    /// ```
    #[must_use]
    #[inline]
    pub fn with_storage(storage: &'s mut [MaybeUninit<u8>]) -> ControlMessagesBuf<'s> {
        ControlMessagesBuf::from_storage(Storage::fixed(storage))
    }

    #[inline]
    const fn from_storage(storage: Storage<'s>) -> Self {
        ControlMessagesBuf {
            storage,
            len: 0,
            received: 0,
            overflow_needed: 0,
            open_payload: 0,
            fds: ReceivedFds::NONE,
        }
    }

    /// The number of bytes the buffer can hold without growing.
    #[must_use]
    #[inline]
    pub fn capacity(&self) -> usize {
        self.storage.capacity()
    }

    /// The messages in the buffer.
    #[must_use]
    #[inline]
    pub fn as_control_messages(&self) -> &ControlMessages {
        ControlMessages::from_bytes(self.bytes(self.len))
    }

    /// Appends a message.
    ///
    /// Heap storage grows as needed. If the message does not fit fixed storage, it is not
    /// added, and the failure is remembered: the next send through this buffer fails with an
    /// [`io::Error`](std::io::Error) of kind `InvalidInput` before any system call. Use
    /// [`try_push`](Self::try_push) to handle it at once instead.
    #[inline]
    pub fn push(&mut self, message: &ControlMessage<'_>) {
        if let Err(err) = self.try_push(message) {
            self.remember(err);
        }
    }

    /// Appends a message, or returns why it does not fit (and adds nothing).
    ///
    /// # Errors
    /// [`CapacityError`] when fixed storage is too small, or the payload is larger than a
    /// `cmsg_len` can describe.
    #[inline]
    pub fn try_push(&mut self, message: &ControlMessage<'_>) -> Result<(), CapacityError> {
        let data = message.data();
        let (level, ty) = (message.cmsg_level(), message.cmsg_type());
        // The common case, inline: a small message at an aligned end, with room.
        let at = self.len;
        if data.len() <= FAST_PAYLOAD && at % CMSG_ALIGN_UNIT == 0 {
            let space = cmsg_space(data.len());
            if let Some(dst) = self.storage.get_mut(at, space) {
                cmsg::encode(dst, level, ty, data);
                self.len = at + space;
                self.open_payload = 0;
                return Ok(());
            }
        }
        self.push_slow(level, ty, data)
    }

    /// [`try_push`](Self::try_push) for the other cases: a large message, an unaligned end
    /// (after a receive whose last message had no padding), or storage to grow.
    #[inline(never)]
    fn push_slow(&mut self, level: c_int, ty: c_int, data: &[u8]) -> Result<(), CapacityError> {
        let (at, end) = self.reserve_message(data.len())?;
        cmsg::encode(self.storage.range_mut(at, end), level, ty, data);
        self.len = end;
        self.open_payload = 0;
        Ok(())
    }

    /// Appends every message of `messages`, in order (each as [`push`](Self::push) would).
    pub fn extend_from_slice(&mut self, messages: &[ControlMessage<'_>]) {
        for message in messages {
            self.push(message);
        }
    }

    /// Makes room for at least `additional` more bytes, growing heap storage geometrically.
    ///
    /// Fixed storage never grows, so there this does nothing; use
    /// [`try_reserve`](Self::try_reserve) to learn whether the room is there.
    ///
    /// # Panics
    /// Like `Vec::reserve`, if heap storage cannot grow (capacity overflow or allocation
    /// failure).
    pub fn reserve(&mut self, additional: usize) {
        self.reserve_or_panic(additional, false);
    }

    /// Like [`reserve`](Self::reserve), but without over-allocating.
    ///
    /// # Panics
    /// Like `Vec::reserve_exact`, if heap storage cannot grow.
    pub fn reserve_exact(&mut self, additional: usize) {
        self.reserve_or_panic(additional, true);
    }

    /// Makes room for at least `additional` more bytes, or reports why it cannot.
    ///
    /// # Errors
    /// If the allocator fails or the size overflows; and, for fixed storage, whenever the
    /// room is not already there (reported as a capacity overflow, the only kind of
    /// `TryReserveError` that can be made outside `alloc`).
    pub fn try_reserve(&mut self, additional: usize) -> Result<(), TryReserveError> {
        self.try_reserve_inner(additional, false)
    }

    /// Like [`try_reserve`](Self::try_reserve), but without over-allocating.
    ///
    /// # Errors
    /// As for [`try_reserve`](Self::try_reserve).
    pub fn try_reserve_exact(&mut self, additional: usize) -> Result<(), TryReserveError> {
        self.try_reserve_inner(additional, true)
    }

    fn try_reserve_inner(&mut self, additional: usize, exact: bool) -> Result<(), TryReserveError> {
        let needed = self
            .len
            .checked_add(additional)
            .ok_or_else(capacity_overflow)?;
        match self.storage.grow_to(needed, exact) {
            Ok(()) => Ok(()),
            Err(GrowError::Alloc(err)) => Err(err),
            Err(GrowError::Fixed) => Err(capacity_overflow()),
        }
    }

    fn reserve_or_panic(&mut self, additional: usize, exact: bool) {
        if self.storage.is_fixed() {
            return;
        }
        if let Err(err) = self.try_reserve_inner(additional, exact) {
            panic!("ControlMessagesBuf: cannot reserve {additional} more bytes: {err}");
        }
    }

    /// Appends an `SCM_RIGHTS` message with `fds`, or extends the `SCM_RIGHTS` message this
    /// buffer ended with. An empty list adds nothing.
    #[inline(always)]
    pub(crate) fn try_push_fds(&mut self, fds: &[BorrowedFd<'_>]) -> Result<(), CapacityError> {
        // The common case, inline: a new message of a few descriptors at an aligned end,
        // with room. (The bound on the count also keeps the message within any `cmsg_len`
        // field, which only the general path checks.)
        let at = self.len;
        if !fds.is_empty()
            && fds.len() <= FAST_PAYLOAD / FD_LEN
            && (self.open_payload | (at % CMSG_ALIGN_UNIT)) == 0
        {
            let payload = size_of_val(fds);
            let space = cmsg_space(payload);
            if let Some(dst) = self.storage.get_mut(at, space) {
                cmsg::encode_fds(dst, fds);
                self.len = at + space;
                self.open_payload = payload;
                return Ok(());
            }
        }
        self.push_fds_slow(fds)
    }

    /// [`try_push_fds`](Self::try_push_fds) for the other cases: no descriptors, many, an
    /// unaligned end, an open `SCM_RIGHTS` message to extend, or storage to grow.
    #[inline(never)]
    fn push_fds_slow(&mut self, fds: &[BorrowedFd<'_>]) -> Result<(), CapacityError> {
        if fds.is_empty() {
            return Ok(());
        }
        if self.open_payload != 0 {
            return self.extend_fds(fds);
        }
        let payload = size_of_val(fds);
        let (at, end) = self.reserve_message(payload)?;
        cmsg::encode_fds(self.storage.range_mut(at, end), fds);
        self.len = end;
        self.open_payload = payload;
        Ok(())
    }

    /// Adds `fds` to the open `SCM_RIGHTS` message, the last one in the buffer.
    fn extend_fds(&mut self, fds: &[BorrowedFd<'_>]) -> Result<(), CapacityError> {
        let old = self.open_payload;
        let at = self.len - cmsg_space(old);
        let payload = old
            .checked_add(size_of_val(fds))
            .ok_or_else(|| CapacityError::new(usize::MAX, self.capacity()))?;
        let end = self.reserve_at(at, payload)?;
        cmsg::extend_fds(self.storage.range_mut(at, end), old, fds);
        self.len = end;
        self.open_payload = payload;
        Ok(())
    }

    /// Records the first failure of an infallible append.
    pub(crate) fn remember(&mut self, err: CapacityError) {
        if self.overflow_needed == 0 {
            self.overflow_needed = err.needed().max(1);
        }
    }

    /// The first append that failed since the last clear, if any, with the capacity as it
    /// is now (fixed storage never changes it).
    #[inline]
    pub(crate) fn overflow(&self) -> Option<CapacityError> {
        match self.overflow_needed {
            0 => None,
            needed => Some(CapacityError::new(needed, self.capacity())),
        }
    }

    /// Makes room for a message with a `payload`-byte payload at the aligned end of the
    /// buffer, zeroing the gap to it (only after a receive whose last message had no
    /// padding); returns where the message starts and ends, padding included.
    #[inline(always)]
    fn reserve_message(&mut self, payload: usize) -> Result<(usize, usize), CapacityError> {
        let start = self.len;
        let at = cmsg_align(start);
        let end = self.reserve_at(at, payload)?;
        if at != start {
            self.storage.range_mut(start, at).fill(0);
        }
        Ok((at, end))
    }

    /// Ensures room for a message with a `payload`-byte payload at `at`; returns where the
    /// message (padding included) ends.
    #[inline(always)]
    fn reserve_at(&mut self, at: usize, payload: usize) -> Result<usize, CapacityError> {
        let max_len = const { max_cmsg_len(cmsg_len_field_size()) };
        let Some(end) = message_end(at, payload, max_len) else {
            return Err(CapacityError::new(usize::MAX, self.capacity()));
        };
        match self.storage.grow_to(end, false) {
            Ok(()) => Ok(end),
            Err(GrowError::Fixed | GrowError::Alloc(_)) => {
                Err(CapacityError::new(end, self.capacity()))
            }
        }
    }
}

fn capacity_overflow() -> TryReserveError {
    // `TryReserveError` has no public constructor; asking any `Vec` for more than
    // `isize::MAX` bytes yields the capacity-overflow variant without allocating.
    Vec::<u8>::new()
        .try_reserve(usize::MAX)
        .expect_err("reserving usize::MAX bytes always fails")
}

impl Deref for ControlMessagesBuf<'_> {
    type Target = ControlMessages;

    #[inline]
    fn deref(&self) -> &ControlMessages {
        self.as_control_messages()
    }
}

impl DerefMut for ControlMessagesBuf<'_> {
    fn deref_mut(&mut self) -> &mut ControlMessages {
        ControlMessages::from_bytes_mut(self.storage.bytes_mut(self.len))
    }
}

impl AsRef<ControlMessages> for ControlMessagesBuf<'_> {
    fn as_ref(&self) -> &ControlMessages {
        self
    }
}

impl AsMut<ControlMessages> for ControlMessagesBuf<'_> {
    fn as_mut(&mut self) -> &mut ControlMessages {
        self
    }
}

impl<'a> IntoIterator for &'a ControlMessagesBuf<'_> {
    type Item = ControlMessage<'a>;
    type IntoIter = crate::control_messages::ControlMessagesIter<'a>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl fmt::Debug for ControlMessagesBuf<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ControlMessagesBuf")
            .field("storage", &self.storage)
            .field("len", &self.len)
            .field("messages", &self.as_control_messages())
            .field("received", &self.received)
            .field("owns_fds", &!self.fds.is_none())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmsg::{cmsg_len, read_header, BUFFER_ALIGN, HEADER_LEN};
    use core::ffi::c_int;
    use std::os::fd::{AsFd, AsRawFd};

    pub(super) fn payloads(buf: &ControlMessagesBuf<'_>) -> Vec<(c_int, c_int, Vec<u8>)> {
        buf.iter()
            .map(|m| (m.cmsg_level(), m.cmsg_type(), m.data().to_vec()))
            .collect()
    }

    #[test]
    fn push_writes_cmsg_len_without_padding_and_zeroes_padding() {
        let mut buf = ControlMessagesBuf::new();
        buf.push(&ControlMessage::new(1, 2, &[0xAA; 5]));
        let bytes = buf.as_bytes();
        assert_eq!(bytes.len(), cmsg_space(5));
        let header = read_header(bytes).unwrap();
        assert_eq!(header.len, cmsg_len(5));
        assert_eq!((header.level, header.ty), (1, 2));
        assert!(bytes[cmsg_len(5)..].iter().all(|&b| b == 0));
        assert!(bytes[size_of::<libc::cmsghdr>()..HEADER_LEN]
            .iter()
            .all(|&b| b == 0));
    }

    /// A buffer whose first 64 bytes held a message of 0xFF bytes, then were cleared:
    /// stale bytes that every later write must overwrite or zero where it pads.
    pub(super) fn cleared_over_stale_bytes(
        storage: &mut [MaybeUninit<u8>],
    ) -> ControlMessagesBuf<'_> {
        let mut buf = ControlMessagesBuf::with_storage(storage);
        buf.push(&ControlMessage::new(9, 9, &[0xFF; 64 - HEADER_LEN]));
        assert_eq!(buf.len, 64);
        buf.clear();
        buf
    }

    #[test]
    fn push_at_an_aligned_end_zeroes_stale_padding() {
        let mut storage = [MaybeUninit::uninit(); 128];
        let mut buf = cleared_over_stale_bytes(&mut storage);
        buf.push(&ControlMessage::new(1, 2, &[0xCD]));
        buf.push(&ControlMessage::new(3, 4, &[0xEF; 9]));
        let bytes = buf.as_bytes();
        assert_eq!(bytes.len(), cmsg_space(1) + cmsg_space(9));
        assert_eq!(payloads(&buf), [(1, 2, vec![0xCD]), (3, 4, vec![0xEF; 9])]);
        let second = cmsg_space(1);
        for padding in [cmsg_len(1)..second, second + cmsg_len(9)..bytes.len()] {
            assert!(
                bytes[padding.clone()].iter().all(|&b| b == 0),
                "{padding:?}"
            );
        }
    }

    #[test]
    fn consecutive_fd_lists_share_one_rights_message() {
        let stdin = std::io::stdin();
        let stdout = std::io::stdout();
        let (a, b) = (stdin.as_fd(), stdout.as_fd());
        let mut buf = ControlMessagesBuf::new();
        buf.try_push_fds(&[a]).unwrap();
        buf.try_push_fds(&[]).unwrap();
        buf.try_push_fds(&[b, a]).unwrap();
        let mut expected = Vec::new();
        for fd in [0, 1, 0] {
            expected.extend_from_slice(&(fd as c_int).to_ne_bytes());
        }
        assert_eq!(
            payloads(&buf),
            [(libc::SOL_SOCKET, libc::SCM_RIGHTS, expected)]
        );
        // Another message closes the rights message; more fds start a new one.
        buf.push(&ControlMessage::new(7, 8, &[]));
        buf.try_push_fds(&[b]).unwrap();
        assert_eq!(buf.iter().count(), 3);
    }

    /// `len` bytes of `storage` at an address aligned for `cmsghdr`.
    fn aligned(storage: &mut [MaybeUninit<u8>], len: usize) -> &mut [MaybeUninit<u8>] {
        let skip = storage.as_ptr().align_offset(BUFFER_ALIGN);
        &mut storage[skip..skip + len]
    }

    /// Descriptor lists of every length write the same bytes as pushing the message itself, over stale bytes, and a
    /// message that exactly fills fixed storage fits while one more descriptor does not.
    #[test]
    fn fd_lists_of_every_path_write_the_message_bytes() {
        let stderr = std::io::stderr();
        let fd = stderr.as_fd();
        for n in [1, 2, 3, 4, 5, 63, 64, 65, 200] {
            let fds = vec![fd; n];
            let payload: Vec<u8> = (0..n).flat_map(|_| fd.as_raw_fd().to_ne_bytes()).collect();
            let mut expected = ControlMessagesBuf::new();
            expected.push(&ControlMessage::new(
                libc::SOL_SOCKET,
                libc::SCM_RIGHTS,
                &payload,
            ));
            let space = cmsg_space(payload.len());
            let mut storage = vec![MaybeUninit::uninit(); space.max(64) + BUFFER_ALIGN];
            let mut fixed = cleared_over_stale_bytes(&mut storage);
            fixed.try_push_fds(&fds).unwrap();
            assert_eq!(fixed.as_bytes(), expected.as_bytes(), "{n} fds");
            let mut heap = ControlMessagesBuf::new();
            heap.try_push_fds(&fds).unwrap();
            assert_eq!(heap.as_bytes(), expected.as_bytes(), "{n} fds on the heap");

            let mut storage = vec![MaybeUninit::uninit(); space + BUFFER_ALIGN];
            let mut exact = ControlMessagesBuf::with_storage(aligned(&mut storage, space));
            assert_eq!(exact.capacity(), space);
            exact.try_push_fds(&fds).unwrap();
            assert_eq!(exact.as_bytes(), expected.as_bytes(), "{n} fds, exact fit");
            drop(exact);
            let mut short = ControlMessagesBuf::with_storage(aligned(&mut storage, space - 1));
            let err = short.try_push_fds(&fds).unwrap_err();
            assert_eq!(err.needed(), space, "{n} fds, one byte short");
            assert!(short.is_empty());
        }
    }

    #[test]
    fn empty_fd_list_adds_nothing() {
        let mut buf = ControlMessagesBuf::new();
        buf.try_push_fds(&[]).unwrap();
        assert!(buf.is_empty());
    }

    #[test]
    fn full_fixed_storage_reports_and_remembers() {
        let mut storage = [MaybeUninit::uninit(); 40];
        let mut buf = ControlMessagesBuf::with_storage(&mut storage);
        let cap = buf.capacity();
        let big = vec![1u8; cap];
        let err = buf.try_push(&ControlMessage::new(1, 1, &big)).unwrap_err();
        assert_eq!(err.capacity(), cap);
        assert!(err.needed() > cap);
        assert!(buf.is_empty(), "a failed push adds nothing");
        assert!(buf.overflow().is_none(), "try_push does not poison");
        buf.push(&ControlMessage::new(1, 1, &big));
        assert_eq!(buf.overflow(), Some(err));
        buf.push(&ControlMessage::new(1, 1, &[1]));
        assert_eq!(buf.iter().count(), 1, "later messages that fit are added");
        assert_eq!(buf.overflow(), Some(err), "the first failure is kept");
        buf.clear();
        assert!(buf.overflow().is_none());
        assert!(buf.try_reserve(cap + 1).is_err());
        assert!(buf.try_reserve(cap).is_ok());
        buf.reserve(cap * 2);
        assert_eq!(buf.capacity(), cap, "fixed storage never grows");
    }

    #[test]
    fn heap_storage_grows_to_fit() {
        let mut buf = ControlMessagesBuf::new();
        for i in 0..100u8 {
            buf.push(&ControlMessage::new(1, c_int::from(i), &[i; 3]));
        }
        assert_eq!(buf.iter().count(), 100);
        assert!(buf
            .iter()
            .enumerate()
            .all(|(i, m)| m.data() == [i as u8; 3]));
        buf.reserve_exact(1000);
        assert!(buf.capacity() >= buf.len() + 1000);
        assert!(buf.try_reserve(usize::MAX).is_err());
    }
}
