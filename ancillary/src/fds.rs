//! Received-descriptor ownership, in one place: which received messages carry descriptors
//! this process now owns ([`FdKind`]), the record of which kinds a receive's bytes still
//! own ([`ReceivedFds`]: adopting them after a receive, close-on-exec included, counting,
//! handing out and closing), and the iterator that hands them out ([`OwnedFds`]).
//!
//! Every holder of received control data keeps one `ReceivedFds` beside its bytes and
//! calls it: a [`ControlMessagesBuf`], and [`ReceivedControlMessages`], defined here, the
//! same ownership over control data read where the kernel wrote it (an io_uring provided
//! buffer). No other module turns a descriptor number into an [`OwnedFd`].
//!
//! [`ControlMessagesBuf`]: crate::ControlMessagesBuf

use core::ffi::c_int;
use core::fmt;
use core::iter::FusedIterator;
use core::marker::PhantomData;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

use crate::cmsg::{self, raw_fds, split_fd, FD_LEN};
use crate::control_messages::ControlMessages;

/// Which kind of received message carries descriptors that the receiver now owns.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum FdKind {
    /// `SCM_RIGHTS`: the descriptors a peer passed.
    Rights,
    /// `SCM_PIDFD`: a pidfd of the sending process, installed by the kernel.
    #[cfg(linux_like)]
    Pidfd,
}

impl FdKind {
    /// The bit of this kind in a [`ReceivedFds`] record.
    const fn bit(self) -> u8 {
        match self {
            FdKind::Rights => 1,
            #[cfg(linux_like)]
            FdKind::Pidfd => 2,
        }
    }

    /// The bits of a record that say descriptors of this kind are there to be taken (see
    /// [`ReceivedFds::untaken`]).
    const fn taken_bits(self) -> u8 {
        match self {
            FdKind::Rights => FdKind::Rights.bit() | UNTAKEN,
            #[cfg(linux_like)]
            FdKind::Pidfd => FdKind::Pidfd.bit(),
        }
    }

    /// Every kind this platform knows.
    const ALL_BITS: u8 = {
        #[cfg(linux_like)]
        {
            1 | 2
        }
        #[cfg(not(linux_like))]
        {
            1
        }
    };

    /// The kind of descriptor a received message of this level and type carries, if any.
    #[inline]
    pub(crate) fn of(level: c_int, ty: c_int) -> Option<FdKind> {
        if level != libc::SOL_SOCKET {
            return None;
        }
        match ty {
            libc::SCM_RIGHTS => Some(FdKind::Rights),
            #[cfg(linux_like)]
            crate::platform::SCM_PIDFD => Some(FdKind::Pidfd),
            _ => None,
        }
    }
}

/// The owner of the descriptors in one receive's control data: the kinds of them it still
/// owns, as a set of [`FdKind`] bits.
///
/// A receive makes it own every kind ([`adopt`](Self::adopt)); taking a kind's
/// descriptors gives that kind up ([`drain`](Self::drain)); a walk over every received
/// message proves the kinds it did not see absent, so they need no walk when the bytes are
/// cleared. A receive on a socket that cannot carry descriptors (IPv4, IPv6) owns none
/// from the start ([`without_fds`](Self::without_fds)), so clearing it walks nothing.
/// Beside the kinds, one bit ([`UNTAKEN`]) answers whether a receive's `SCM_RIGHTS`
/// descriptors are still there to be taken: `take_owned_fds` gives `Some` of an empty
/// list, rather than `None`, after a receive that brought none.
///
/// The record does not hold the bytes: each holder keeps them beside it and passes them
/// to every call, which is why the calls that act on descriptors are `unsafe`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct ReceivedFds(u8);

/// The bit of a [`ReceivedFds`] record saying that the last receive's `SCM_RIGHTS`
/// descriptors (none, maybe) have not been taken yet.
const UNTAKEN: u8 = 4;

impl ReceivedFds {
    /// Nothing received, or everything taken.
    pub(crate) const NONE: ReceivedFds = ReceivedFds(0);

    /// Takes ownership of every descriptor in control data a receive just wrote, and makes
    /// them close-on-exec where the receive could not ask for it (macOS).
    ///
    /// # Safety
    /// `received` must be control data that the kernel wrote for one receive in this
    /// process (all of it, or cut short at the end), unchanged since, and adopted nowhere
    /// else: every descriptor it names is then open and owned by nobody else.
    #[inline]
    pub(crate) unsafe fn adopt(received: &[u8]) -> ReceivedFds {
        if crate::platform::MSG_CMSG_CLOEXEC == 0 {
            // SAFETY: the caller's promise: the descriptors are open and now ours.
            unsafe { set_cloexec_all(received) };
        }
        ReceivedFds(FdKind::ALL_BITS | UNTAKEN)
    }

    /// The record of a receive on a socket that cannot carry descriptors (IPv4, IPv6,
    /// whose kernels never attach `SCM_RIGHTS` or `SCM_PIDFD`): nothing is owned, and the
    /// receive's (absent) `SCM_RIGHTS` descriptors are there to be taken, as none.
    #[inline]
    pub(crate) const fn without_fds() -> ReceivedFds {
        ReceivedFds(UNTAKEN)
    }

    /// Whether descriptors of `kind` may still be owned.
    #[inline]
    fn owns(self, kind: FdKind) -> bool {
        self.0 & kind.bit() != 0
    }

    /// Whether the last receive's descriptors of `kind` are there to be taken: for
    /// `Rights` also when none came, until they are taken; for the other kinds when one
    /// may have come.
    #[inline]
    pub(crate) fn untaken(self, kind: FdKind) -> bool {
        self.0 & kind.taken_bits() != 0
    }

    /// Whether the record is empty: nothing owned, nothing to take.
    #[inline]
    pub(crate) fn is_none(self) -> bool {
        self.0 == 0
    }

    /// After a walk over every received message that saw the kinds in `seen` (bits):
    /// forgets the other kinds.
    #[inline]
    fn keep_seen(&mut self, seen: u8) {
        self.0 &= seen | UNTAKEN;
    }

    /// Counts the received descriptors of `kind` still owned, in `received`.
    pub(crate) fn count(self, received: &[u8], kind: FdKind) -> usize {
        if !self.owns(kind) {
            return 0;
        }
        count(received, kind)
    }

    /// Gives up the received descriptors of `kind`, handing them out one by one (none if
    /// they were not owned).
    ///
    /// # Safety
    /// `received` must be the bytes this record was [adopted](Self::adopt) for, unchanged.
    #[inline]
    pub(crate) unsafe fn drain<'a>(&'a mut self, received: &'a [u8], kind: FdKind) -> OwnedFds<'a> {
        let owned = self.owns(kind);
        // Ownership of the descriptors of `kind` passes to the iterator exactly once.
        self.0 &= !kind.taken_bits();
        if !owned {
            // Nothing of `kind` is owned: nothing to yield.
            return OwnedFds::new(&[], &[], kind);
        }
        match cmsg::sole(received) {
            // The common case needs no walk: one whole message of `kind` is all there is,
            // so no other kind is there either.
            Some(found) if FdKind::of(found.level, found.ty) == Some(kind) => {
                self.0 &= UNTAKEN;
                OwnedFds::new(found.data, &[], kind)
            }
            // Several messages: the other kinds they hold are learnt now, in a walk of its
            // own, so that the iterator is two slices and nothing else.
            _ => {
                self.keep_seen(kinds_in(received));
                OwnedFds::new(&[], received, kind)
            }
        }
    }

    /// Closes every received descriptor still owned, and gives them up.
    ///
    /// # Safety
    /// As for [`drain`](Self::drain).
    #[inline]
    pub(crate) unsafe fn close(&mut self, received: &[u8]) {
        let owned = *self;
        // Nothing owned or to take (taken, or known absent after a walk): nothing to do,
        // not even a store, on the common path.
        if owned.is_none() {
            return;
        }
        *self = ReceivedFds::NONE;
        // Nothing owned (a receive that could carry none): no walk.
        if owned.0 & FdKind::ALL_BITS == 0 {
            return;
        }
        // SAFETY: the caller's promise, for the kinds that were owned.
        unsafe { close_kinds(owned, received) };
    }
}

/// The descriptor kinds (bits) of the messages in `received`.
#[inline(never)]
fn kinds_in(received: &[u8]) -> u8 {
    ControlMessages::from_bytes(received)
        .iter()
        .filter_map(|m| FdKind::of(m.cmsg_level(), m.cmsg_type()))
        .fold(0, |kinds, kind| kinds | kind.bit())
}

/// Counts the descriptors of `kind` in `received`.
pub(crate) fn count(received: &[u8], kind: FdKind) -> usize {
    ControlMessages::from_bytes(received)
        .iter()
        .filter(|m| FdKind::of(m.cmsg_level(), m.cmsg_type()) == Some(kind))
        .map(|m| raw_fds(m.data()).count())
        .sum()
}

/// Closes every descriptor of the kinds in `owned` in `received`, in one walk. Out of
/// line: clearing a buffer whose descriptors were taken never gets here.
///
/// # Safety
/// Descriptors of the kinds in `owned` in `received` must be open and owned by the caller,
/// who gives them up.
#[inline(never)]
unsafe fn close_kinds(owned: ReceivedFds, received: &[u8]) {
    let mut rest = received;
    while let Some(found) = cmsg::next(rest) {
        rest = found.rest;
        if FdKind::of(found.level, found.ty).is_some_and(|kind| owned.owns(kind)) {
            for fd in raw_fds(found.data) {
                // SAFETY: descriptors of an owned kind are open and owned by the caller,
                // who gives them up here, exactly once; `raw_fds` skips negative numbers.
                drop(unsafe { OwnedFd::from_raw_fd(fd) });
            }
        }
    }
}

// ----- control data read in place ---------------------------------------------------------

/// The control messages of one receive, borrowed from the memory the kernel wrote them
/// to, owning every descriptor they carry.
///
/// For receives that do not go through an [`AncillaryData`](crate::AncillaryData): a
/// completion-based runtime's buffer, such as the provided buffer of an io_uring multishot
/// receive (`io_uring::RecvMsgMulti::take_in_place`, feature `io-uring`, makes one). The bytes are read where they are, at any alignment; nothing is copied.
///
/// The descriptors are handed out by [`drain_fds`](Self::drain_fds); those not taken are
/// closed when the value is dropped (if it is leaked with `mem::forget`, so are they,
/// which is safe). The messages themselves stay readable through
/// [`control_messages`](Self::control_messages), for as long as the value lives: the
/// descriptor numbers in them are only numbers.
pub struct ReceivedControlMessages<'b> {
    bytes: &'b [u8],
    fds: ReceivedFds,
}

impl<'b> ReceivedControlMessages<'b> {
    /// Takes ownership of the descriptors that the control messages in `bytes` carry.
    ///
    /// Where the receive could not ask for close-on-exec descriptors (macOS), they are
    /// made close-on-exec here, as after every receive of this crate.
    ///
    /// # Safety
    /// `bytes` must be control data that the kernel wrote for one receive in this
    /// process (all of it, or cut short at the end), unchanged since, and not adopted
    /// anywhere else: every descriptor it names is then open and owned by nobody else.
    #[must_use = "dropping the value closes every descriptor it owns"]
    pub unsafe fn new(bytes: &'b [u8]) -> ReceivedControlMessages<'b> {
        ReceivedControlMessages {
            bytes,
            // SAFETY: this function's contract is `adopt`'s.
            fds: unsafe { ReceivedFds::adopt(bytes) },
        }
    }

    /// The control messages, for typed or raw iteration.
    #[must_use]
    pub fn control_messages(&self) -> &ControlMessages {
        ControlMessages::from_bytes(self.bytes)
    }

    with_io_uring! {
        /// Gives up the bytes and the record of the descriptors they own, closing nothing: for
        /// an owner that keeps a copy of the bytes (`ControlMessagesBuf::take_over`), which
        /// names the same descriptors.
        pub(crate) fn into_parts(self) -> (&'b [u8], ReceivedFds) {
            let this = core::mem::ManuallyDrop::new(self);
            (this.bytes, this.fds)
        }
    }

    /// Takes ownership of the received `SCM_RIGHTS` descriptors, one by one, without
    /// allocating. Empty once they were taken. Descriptors the iterator does not yield
    /// are closed when it is dropped.
    #[must_use = "dropping the iterator closes every descriptor it did not yield"]
    pub fn drain_fds(&mut self) -> OwnedFds<'_> {
        // SAFETY: `fds` was adopted for `bytes` (in `new`).
        unsafe { self.fds.drain(self.bytes, FdKind::Rights) }
    }
}

impl Drop for ReceivedControlMessages<'_> {
    #[inline]
    fn drop(&mut self) {
        // A datagram's one message of another kind (a TTL, a traffic class) holds nothing
        // to close: no walk, no call.
        if cmsg::sole(self.bytes).is_some_and(|found| FdKind::of(found.level, found.ty).is_none()) {
            return;
        }
        // SAFETY: as in `drain_fds`.
        unsafe { self.fds.close(self.bytes) };
    }
}

impl fmt::Debug for ReceivedControlMessages<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReceivedControlMessages")
            .field("messages", &self.control_messages())
            .field("owns_fds", &!self.fds.is_none())
            .finish()
    }
}

// ----- close-on-exec ------------------------------------------------------------------------

/// Sets `FD_CLOEXEC` on every descriptor a receive installed, for platforms without
/// `MSG_CMSG_CLOEXEC` (macOS). Another thread's `exec` between the receive and this call
/// still inherits them: the guide's Platforms section says so.
///
/// # Safety
/// Every descriptor of a descriptor-carrying message in `received` must be open and owned
/// by the caller.
unsafe fn set_cloexec_all(received: &[u8]) {
    for message in ControlMessages::from_bytes(received) {
        if FdKind::of(message.cmsg_level(), message.cmsg_type()).is_some() {
            for fd in raw_fds(message.data()) {
                // SAFETY: open and owned by the caller (this function's contract), for
                // longer than this borrow.
                set_cloexec(unsafe { BorrowedFd::borrow_raw(fd) }, true);
            }
        }
    }
}

/// Reads the descriptor flags of `fd` (`F_GETFD`) and writes `change` of them back
/// (`F_SETFD`) if that differs; returns the flags read.
///
/// # Errors
/// The `F_GETFD` error. (An `F_SETFD` that fails leaves the flags as they were; there is
/// nothing better to do with it for a descriptor that is already installed.)
fn update_fd_flags(fd: BorrowedFd<'_>, change: impl FnOnce(c_int) -> c_int) -> io::Result<c_int> {
    let fd = fd.as_raw_fd();
    // SAFETY: F_GETFD/F_SETFD only read and write the descriptor flags of `fd`, which is
    // open for the borrow.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFD);
        if flags < 0 {
            return Err(io::Error::last_os_error());
        }
        let changed = change(flags);
        if changed != flags {
            libc::fcntl(fd, libc::F_SETFD, changed);
        }
        Ok(flags)
    }
}

/// Sets or clears `FD_CLOEXEC` on `fd`: the close-on-exec fix-up where `recvmsg` has no
/// `MSG_CMSG_CLOEXEC` (macOS). A failure leaves the flags as they were.
fn set_cloexec(fd: BorrowedFd<'_>, on: bool) {
    let _ = update_fd_flags(fd, |flags| {
        if on {
            flags | libc::FD_CLOEXEC
        } else {
            flags & !libc::FD_CLOEXEC
        }
    });
}

/// Whether `fd` has `FD_CLOEXEC`.
///
/// # Panics
/// If `F_GETFD` fails, which it cannot for an open descriptor.
#[cfg(test)]
pub(crate) fn is_cloexec(fd: BorrowedFd<'_>) -> bool {
    let flags = update_fd_flags(fd, |flags| flags).expect("F_GETFD");
    flags & libc::FD_CLOEXEC != 0
}

// ----- handing descriptors out --------------------------------------------------------------

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
    /// The received bytes after the current message, not yet walked.
    rest: &'a [u8],
    kind: FdKind,
    /// The record of the receive, which gave up `kind` to this iterator.
    _owner: PhantomData<&'a mut ReceivedFds>,
}

/// The walk's step over `rest` to the next message of `kind` with a descriptor in it:
/// its payload and the bytes after it (both empty if there is none). The step per
/// message, not per descriptor: [`OwnedFds::next`] holds that one, and calls this only
/// while messages are left.
///
/// A function of its arguments alone, so that no pointer into the iterator escapes: one
/// would make a caller's loop keep the iterator in memory across each `close`
/// (BENCHMARKS.md, "Why the code is shaped so").
#[inline(never)]
fn step(mut rest: &[u8], kind: FdKind) -> [&[u8]; 2] {
    while let Some(found) = cmsg::next(rest) {
        rest = found.rest;
        if FdKind::of(found.level, found.ty) == Some(kind) && found.data.len() >= FD_LEN {
            return [found.data, rest];
        }
    }
    [&[], &[]]
}

impl<'a> OwnedFds<'a> {
    fn new(current: &'a [u8], rest: &'a [u8], kind: FdKind) -> OwnedFds<'a> {
        OwnedFds {
            current,
            rest,
            kind,
            _owner: PhantomData,
        }
    }

    /// The descriptors not yet yielded.
    fn remaining(&self) -> usize {
        raw_fds(self.current).count() + count(self.rest, self.kind)
    }
}

impl Iterator for OwnedFds<'_> {
    type Item = OwnedFd;

    #[inline(always)]
    fn next(&mut self) -> Option<OwnedFd> {
        loop {
            match split_fd(self.current) {
                Some((fd, after)) => {
                    self.current = after;
                    if fd >= 0 {
                        // SAFETY: the descriptor is open and owned by this iterator (see
                        // `ReceivedFds::drain`) and non-negative; `current` has moved past
                        // it, so it is handed out exactly once.
                        return Some(unsafe { OwnedFd::from_raw_fd(fd) });
                    }
                    // A negative number (no kernel sends one): skipped.
                }
                // A sole message (the common case) leaves nothing to walk, so no call.
                None if !cmsg::at_end(self.rest) => {
                    [self.current, self.rest] = step(self.rest, self.kind);
                }
                None => return None,
            }
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
    #[inline(always)]
    fn drop(&mut self) {
        // Close whatever the caller did not take. The fields go by value to a function out
        // of line, so that the clean-up a caller's loop needs (were a call in it to unwind)
        // takes no pointer to the iterator, which can then stay in registers.
        if self.current.len() >= FD_LEN || !cmsg::at_end(self.rest) {
            close_rest(self.current, self.rest, self.kind);
        }
    }
}

/// Closes the descriptors an [`OwnedFds`] did not yield.
#[inline(never)]
fn close_rest(current: &[u8], rest: &[u8], kind: FdKind) {
    let mut left = core::mem::ManuallyDrop::new(OwnedFds::new(current, rest, kind));
    for fd in &mut *left {
        drop(fd);
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
    use std::os::fd::{AsRawFd, RawFd};
    use std::os::unix::net::UnixStream;

    fn rights(fds: &[RawFd]) -> Vec<u8> {
        fds.iter().flat_map(|fd| fd.to_ne_bytes()).collect()
    }

    /// An iterator dropped between two messages of its kind closes the descriptors of the
    /// second: nothing is left of the current message, but the rest still holds some.
    #[test]
    #[cfg_attr(
        miri,
        ignore = "Miri's socketpair has no send(), which std's streams write with"
    )]
    fn a_drain_dropped_between_two_messages_closes_the_second() {
        use std::io::Write;
        use std::os::fd::IntoRawFd;
        let (first, first_peer) = UnixStream::pair().unwrap();
        let (second, second_peer) = UnixStream::pair().unwrap();
        let mut buf = ControlMessagesBuf::new();
        for fd in [first.into_raw_fd(), second.into_raw_fd()] {
            buf.push(&ControlMessage::new(
                libc::SOL_SOCKET,
                libc::SCM_RIGHTS,
                &rights(&[fd]),
            ));
        }
        let bytes = buf.as_bytes().to_vec();
        let mut fds = OwnedFds::new(&[], &bytes, FdKind::Rights);
        let taken = fds.next().unwrap();
        drop(fds);
        // The second socket is closed: writing to its peer fails (a broken pipe).
        let closed = (&second_peer).write(b"x");
        assert!(closed.is_err(), "the second descriptor is still open");
        // The first, handed out, is open until the caller drops it.
        assert_eq!((&first_peer).write(b"x").unwrap(), 1);
        drop(taken);
    }

    /// The close-on-exec fix-up for platforms without `MSG_CMSG_CLOEXEC` (macOS), run on
    /// any platform: it sets `FD_CLOEXEC` where it is missing, keeps it where it is set,
    /// and skips the negative numbers no kernel sends.
    #[test]
    #[cfg_attr(miri, ignore = "Miri's F_GETFD reports every descriptor close-on-exec")]
    fn set_cloexec_all_sets_the_flag_on_every_descriptor() {
        let (without, _peer) = UnixStream::pair().unwrap();
        let (with_flag, _other) = UnixStream::pair().unwrap();
        set_cloexec(std::os::fd::AsFd::as_fd(&without), false);
        assert!(!is_cloexec(std::os::fd::AsFd::as_fd(&without)));
        let mut buf = ControlMessagesBuf::new();
        buf.push(&ControlMessage::new(
            libc::SOL_SOCKET,
            libc::SCM_RIGHTS,
            &rights(&[without.as_raw_fd(), -1, with_flag.as_raw_fd()]),
        ));
        // SAFETY: the descriptors are open for this call (the sockets own them).
        unsafe { set_cloexec_all(buf.as_bytes()) };
        for socket in [&without, &with_flag] {
            assert!(is_cloexec(std::os::fd::AsFd::as_fd(socket)));
        }
    }
}
