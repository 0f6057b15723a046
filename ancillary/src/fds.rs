//! Descriptor ownership: which received messages carry descriptors this process now owns
//! (`FdKind`), handing them out as [`OwnedFd`]s (`OwnedFds`), counting and closing them.
//! The buffer that received them records which kinds it still owns; the walk here keeps
//! that record true.

use core::ffi::c_int;
use core::fmt;
use core::iter::FusedIterator;
use core::marker::PhantomData;
use core::mem::size_of;
use core::ptr::NonNull;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};

use crate::cmsg::{cmsg_align, HEADER_LEN};
use crate::cmsg::{read_header, Header};
use crate::control_messages::{ControlMessages, ControlMessagesIter};

/// The descriptors in one payload: whole native-endian `c_int`s, negative values skipped
/// (no kernel sends them, and `-1` is not a valid `OwnedFd`).
pub(crate) fn raw_fds(data: &[u8]) -> impl Iterator<Item = RawFd> + '_ {
    data.chunks_exact(size_of::<c_int>())
        .map(|chunk| {
            let mut raw = [0u8; size_of::<c_int>()];
            raw.copy_from_slice(chunk);
            c_int::from_ne_bytes(raw)
        })
        .filter(|&fd| fd >= 0)
}

/// The header of the message in `bytes` if it is the only one, and whole.
#[inline(always)]
fn sole_message(bytes: &[u8]) -> Option<Header> {
    let header = read_header(bytes)?;
    let whole = header.len >= HEADER_LEN && header.len <= bytes.len();
    // What follows the message, if anything, is too short for another header.
    let sole = bytes.len() - cmsg_align(header.len).min(bytes.len()) < size_of::<libc::cmsghdr>();
    (whole && sole).then_some(header)
}

/// The payload of the message in `bytes` if it is the only one, whole, and of `kind`.
#[inline(always)]
fn sole_message_of(bytes: &[u8], kind: FdKind) -> Option<&[u8]> {
    let header = sole_message(bytes)?;
    if FdKind::of(header.level, header.ty) == Some(kind) {
        bytes.get(HEADER_LEN..header.len)
    } else {
        None
    }
}

/// Whether `bytes` are one whole message of a kind that carries no descriptors: then
/// closing them needs no walk.
#[inline(always)]
pub(crate) fn is_sole_message_without_fds(bytes: &[u8]) -> bool {
    sole_message(bytes).is_some_and(|h| FdKind::of(h.level, h.ty).is_none())
}

/// Counts the descriptors of `kind` in the messages.
pub(crate) fn count(messages: ControlMessagesIter<'_>, kind: FdKind) -> usize {
    messages
        .filter(|m| FdKind::of(m.cmsg_level(), m.cmsg_type()) == Some(kind))
        .map(|m| raw_fds(m.data()).count())
        .sum()
}

/// Closes every descriptor of a payload.
///
/// # Safety
/// Every descriptor in `data` must be open and owned by the caller, who gives it up.
pub(crate) unsafe fn close_all(data: &[u8]) {
    for fd in raw_fds(data) {
        // SAFETY: `fd` is open and owned by the caller (this function's contract) and
        // non-negative (`raw_fds` skips the rest); dropping the `OwnedFd` closes it once.
        drop(unsafe { OwnedFd::from_raw_fd(fd) });
    }
}

/// Which kind of received message carries descriptors that the receiver now owns.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum FdKind {
    /// `SCM_RIGHTS`: the descriptors a peer passed.
    Rights,
    /// `SCM_PIDFD`: a pidfd of the sending process, installed by the kernel.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    Pidfd,
}

impl FdKind {
    /// The bit of this kind in an ownership mask.
    pub(crate) const fn bit(self) -> u8 {
        match self {
            FdKind::Rights => 1,
            #[cfg(any(target_os = "linux", target_os = "android"))]
            FdKind::Pidfd => 2,
        }
    }

    /// Every kind this platform knows.
    pub(crate) const ALL_BITS: u8 = {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        {
            1 | 2
        }
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        {
            1
        }
    };

    /// The kind of descriptor a received message of this level and type carries, if any.
    pub(crate) fn of(level: c_int, ty: c_int) -> Option<FdKind> {
        if level != libc::SOL_SOCKET {
            return None;
        }
        match ty {
            libc::SCM_RIGHTS => Some(FdKind::Rights),
            #[cfg(any(target_os = "linux", target_os = "android"))]
            crate::platform::SCM_PIDFD => Some(FdKind::Pidfd),
            _ => None,
        }
    }
}

/// The kinds of received descriptors a buffer still owns: a set of [`FdKind`] bits.
///
/// A receive makes the buffer own every kind ([`ALL`](Self::ALL)); taking a kind's
/// descriptors gives that kind up ([`drain`](Self::drain)); a walk over every received
/// message proves the kinds it did not see absent, so they need no walk when the buffer is
/// cleared. `Rights` is never cleared by a walk: its bit also answers whether a receive's
/// `SCM_RIGHTS` descriptors are still there to be taken (`take_owned_fds` gives `Some` of
/// an empty list, rather than `None`, after a receive that brought none).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Owned(u8);

impl Owned {
    /// Nothing received, or everything taken.
    pub(crate) const NONE: Owned = Owned(0);
    /// Right after a receive: every kind the platform knows.
    pub(crate) const ALL: Owned = Owned(FdKind::ALL_BITS);

    /// Whether descriptors of `kind` are still owned.
    #[inline]
    pub(crate) fn owns(self, kind: FdKind) -> bool {
        self.0 & kind.bit() != 0
    }

    /// Whether no descriptor of any kind is owned.
    #[inline]
    pub(crate) fn is_none(self) -> bool {
        self.0 == 0
    }

    /// After a walk over every received message that saw the kinds in `seen` (bits):
    /// forgets the other kinds, but for `Rights`.
    #[inline]
    fn keep_seen(&mut self, seen: u8) {
        self.0 &= seen | FdKind::Rights.bit();
    }

    /// Counts the received descriptors of `kind` still owned, in `received`.
    pub(crate) fn count(self, received: &[u8], kind: FdKind) -> usize {
        if !self.owns(kind) {
            return 0;
        }
        count(ControlMessages::from_bytes(received).iter(), kind)
    }

    /// Closes every received descriptor still owned, in one walk, and gives them up.
    ///
    /// # Safety
    /// As for [`drain`](Self::drain).
    #[inline]
    pub(crate) unsafe fn close(&mut self, received: &[u8]) {
        let owned = *self;
        // Nothing owned (descriptors taken, or known absent after a walk): nothing to do,
        // not even a store, on the common path.
        if owned.is_none() {
            return;
        }
        *self = Owned::NONE;
        // SAFETY: the caller's promise, for the kinds that were owned.
        unsafe { close_kinds(owned, received) };
    }
}

/// Closes every descriptor of the kinds in `owned` in `received`, in one walk. Out of
/// line: clearing a buffer whose descriptors were taken never gets here.
///
/// # Safety
/// Descriptors of the kinds in `owned` in `received` must be open and owned by the caller,
/// who gives them up.
unsafe fn close_kinds(owned: Owned, received: &[u8]) {
    for message in ControlMessages::from_bytes(received) {
        match FdKind::of(message.cmsg_level(), message.cmsg_type()) {
            // SAFETY: descriptors of an owned kind in `received` are open and owned by the
            // caller, who gives them up here, exactly once.
            Some(kind) if owned.owns(kind) => unsafe { close_all(message.data()) },
            _ => {}
        }
    }
}

/// Received file descriptors, handed out as [`OwnedFd`]s without allocating.
///
/// Returned by [`AncillaryData::drain_fds`](crate::AncillaryData::drain_fds). The
/// descriptors belong to the iterator from the moment it is created: each one it yields
/// belongs to the caller, and the ones it did not yield are closed when it is dropped. (If
/// the iterator is leaked with `mem::forget`, so are they, which is safe.)
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// use std::os::fd::AsFd;
/// use std::os::unix::net::UnixStream;
/// use ancillary::{AncillaryData, MessageReceiver, MessageSender};
///
/// let (a, b) = UnixStream::pair()?;
/// let mut send = AncillaryData::new();
/// send.add_file_descriptors(&[a.as_fd(), b.as_fd()]);
/// MessageSender::new(&a, b"x").ancillary_data(&mut send).send()?;
///
/// let mut recv = AncillaryData::with_capacity(AncillaryData::space_for_fds(2));
/// MessageReceiver::new(&b, &mut [0; 1]).ancillary_data(&mut recv).recv()?;
/// let fds = recv.drain_fds();
/// assert_eq!(fds.len(), 2);
/// for fd in fds {
///     println!("received {fd:?}");
/// }
/// # Ok(())
/// # }
/// ```
pub struct OwnedFds<'a> {
    /// The descriptors of the current message not yet yielded.
    current: core::slice::Iter<'a, [u8; size_of::<c_int>()]>,
    /// The buffer's record, where the walk over the other messages stands.
    record: &'a mut FdRecord,
    /// The received bytes that `record.walk` points into.
    _received: PhantomData<&'a [u8]>,
}

/// What a buffer knows about the descriptors of its last receive: the kinds it still owns,
/// and where a drain over them stands.
///
/// The walk lives here, in the buffer, rather than in the [`OwnedFds`] that a drain hands
/// out, so that the iterator is its current message and one pointer: a caller's loop keeps
/// those in registers across the `close` of each descriptor (BENCHMARKS.md, "Why the code
/// is shaped so").
#[derive(Debug)]
pub(crate) struct FdRecord {
    /// The kinds of received descriptors still owned.
    pub(crate) owned: Owned,
    /// Meaningful only while an [`OwnedFds`] borrows the record; each drain starts it anew.
    walk: Walk,
}

/// Where a drain's walk over the received messages stands.
#[derive(Debug)]
struct Walk {
    /// The bytes after the current message, as the parts of a slice of the received bytes
    /// (the `rest` of a [`ControlMessagesIter`]): they are borrowed by the [`OwnedFds`]
    /// that borrows this record, for as long as it does.
    rest: *const u8,
    rest_len: usize,
    kind: FdKind,
    /// Whether the walk has seen every message (and `owned` was updated): once the current
    /// message's descriptors are taken, there is nothing more.
    done: bool,
    /// Kinds of descriptor-carrying messages other than `kind` seen so far.
    seen: u8,
}

impl Walk {
    /// The bytes the walk has not reached.
    ///
    /// # Safety
    /// `rest` and `rest_len` must be the parts of a slice of received bytes that stays
    /// valid for `'a`: true while the `OwnedFds` that borrows the record lives.
    #[inline(always)]
    unsafe fn rest<'a>(&self) -> &'a [u8] {
        // SAFETY: the caller's promise.
        unsafe { core::slice::from_raw_parts(self.rest, self.rest_len) }
    }
}

// SAFETY: the pointer is a cached position inside received bytes that only the `OwnedFds`
// borrowing the record reads, through `&mut FdRecord`; the rest is integers.
unsafe impl Send for Walk {}
// SAFETY: as for `Send`; a shared `&FdRecord` never reads through the pointer.
unsafe impl Sync for Walk {}

impl FdRecord {
    /// Nothing received, or everything taken.
    /// (The walk is all zeroes, which a new buffer sets with its other fields; no drain
    /// reads it before setting it.)
    pub(crate) const NONE: FdRecord = FdRecord {
        owned: Owned::NONE,
        walk: Walk {
            rest: core::ptr::null(),
            rest_len: 0,
            kind: FdKind::Rights,
            done: false,
            seen: 0,
        },
    };

    /// Right after a receive: every kind owned.
    pub(crate) const RECEIVED: FdRecord = FdRecord {
        owned: Owned::ALL,
        walk: FdRecord::NONE.walk,
    };

    /// Gives up the received descriptors of `kind`, handing them out one by one (none if
    /// they were not owned).
    ///
    /// # Safety
    /// `received` must be all of the bytes of the receive this record is about, in which
    /// every descriptor of an owned kind is open and owned by this record.
    #[inline]
    pub(crate) unsafe fn drain<'a>(&'a mut self, received: &'a [u8], kind: FdKind) -> OwnedFds<'a> {
        let owned = self.owned.owns(kind);
        self.owned.0 &= !kind.bit();
        // The common case needs no walk: one whole message of `kind` is all there is.
        let sole = if owned {
            sole_message_of(received, kind)
        } else {
            None
        };
        let (current, rest_len, done) = match sole {
            Some(data) => (data, 0, true),
            None if owned => (&[][..], received.len(), false),
            // Nothing of `kind` is owned: the walk yields nothing, and proves nothing.
            None => (&[][..], 0, true),
        };
        self.walk = Walk {
            rest: received.as_ptr(),
            rest_len,
            kind,
            done,
            seen: 0,
        };
        if sole.is_some() {
            // The walk is complete, and saw no other kind.
            self.owned.keep_seen(0);
        }
        // Ownership of the descriptors of `kind` in `received` passes to the iterator
        // exactly once: the bit is now cleared. It yields `current`'s, then those that
        // `next_message` finds in `walk.rest`, the rest of `received`.
        OwnedFds {
            current: fd_slots(current).iter(),
            record: self,
            _received: PhantomData,
        }
    }

    /// Records that the walk has seen every message: only the other kinds seen hold
    /// descriptors.
    #[inline]
    fn finish(&mut self) {
        self.walk.done = true;
        self.owned.keep_seen(self.walk.seen);
    }
}

/// The whole descriptor slots of a payload.
#[inline(always)]
fn fd_slots(data: &[u8]) -> &[[u8; size_of::<c_int>()]] {
    // `[u8; 4]` has alignment 1 and no invalid values, and `len` slots end inside `data`.
    // SAFETY: a view of initialised bytes of `data`, borrowed for as long as `data` is.
    unsafe { core::slice::from_raw_parts(data.as_ptr().cast(), data.len() / size_of::<c_int>()) }
}

/// The payload [`next_message`] found: the parts of a slice.
#[repr(C)]
struct Payload {
    ptr: *const u8,
    len: usize,
}

/// Moves the walk to the next message of its kind and returns its payload (empty once the
/// walk is over). Called once per message, not per descriptor: the per-descriptor step in
/// [`OwnedFds::next`] is all that a caller's loop holds.
///
/// `extern "C"` so that it cannot unwind (it never panics; an unwind would abort): a call
/// that may unwind makes the caller's loop keep the iterator in memory for the landing pad
/// that would drop it.
///
/// # Safety
/// `walk.rest`/`walk.rest_len` must be the parts of a slice of received bytes that stays
/// valid while the payload returned is used.
#[inline(never)]
unsafe extern "C" fn next_message(record: &mut FdRecord) -> Payload {
    // SAFETY: the parts of a live slice (this function's contract).
    let rest = unsafe { record.walk.rest() };
    let mut messages = ControlMessages::from_bytes(rest).iter();
    while let Some(message) = messages.next() {
        let current = match FdKind::of(message.cmsg_level(), message.cmsg_type()) {
            Some(kind) if kind == record.walk.kind => message.data(),
            Some(other) => {
                record.walk.seen |= other.bit();
                &[]
            }
            None => &[],
        };
        if current.len() >= size_of::<c_int>() {
            let rest = messages.rest();
            record.walk.rest = rest.as_ptr();
            record.walk.rest_len = rest.len();
            if messages.is_done() {
                // The last message: the walk is complete once its descriptors are
                // taken, so the caller's loop ends without another call.
                record.finish();
            }
            return Payload {
                ptr: current.as_ptr(),
                len: current.len(),
            };
        }
    }
    // No message of the kind is left: the walk is over, whatever bytes the iterator
    // stopped at.
    record.walk.rest_len = 0;
    record.finish();
    Payload {
        ptr: NonNull::<u8>::dangling().as_ptr(),
        len: 0,
    }
}

impl<'a> OwnedFds<'a> {
    /// The descriptors not yet yielded.
    fn remaining(&self) -> usize {
        let walk = &self.record.walk;
        // SAFETY: the walk's bytes are received bytes that `self` keeps borrowed.
        let rest = unsafe { walk.rest() };
        raw_fds(self.current.as_slice().as_flattened()).count()
            + count(ControlMessages::from_bytes(rest).iter(), walk.kind)
    }
}

impl Iterator for OwnedFds<'_> {
    type Item = OwnedFd;

    #[inline(always)]
    fn next(&mut self) -> Option<OwnedFd> {
        loop {
            if let Some(slot) = self.current.next() {
                let fd = c_int::from_ne_bytes(*slot);
                if fd < 0 {
                    // A negative number (no kernel sends one): skipped.
                    continue;
                }
                // SAFETY: the descriptor is open and owned by this iterator (see
                // `FdRecord::drain`) and non-negative; `current` has moved past it, so it
                // is handed out exactly once.
                return Some(unsafe { OwnedFd::from_raw_fd(fd) });
            }
            if self.record.walk.done {
                return None;
            }
            // SAFETY: the walk's bytes are the received bytes that `self` keeps borrowed
            // for `'a`, longer than the payload is used here.
            let payload = unsafe { next_message(self.record) };
            // SAFETY: `next_message` returns a slice of those same bytes, or an empty one.
            let data = unsafe { core::slice::from_raw_parts(payload.ptr, payload.len) };
            self.current = fd_slots(data).iter();
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let remaining = self.remaining();
        (remaining, Some(remaining))
    }
}

impl ExactSizeIterator for OwnedFds<'_> {}
impl FusedIterator for OwnedFds<'_> {}

impl Drop for OwnedFds<'_> {
    #[inline]
    fn drop(&mut self) {
        // Close whatever the caller did not take.
        for fd in self.by_ref() {
            drop(fd);
        }
    }
}

impl fmt::Debug for OwnedFds<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedFds")
            .field("remaining", &self.remaining())
            .finish()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{ControlMessage, ControlMessagesBuf};
    use std::os::fd::AsRawFd;

    /// A pipe: its read end as a raw number owned by nobody (for the code under test to
    /// own), and its write end, which tells whether the read end is still open.
    pub(crate) fn new_fd() -> (RawFd, OwnedFd) {
        let mut ends = [0; 2];
        // SAFETY: `ends` has room for the two descriptors `pipe` writes.
        assert_eq!(unsafe { libc::pipe(ends.as_mut_ptr()) }, 0);
        // SAFETY: `pipe` made the write end, and nothing else owns it.
        (ends[0], unsafe { OwnedFd::from_raw_fd(ends[1]) })
    }

    /// Whether the read end of the pipe whose write end is `probe` is still open: a write
    /// fails with `EPIPE` once it is closed. Unlike asking about a descriptor number, this
    /// cannot be fooled by another test reusing the number. (Rust programs ignore
    /// `SIGPIPE`.)
    pub(crate) fn still_open(probe: &OwnedFd) -> bool {
        // SAFETY: a one-byte write from a live buffer to a descriptor we own.
        let n = unsafe { libc::write(probe.as_raw_fd(), b"x".as_ptr().cast(), 1) };
        if n == 1 {
            return true;
        }
        let err = std::io::Error::last_os_error();
        assert_eq!(err.raw_os_error(), Some(libc::EPIPE), "write: {err}");
        false
    }

    fn rights(fds: &[RawFd]) -> Vec<u8> {
        fds.iter().flat_map(|fd| fd.to_ne_bytes()).collect()
    }

    /// Several messages: descriptors of two `SCM_RIGHTS` messages, in order, around a
    /// message of another level and a negative number (skipped); the walk then clears the
    /// record of kinds it did not see, keeps `Rights`, and yields nothing more.
    #[test]
    fn walks_every_message_of_its_kind() {
        let (raw, probes): (Vec<RawFd>, Vec<OwnedFd>) = (0..3).map(|_| new_fd()).unzip();
        let mut buf = ControlMessagesBuf::new();
        let first = rights(&[raw[0], -1]);
        buf.push(&ControlMessage::new(
            libc::SOL_SOCKET,
            libc::SCM_RIGHTS,
            &first,
        ));
        buf.push(&ControlMessage::new(
            libc::IPPROTO_IP,
            libc::IP_TTL,
            &64i32.to_ne_bytes(),
        ));
        let second = rights(&raw[1..]);
        buf.push(&ControlMessage::new(
            libc::SOL_SOCKET,
            libc::SCM_RIGHTS,
            &second,
        ));
        let mut record = FdRecord {
            owned: Owned::ALL,
            ..FdRecord::NONE
        };
        // SAFETY: the three read ends are open, and owned by nobody else.
        let fds = unsafe { record.drain(buf.as_bytes(), FdKind::Rights) };
        assert_eq!(fds.len(), 3);
        let got: Vec<RawFd> = fds.map(|fd| fd.as_raw_fd()).collect();
        assert_eq!(got, raw, "in order, the negative one skipped");
        assert!(
            record.owned.is_none(),
            "no other kind of descriptor was there"
        );
        assert!(
            probes.iter().all(|probe| !still_open(probe)),
            "each yielded one was closed"
        );
    }

    /// Closing a record: a sole message of descriptors has them closed; a message of
    /// another kind, a cut header and no bytes at all leave the record owning nothing.
    #[test]
    fn close_closes_a_sole_rights_message_and_clears_the_record() {
        let (raw, probe) = new_fd();
        let mut buf = ControlMessagesBuf::new();
        buf.push(&ControlMessage::new(
            libc::SOL_SOCKET,
            libc::SCM_RIGHTS,
            &rights(&[raw]),
        ));
        let mut owned = Owned::ALL;
        // SAFETY: the read end is open and owned by nobody else.
        unsafe { owned.close(buf.as_bytes()) };
        assert!(owned.is_none());
        assert!(
            !still_open(&probe),
            "the sole rights message's descriptor is closed"
        );

        let mut ttl = ControlMessagesBuf::new();
        ttl.push(&ControlMessage::new(
            libc::IPPROTO_IP,
            libc::IP_TTL,
            &64i32.to_ne_bytes(),
        ));
        for bytes in [ttl.as_bytes(), &ttl.as_bytes()[..4], &[][..]] {
            let mut owned = Owned::ALL;
            // SAFETY: no descriptor is named in these bytes.
            unsafe { owned.close(bytes) };
            assert!(owned.is_none());
        }
    }

    /// The iterator closes what it did not yield, and an `OwnedFds` of one sole message
    /// ends without walking.
    #[test]
    fn drop_closes_the_rest() {
        let (raw, probes): (Vec<RawFd>, Vec<OwnedFd>) = (0..2).map(|_| new_fd()).unzip();
        let payload = rights(&raw);
        let mut buf = ControlMessagesBuf::new();
        buf.push(&ControlMessage::new(
            libc::SOL_SOCKET,
            libc::SCM_RIGHTS,
            &payload,
        ));
        let mut record = FdRecord {
            owned: Owned::ALL,
            ..FdRecord::NONE
        };
        // SAFETY: the two read ends are open, and owned by nobody else.
        let mut fds = unsafe { record.drain(buf.as_bytes(), FdKind::Rights) };
        let first = fds.next().unwrap();
        assert_eq!(first.as_raw_fd(), raw[0]);
        drop(fds);
        assert!(!still_open(&probes[1]), "the one not taken was closed");
        assert!(still_open(&probes[0]), "the one taken is open");
        drop(first);
        assert!(!still_open(&probes[0]));
        assert!(record.owned.is_none(), "no other kind is there");
    }
}
