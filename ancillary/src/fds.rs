//! Received file descriptors: handing them out as [`OwnedFd`]s, and closing the rest.

use core::ffi::c_int;
use core::fmt;
use core::iter::FusedIterator;
use core::mem::size_of;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};

use crate::messages::ControlMessagesIter;
use crate::os::FdKind;

/// The descriptors in one payload: whole native-endian `c_int`s, negative values skipped
/// (no kernel sends them, and `-1` is not a valid `OwnedFd`).
fn raw_fds(data: &[u8]) -> impl Iterator<Item = RawFd> + '_ {
    data.chunks_exact(size_of::<c_int>())
        .map(|chunk| {
            let mut raw = [0u8; size_of::<c_int>()];
            raw.copy_from_slice(chunk);
            c_int::from_ne_bytes(raw)
        })
        .filter(|&fd| fd >= 0)
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

/// Sets `FD_CLOEXEC` on every descriptor of a payload, for platforms without
/// `MSG_CMSG_CLOEXEC`.
pub(crate) fn set_cloexec_all(data: &[u8]) {
    for fd in raw_fds(data) {
        // SAFETY: `fd` was just installed in this process by `recvmsg` and is owned by the
        // buffer that holds it; F_GETFD/F_SETFD only touch its descriptor flags.
        unsafe {
            let flags = libc::fcntl(fd, libc::F_GETFD);
            if flags >= 0 {
                libc::fcntl(fd, libc::F_SETFD, flags | libc::FD_CLOEXEC);
            }
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
    messages: ControlMessagesIter<'a>,
    current: &'a [u8],
    kind: FdKind,
    /// The buffer's `FdKind` bits of the kinds whose descriptors it still owns; once the
    /// walk has seen every message, the bits of kinds it did not see are cleared (but for
    /// `Rights`, whose bit also means "not taken yet").
    owned: Option<&'a mut u8>,
    /// Kinds of descriptor-carrying messages other than `kind` seen so far.
    seen: u8,
}

impl<'a> OwnedFds<'a> {
    /// # Safety
    /// Every descriptor of `kind` in `messages` must be open and owned by the caller, who
    /// hands that ownership to the iterator.
    ///
    /// `owned` is the buffer's record of the kinds it owns descriptors of, with the bit of
    /// `kind` already cleared, if `messages` walks all of the received bytes; after a
    /// complete walk, the bits of the other kinds the walk did not see are cleared too
    /// (except `Rights`), as no descriptor of them is there. `None` for any other walk
    /// (such as an empty one), which proves nothing about the buffer.
    #[inline]
    pub(crate) unsafe fn new(
        messages: ControlMessagesIter<'a>,
        kind: FdKind,
        owned: Option<&'a mut u8>,
    ) -> Self {
        // Nothing is counted up front: `size_hint` counts what is left when asked, so
        // taking the descriptors walks the messages once.
        OwnedFds {
            messages,
            current: &[],
            kind,
            owned,
            seen: 0,
        }
    }

    /// The descriptors not yet yielded.
    fn remaining(&self) -> usize {
        raw_fds(self.current).count() + count(self.messages.clone(), self.kind)
    }
}

impl Iterator for OwnedFds<'_> {
    type Item = OwnedFd;

    #[inline]
    fn next(&mut self) -> Option<OwnedFd> {
        loop {
            while let Some((head, tail)) =
                self.current.split_first_chunk::<{ size_of::<c_int>() }>()
            {
                self.current = tail;
                let fd = c_int::from_ne_bytes(*head);
                if fd >= 0 {
                    // SAFETY: the descriptor is open and owned by this iterator (the contract
                    // of `new`) and non-negative; `current` has moved past it, so it is
                    // handed out exactly once.
                    return Some(unsafe { OwnedFd::from_raw_fd(fd) });
                }
            }
            let Some(message) = self.messages.next() else {
                // Every message was seen: only the other kinds seen hold descriptors.
                if let Some(owned) = self.owned.as_deref_mut() {
                    *owned &= self.seen | FdKind::Rights.bit();
                }
                return None;
            };
            self.current = match FdKind::of(message.cmsg_level(), message.cmsg_type()) {
                Some(kind) if kind == self.kind => message.data(),
                Some(other) => {
                    self.seen |= other.bit();
                    &[]
                }
                None => &[],
            };
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
    use std::os::fd::AsRawFd;
    use std::os::unix::net::UnixStream;

    fn is_cloexec(fd: RawFd) -> bool {
        // SAFETY: F_GETFD only reads the descriptor flags of an open descriptor.
        let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
        assert!(flags >= 0, "F_GETFD: {}", std::io::Error::last_os_error());
        flags & libc::FD_CLOEXEC != 0
    }

    /// The fix-up for platforms without `MSG_CMSG_CLOEXEC` (macOS), run on any platform:
    /// it sets `FD_CLOEXEC` where it is missing, keeps it where it is set, and skips the
    /// negative numbers no kernel sends.
    #[test]
    #[cfg_attr(miri, ignore = "Miri's F_GETFD reports every descriptor close-on-exec")]
    fn set_cloexec_all_sets_the_flag_on_every_descriptor() {
        // std makes its sockets close-on-exec; `dup` makes a copy without the flag.
        let (with_flag, _peer) = UnixStream::pair().unwrap();
        assert!(is_cloexec(with_flag.as_raw_fd()));
        // SAFETY: `dup` of an open descriptor returns a new descriptor or -1; the new
        // one is owned by nobody else, so `OwnedFd` takes it.
        let without = unsafe {
            let raw = libc::dup(with_flag.as_raw_fd());
            assert!(raw >= 0, "dup: {}", std::io::Error::last_os_error());
            OwnedFd::from_raw_fd(raw)
        };
        assert!(!is_cloexec(without.as_raw_fd()));

        let payload: Vec<u8> = [without.as_raw_fd(), -1, with_flag.as_raw_fd()]
            .iter()
            .flat_map(|fd| fd.to_ne_bytes())
            .collect();
        set_cloexec_all(&payload);
        assert!(is_cloexec(without.as_raw_fd()), "the flag was set");
        assert!(is_cloexec(with_flag.as_raw_fd()), "the flag was kept");
    }
}
