//! Descriptor ownership: which received messages carry descriptors this process now owns
//! (`FdKind`), handing them out as [`OwnedFd`]s (`OwnedFds`), counting and closing them.
//! The buffer that received them records which kinds it still owns; the walk here keeps
//! that record true.

use core::ffi::c_int;
use core::fmt;
use core::iter::FusedIterator;
use core::marker::PhantomData;
use core::mem::size_of;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};

use crate::cmsg::read_header;
use crate::cmsg::{cmsg_align, HEADER_LEN};
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

/// The payload of the message in `bytes` if it is the only one, whole, and of `kind`.
#[inline(always)]
fn sole_message_of(bytes: &[u8], kind: FdKind) -> Option<&[u8]> {
    let header = read_header(bytes)?;
    let whole = header.len >= HEADER_LEN && header.len <= bytes.len();
    // What follows the message, if anything, is too short for another header.
    let sole = bytes.len() - cmsg_align(header.len).min(bytes.len()) < size_of::<libc::cmsghdr>();
    if whole && sole && FdKind::of(header.level, header.ty) == Some(kind) {
        bytes.get(HEADER_LEN..header.len)
    } else {
        None
    }
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

    /// Gives up the received descriptors of `kind`, handing them out one by one (none if
    /// they were not owned).
    ///
    /// # Safety
    /// `received` must be all of the bytes of the receive this record is about, in which
    /// every descriptor of an owned kind is open and owned by this record.
    #[inline]
    pub(crate) unsafe fn drain<'a>(&'a mut self, received: &'a [u8], kind: FdKind) -> OwnedFds<'a> {
        let owned = self.owns(kind);
        self.0 &= !kind.bit();
        let (bytes, record) = if owned {
            (received, Some(self))
        } else {
            (&[][..], None)
        };
        // The iterator only clears bits of this record, and only of kinds that its walk
        // over every received message did not see: no descriptor of those kinds is there.
        // An empty walk gets no record to clear.
        // SAFETY: when `kind` was owned, `received` holds its descriptors, owned here (the
        // caller's promise), and the bit is now cleared, so ownership passes to the
        // iterator exactly once; otherwise it walks nothing.
        unsafe { OwnedFds::new(bytes, kind, record) }
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
    current: &'a [u8],
    /// Where the walk over the messages stands.
    walk: Walk<'a>,
}

/// The walk of an [`OwnedFds`] over the messages after the current one.
///
/// Passed to and from [`next_message`] by value (a slice, a few integers and a pointer), so
/// that no pointer to the iterator leaves a caller's loop (BENCHMARKS.md, "Why the code is
/// shaped so").
#[derive(Clone)]
struct Walk<'a> {
    messages: ControlMessagesIter<'a>,
    kind: FdKind,
    /// Whether the walk has seen every message (and `owned` was updated): once the current
    /// message's descriptors are taken, there is nothing more.
    done: bool,
    /// Kinds of descriptor-carrying messages other than `kind` seen so far.
    seen: u8,
    /// The buffer's record of the kinds it still owns ([`Owned`]), or null; once the walk
    /// has seen every message, it is told which kinds the walk saw. It stands for the
    /// `&'a mut Owned` that [`OwnedFds::new`] was given (a pointer, so that the walk can be
    /// cloned into [`next_message`] and the clone returned in its place).
    owned: *mut Owned,
    _owned: PhantomData<&'a mut Owned>,
}

// SAFETY: a `Walk` is a `ControlMessagesIter` and integers, which are `Send` and `Sync`, and
// a pointer that stands for a `&'a mut Owned`, which is `Send` and `Sync` too: it is written
// only through `&mut Walk` (in `finish`), and of the clones `next` makes, only the one that
// replaces the original is used.
unsafe impl Send for Walk<'_> {}
// SAFETY: as for `Send`; a shared `&Walk` gives no access through the pointer.
unsafe impl Sync for Walk<'_> {}

impl Walk<'_> {
    /// Records that the walk has seen every message: only the other kinds seen hold
    /// descriptors.
    #[inline]
    fn finish(&mut self) {
        self.done = true;
        if !self.owned.is_null() {
            // The pointer came from the `&'a mut Owned` given to `OwnedFds::new`, whose borrow
            // the walk holds (`_owned`), and only the one walk in use reads or writes
            // through it.
            // SAFETY: a valid, exclusive pointer to the buffer's ownership record.
            unsafe { (*self.owned).keep_seen(self.seen) };
        }
    }
}

/// Moves to the next message of the walk's kind and returns its payload (empty once the
/// walk is over). Called once per message, not per descriptor: the per-descriptor step in
/// [`OwnedFds::next`] is all that a caller's loop holds.
#[inline(never)]
fn next_message(mut walk: Walk<'_>) -> (Walk<'_>, &[u8]) {
    while let Some(message) = walk.messages.next() {
        let current = match FdKind::of(message.cmsg_level(), message.cmsg_type()) {
            Some(kind) if kind == walk.kind => message.data(),
            Some(other) => {
                walk.seen |= other.bit();
                &[]
            }
            None => &[],
        };
        if walk.messages.is_done() {
            // The last message: the walk is complete once its descriptors are taken, so
            // the caller's loop ends without another call.
            walk.finish();
        }
        if current.len() >= size_of::<c_int>() {
            return (walk, current);
        }
    }
    walk.finish();
    (walk, &[])
}

impl<'a> OwnedFds<'a> {
    /// # Safety
    /// Every descriptor of `kind` in the messages of `bytes` must be open and owned by the
    /// caller, who hands that ownership to the iterator.
    ///
    /// `owned` is the buffer's record of the kinds it owns descriptors of, with `kind`
    /// already given up, if `bytes` are all of the received bytes; after a complete walk it
    /// forgets the kinds the walk did not see ([`Owned`]). `None` for any other walk (such
    /// as an empty one), which proves nothing about the buffer.
    #[inline]
    pub(crate) unsafe fn new(bytes: &'a [u8], kind: FdKind, owned: Option<&'a mut Owned>) -> Self {
        let mut fds = OwnedFds {
            current: &[],
            walk: Walk {
                messages: ControlMessages::from_bytes(bytes).iter(),
                kind,
                done: false,
                seen: 0,
                owned: owned.map_or(core::ptr::null_mut(), core::ptr::from_mut),
                _owned: PhantomData,
            },
        };
        // The common case needs no walk: one whole message of `kind` is all there is.
        if let Some(data) = sole_message_of(bytes, kind) {
            fds.current = data;
            fds.walk.messages = ControlMessages::from_bytes(&[]).iter();
            fds.walk.finish();
        }
        fds
    }

    /// The descriptors not yet yielded.
    fn remaining(&self) -> usize {
        raw_fds(self.current).count() + count(self.walk.messages.clone(), self.walk.kind)
    }

    /// The next descriptor of the current message, if it is a valid one.
    #[inline(always)]
    fn pop(&mut self) -> Option<OwnedFd> {
        let (head, tail) = self.current.split_first_chunk::<{ size_of::<c_int>() }>()?;
        self.current = tail;
        let fd = c_int::from_ne_bytes(*head);
        if fd < 0 {
            return None;
        }
        // SAFETY: the descriptor is open and owned by this iterator (the contract of
        // `new`) and non-negative; `current` has moved past it, so it is handed out exactly
        // once.
        Some(unsafe { OwnedFd::from_raw_fd(fd) })
    }
}

impl Iterator for OwnedFds<'_> {
    type Item = OwnedFd;

    #[inline(always)]
    fn next(&mut self) -> Option<OwnedFd> {
        loop {
            if let Some(fd) = self.pop() {
                return Some(fd);
            }
            if self.current.len() >= size_of::<c_int>() {
                // A negative number (no kernel sends one): skipped.
                continue;
            }
            if self.walk.done {
                return None;
            }
            (self.walk, self.current) = next_message(self.walk.clone());
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
mod tests {
    use super::*;
    use crate::{ControlMessage, ControlMessagesBuf};
    use std::os::fd::AsRawFd;

    /// A pipe: its read end as a raw number owned by nobody (for the code under test to
    /// own), and its write end, which tells whether the read end is still open.
    fn new_fd() -> (RawFd, OwnedFd) {
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
    fn still_open(probe: &OwnedFd) -> bool {
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
        let mut owned = Owned::ALL;
        // SAFETY: the three read ends are open, and owned by nobody else.
        let fds = unsafe { owned.drain(buf.as_bytes(), FdKind::Rights) };
        assert_eq!(fds.len(), 3);
        let got: Vec<RawFd> = fds.map(|fd| fd.as_raw_fd()).collect();
        assert_eq!(got, raw, "in order, the negative one skipped");
        assert!(owned.is_none(), "no other kind of descriptor was there");
        assert!(
            probes.iter().all(|probe| !still_open(probe)),
            "each yielded one was closed"
        );
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
        let mut owned = Owned::ALL;
        // SAFETY: the two read ends are open, and owned by nobody else.
        let mut fds = unsafe { owned.drain(buf.as_bytes(), FdKind::Rights) };
        let first = fds.next().unwrap();
        assert_eq!(first.as_raw_fd(), raw[0]);
        drop(fds);
        assert!(!still_open(&probes[1]), "the one not taken was closed");
        assert!(still_open(&probes[0]), "the one taken is open");
        drop(first);
        assert!(!still_open(&probes[0]));
        assert!(owned.is_none(), "no other kind is there");
    }
}
