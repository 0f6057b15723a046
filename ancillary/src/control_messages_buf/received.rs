//! The buffer's side of a receive: handing its storage out, adopting what the kernel wrote
//! (the descriptors in it become the buffer's) or taking over control data read in place,
//! and handing out, counting or closing those descriptors. Every `unsafe` step of the
//! buffer is here.

use core::mem::size_of;

use super::ControlMessagesBuf;
use crate::fds::{FdKind, OwnedFds, ReceivedFds};
use crate::region::Storage;

impl ControlMessagesBuf<'_> {
    /// Closes every descriptor the buffer still owns and empties it.
    #[inline]
    pub(crate) fn clear(&mut self) {
        self.close_owned();
        self.len = 0;
        self.received = 0;
        self.overflow_needed = 0;
        self.open_payload = 0;
    }

    /// Empties the buffer and hands out its whole capacity, initialised, for a receive.
    #[inline]
    pub(crate) fn begin_recv(&mut self) -> &mut [u8] {
        self.clear();
        self.storage.whole_mut()
    }

    /// Adopts the first `len` bytes of the region as received control data and takes
    /// ownership of every descriptor in them.
    ///
    /// # Safety
    /// The region must hold, in its first `len` bytes, what a successful `recvmsg` in this
    /// process wrote there after the last [`begin_recv`](Self::begin_recv), and nothing may
    /// have changed it since: every `SCM_RIGHTS` (and `SCM_PIDFD`) descriptor in it is then
    /// open and owned by nobody else.
    #[inline]
    pub(crate) unsafe fn finish_recv(&mut self, len: usize) {
        let len = len.min(self.capacity());
        self.len = len;
        self.received = len;
        // SAFETY: the caller's promise: these bytes are what the receive wrote.
        self.fds = unsafe { ReceivedFds::adopt(self.bytes(len)) };
    }

    /// Adopts the first `len` bytes of the region as received control data from a socket
    /// that cannot carry descriptors (IPv4, IPv6): nothing becomes owned, and clearing the
    /// buffer walks nothing. Safe: claiming no descriptor cannot close one twice.
    #[inline]
    pub(crate) fn finish_recv_without_fds(&mut self, len: usize) {
        let len = len.min(self.capacity());
        self.len = len;
        self.received = len;
        self.fds = ReceivedFds::without_fds();
    }

    with_io_uring! {
        /// Takes over control data read in place: empties the buffer (closing what it owned),
        /// copies `received`'s bytes to its start as a receive would have written them, and
        /// becomes the owner of their descriptors, which the copy names as the bytes did. Heap
        /// storage grows to fit; fixed storage that is too small gives an error, and
        /// `received`, dropped, closes every descriptor.
        pub(crate) fn take_over(
            &mut self,
            received: crate::fds::ReceivedControlMessages<'_>,
        ) -> Result<(), crate::error::CapacityError> {
            let len = received.control_messages().len();
            self.clear();
            if self.capacity() < len {
                // Heap storage grows; fixed storage stays as it is.
                let _ = self.try_reserve(len);
            }
            if self.capacity() < len {
                return Err(crate::error::CapacityError::new(len, self.capacity()));
            }
            let (bytes, fds) = received.into_parts();
            self.storage.whole_mut()[..len].copy_from_slice(bytes);
            self.len = len;
            self.received = len;
            self.fds = fds;
            Ok(())
        }
    }

    /// The first `len` bytes of the storage, for `len` either `self.len` or
    /// `self.received`.
    #[inline]
    pub(super) fn bytes(&self, len: usize) -> &[u8] {
        debug_assert!(len == self.len || len == self.received);
        stored(&self.storage, len)
    }

    /// Whether the last receive's descriptors of `kind` are there to be taken (see
    /// `ReceivedFds::untaken`).
    #[inline]
    pub(crate) fn untaken(&self, kind: FdKind) -> bool {
        self.fds.untaken(kind)
    }

    /// Gives up ownership of the received descriptors of `kind`, handing them out one by one.
    /// Empty if they were already taken or nothing was received.
    #[inline]
    pub(crate) fn drain_fds(&mut self, kind: FdKind) -> OwnedFds<'_> {
        // The storage and the owner are separate fields.
        let received = stored(&self.storage, self.received);
        // SAFETY: `received` is all of the last receive's bytes, for which `fds` was
        // adopted (`finish_recv`) or which are a copy of the bytes it was adopted for
        // (`take_over`), unchanged since: the buffer only appends.
        unsafe { self.fds.drain(received, kind) }
    }

    /// Counts the received descriptors of `kind` still owned here.
    pub(crate) fn count_fds(&self, kind: FdKind) -> usize {
        self.fds.count(self.bytes(self.received), kind)
    }

    /// Closes the received descriptors still owned here and gives up their ownership.
    #[inline]
    fn close_owned(&mut self) {
        // Nothing owned (taken, or known absent after a walk): nothing to do, not even a
        // store, on the common path.
        if self.fds.is_none() {
            return;
        }
        // No bytes that could hold a message: nothing to walk, no slice to make.
        if self.received < size_of::<libc::cmsghdr>() {
            self.fds = ReceivedFds::NONE;
            return;
        }
        self.close_owned_walk();
    }

    /// The walk of [`close_owned`](Self::close_owned), out of line: what a buffer drops
    /// with is then a few tests where it is dropped.
    #[inline(never)]
    fn close_owned_walk(&mut self) {
        let received = stored(&self.storage, self.received);
        // SAFETY: as in `drain_fds`.
        unsafe { self.fds.close(received) };
    }
}

/// The first `len` bytes of the buffer's storage, for `len` either the buffer's `len` or
/// its `received`: a function of the storage alone, so that the owner of the descriptors,
/// another field, can be borrowed beside it.
///
/// Unchecked, on the path of every send and receive; private to the buffer's modules, whose
/// code alone writes the two lengths.
#[inline(always)]
fn stored<'a>(storage: &'a Storage<'_>, len: usize) -> &'a [u8] {
    debug_assert!(len <= storage.capacity());
    // SAFETY: both lengths are at most the capacity (the invariant of `len` and
    // `received`, which every write of them in this module keeps: appends end within the
    // storage they reserved, a receive or a take-over takes at most the capacity, a clear
    // sets 0).
    unsafe { storage.bytes_unchecked(len) }
}

impl Drop for ControlMessagesBuf<'_> {
    #[inline]
    fn drop(&mut self) {
        self.close_owned();
    }
}

#[cfg(test)]
mod tests {
    use core::mem::MaybeUninit;
    use std::os::fd::AsFd;

    use super::super::tests::{cleared_over_stale_bytes, payloads};
    use super::*;
    use crate::cmsg::{cmsg_align, cmsg_len, cmsg_space, encode_header, HEADER_LEN};
    use crate::message::ControlMessage;

    #[test]
    fn push_after_an_unaligned_receive_starts_aligned_and_zeroes_the_gap() {
        let mut storage = [MaybeUninit::uninit(); 128];
        let mut buf = cleared_over_stale_bytes(&mut storage);
        // What a kernel writes into a buffer of exactly `cmsg_len(1)` bytes: one message,
        // no padding after it (a type that is not a descriptor kind).
        let region = buf.begin_recv();
        region[..HEADER_LEN].copy_from_slice(&encode_header(5, 6, 1));
        region[HEADER_LEN] = 0xAB;
        // SAFETY: the first `cmsg_len(1)` bytes are one message that holds no descriptor.
        unsafe { buf.finish_recv(cmsg_len(1)) };
        assert_ne!(cmsg_align(buf.len), buf.len, "the receive ended unaligned");

        buf.try_push(&ControlMessage::new(7, 8, &[0xCD; 3]))
            .unwrap();
        let bytes = buf.as_bytes();
        let second = cmsg_space(1);
        assert_eq!(bytes.len(), second + cmsg_space(3));
        assert_eq!(payloads(&buf), [(5, 6, vec![0xAB]), (7, 8, vec![0xCD; 3])]);
        for padding in [cmsg_len(1)..second, second + cmsg_len(3)..bytes.len()] {
            assert!(
                bytes[padding.clone()].iter().all(|&b| b == 0),
                "{padding:?}"
            );
        }
    }

    #[test]
    fn nothing_is_owned_before_a_receive() {
        let mut buf = ControlMessagesBuf::new();
        buf.try_push_fds(&[std::io::stdin().as_fd()]).unwrap();
        assert!(!buf.untaken(FdKind::Rights));
        assert_eq!(buf.count_fds(FdKind::Rights), 0);
        assert_eq!(buf.drain_fds(FdKind::Rights).len(), 0);
    }
}
