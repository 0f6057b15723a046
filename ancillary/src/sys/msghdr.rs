//! Filling `msghdr`s and `mmsghdr`s, in safe code: the buffers a message is filled from,
//! the limits of the header's fields, and the pointing of a header at data, control bytes
//! and an address. The calls that read the headers are the parent module's.

use core::ffi::c_int;
use core::mem::size_of;
use std::io::{self, IoSlice, IoSliceMut};

use crate::addr::RawSocketAddr;
use crate::ancillary_data::AncillaryData;
use crate::cmsg::size_of_field;
#[cfg(linux_like)]
use crate::options::RecvResult;

// ----- the buffers a message is filled from ------------------------------------------------

/// The data buffers of a send: one slice, or the caller's `IoSlice`s.
pub(crate) enum SendBufs<'a> {
    One([IoSlice<'a>; 1]),
    Many(&'a [IoSlice<'a>]),
}

impl<'a> SendBufs<'a> {
    #[inline]
    pub(crate) fn as_slice(&self) -> &[IoSlice<'a>] {
        match self {
            SendBufs::One(one) => one,
            SendBufs::Many(many) => many,
        }
    }

    /// The buffers as the system call gets them: a single one is copied into `slot`, a
    /// local of the caller, first.
    ///
    /// So the kernel is handed the address of that local, never the builder's own
    /// (BENCHMARKS.md, "Why the code is shaped so").
    #[inline(always)]
    pub(crate) fn local<'s>(&'s self, slot: &'s mut [IoSlice<'a>; 1]) -> &'s [IoSlice<'a>] {
        match self {
            SendBufs::One(one) => {
                *slot = *one;
                slot
            }
            SendBufs::Many(many) => many,
        }
    }
}

/// The data buffers of a receive: one slice, or the caller's `IoSliceMut`s.
pub(crate) enum RecvBufs<'a> {
    One([IoSliceMut<'a>; 1]),
    Many(&'a mut [IoSliceMut<'a>]),
}

impl<'a> RecvBufs<'a> {
    /// The buffers as a slice, for the callers that build their own `msghdr`s.
    #[cfg(any(feature = "tokio", linux_like))]
    #[inline]
    pub(crate) fn as_mut_slice(&mut self) -> &mut [IoSliceMut<'a>] {
        match self {
            RecvBufs::One(one) => one,
            RecvBufs::Many(many) => many,
        }
    }

    /// Calls `f` with the buffers as the system call gets them: a single one is
    /// re-borrowed into a local `iovec` first, for the reason given at
    /// [`SendBufs::local`].
    #[inline(always)]
    pub(crate) fn with_local<R>(&mut self, f: impl FnOnce(&mut [IoSliceMut<'_>]) -> R) -> R {
        match self {
            RecvBufs::One([one]) => f(&mut [IoSliceMut::new(one)]),
            RecvBufs::Many(many) => f(many),
        }
    }
}

// ----- filling a `msghdr` -------------------------------------------------------------------

/// Whether `msg_iovlen` can hold `count`: always where it is a `size_t` (glibc, bionic),
/// so the check compiles to nothing there; up to `c_int::MAX` where it is a `c_int` (musl,
/// Apple, the BSDs).
#[inline(always)]
pub(crate) fn iovlen_fits(count: usize) -> bool {
    size_of_field::<libc::msghdr, _>(|m| m.msg_iovlen) >= size_of::<usize>()
        || count <= c_int::MAX as usize
}

/// `len`, or the largest `msg_controllen` if it is larger: `len` itself where the field is a
/// `size_t` (glibc, bionic), at most `socklen_t::MAX` where it is a `socklen_t`.
#[inline(always)]
pub(crate) fn controllen_clamp(len: usize) -> usize {
    if size_of_field::<libc::msghdr, _>(|m| m.msg_controllen) >= size_of::<usize>() {
        len
    } else {
        len.min(libc::socklen_t::MAX as usize)
    }
}

pub(crate) fn too_many_buffers() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        "too many I/O buffers for one message",
    )
}

pub(crate) fn too_much_control_data() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        "too much control data for one message",
    )
}

/// Points `msg` at `len` `iovec`s from `iov`.
///
/// # Errors
/// `InvalidInput` if there are more buffers than `msghdr` can describe.
#[inline(always)]
fn fill_iov(msg: &mut libc::msghdr, iov: *mut libc::iovec, len: usize) -> io::Result<()> {
    if !iovlen_fits(len) {
        return Err(too_many_buffers());
    }
    msg.msg_iov = iov;
    msg.msg_iovlen = len as _;
    Ok(())
}

/// Points `msg` at `control` (null with length 0 for none), the control bytes to send.
///
/// # Errors
/// `InvalidInput` if there are more control bytes than `msghdr` can describe.
#[inline(always)]
fn fill_send_control(msg: &mut libc::msghdr, control: &[u8]) -> io::Result<()> {
    if controllen_clamp(control.len()) != control.len() {
        return Err(too_much_control_data());
    }
    // Linux reads `msg_control` only when `msg_controllen` is not 0; the BSDs refuse a
    // non-null one shorter than a header with `EINVAL`, so there no control data is null.
    msg.msg_control = if cfg!(linux_like) || !control.is_empty() {
        control.as_ptr().cast_mut().cast()
    } else {
        core::ptr::null_mut()
    };
    msg.msg_controllen = control.len() as _;
    Ok(())
}

/// Points `msg` at the control region `ancillary_data` hands out for a receive (if any)
/// and at `name` (if any).
#[inline(always)]
fn fill_recv_control(
    msg: &mut libc::msghdr,
    ancillary_data: Option<&mut AncillaryData<'_>>,
    name: Option<&mut RawSocketAddr>,
) {
    if let Some(name) = name {
        (msg.msg_name, msg.msg_namelen) = name.name_buffer();
    }
    if let Some(control) = ancillary_data.and_then(AncillaryData::start_recvmsg) {
        // A larger region is only offered in part.
        let len = controllen_clamp(control.len());
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = len as _;
    }
}

/// Points `msg` at the data in `bufs` and at `control` (null with length 0 for none).
///
/// # Errors
/// `InvalidInput` if there are more buffers or control bytes than `msghdr` can describe.
#[inline(always)]
pub(crate) fn fill_send(
    msg: &mut libc::msghdr,
    bufs: &[IoSlice<'_>],
    control: &[u8],
) -> io::Result<()> {
    // `IoSlice` is guaranteed ABI-compatible with `iovec` on Unix; the kernel only reads
    // through `msg_iov` on a send.
    fill_iov(msg, bufs.as_ptr().cast_mut().cast(), bufs.len())?;
    fill_send_control(msg, control)
}

/// Points `msg` at `bufs`, at the control region `ancillary_data` hands out for a receive
/// (if any), and at `name` (if any).
///
/// # Errors
/// `InvalidInput` if there are more buffers than `msghdr` can describe.
#[inline(always)]
pub(crate) fn fill_recv(
    msg: &mut libc::msghdr,
    bufs: &mut [IoSliceMut<'_>],
    ancillary_data: Option<&mut AncillaryData<'_>>,
    name: Option<&mut RawSocketAddr>,
) -> io::Result<()> {
    // `IoSliceMut` is guaranteed ABI-compatible with `iovec` on Unix.
    fill_iov(msg, bufs.as_mut_ptr().cast(), bufs.len())?;
    fill_recv_control(msg, ancillary_data, name);
    Ok(())
}

// ----- batches (Linux) ---------------------------------------------------------------------

/// One message of a batched receive: what its `mmsghdr` is filled from, and what the
/// receive reports back. The parts of an [`os::linux::RecvMmsg`](crate::os::linux::RecvMmsg).
#[cfg(linux_like)]
pub(crate) struct RecvSlot<'a, 'fd> {
    pub(crate) bufs: RecvBufs<'a>,
    pub(crate) ancillary_data: Option<&'a mut AncillaryData<'fd>>,
    pub(crate) report: RecvReport,
}

#[cfg(linux_like)]
impl<'a> RecvSlot<'a, '_> {
    pub(crate) fn new(bufs: RecvBufs<'a>) -> Self {
        RecvSlot {
            bufs,
            ancillary_data: None,
            report: RecvReport::new(),
        }
    }
}

/// What a batched receive reports for one message: its sender's address, its length and
/// its flags.
#[cfg(linux_like)]
pub(crate) struct RecvReport {
    pub(crate) addr: RawSocketAddr,
    pub(crate) len: usize,
    pub(crate) result: RecvResult,
}

#[cfg(linux_like)]
impl RecvReport {
    pub(crate) fn new() -> Self {
        RecvReport {
            addr: RawSocketAddr::new(),
            len: 0,
            result: RecvResult::new(0),
        }
    }
}

/// One message of a batched receive, as [`recvmmsg`](super::recvmmsg) sees it: where its data, control
/// messages and report go.
#[cfg(linux_like)]
pub(crate) struct RecvParts<'s, 'b, 'fd> {
    pub(crate) bufs: &'s mut [IoSliceMut<'b>],
    pub(crate) ancillary_data: Option<&'s mut AncillaryData<'fd>>,
    pub(crate) report: &'s mut RecvReport,
}

#[cfg(linux_like)]
impl RecvParts<'_, '_, '_> {
    /// Forgets the results of an earlier receive, and clears the ancillary data (closing
    /// descriptors received into it and not taken).
    pub(super) fn reset(&mut self) {
        self.report.len = 0;
        self.report.result = RecvResult::new(0);
        self.report.addr.set_len(0);
        if let Some(ancillary_data) = self.ancillary_data.as_deref_mut() {
            ancillary_data.clear();
        }
    }
}

/// The messages a [`recvmmsg`](super::recvmmsg) receives into, visited in order.
///
/// # Safety
/// `for_each` must visit the same messages in the same order every time, and hand out, for
/// each, borrows of the same memory: [`recvmmsg`](super::recvmmsg) points the kernel at a message's parts in
/// one visit and reads what it wrote through them in the next. Both implementations (a
/// slice of [`RecvSlot`]s, and a `RecvBatch` with the buffers lent for one call) do so.
#[cfg(linux_like)]
pub(crate) unsafe trait RecvMessages<'b, 'fd> {
    /// How many messages `for_each` visits.
    fn count(&self) -> usize;
    /// Calls `f` with the parts of each message, in order.
    fn for_each(&mut self, f: impl FnMut(RecvParts<'_, 'b, 'fd>));
}

/// A type that is a [`RecvSlot`]: the messages of a [`recv_mmsg`](crate::os::linux::recv_mmsg).
#[cfg(linux_like)]
pub(crate) trait AsRecvSlot<'a, 'fd> {
    fn slot(&mut self) -> &mut RecvSlot<'a, 'fd>;
}

#[cfg(linux_like)]
// SAFETY: every visit walks the slice in order and hands out each slot's own parts.
unsafe impl<'a, 'fd: 'a, M: AsRecvSlot<'a, 'fd>> RecvMessages<'a, 'fd> for [M] {
    fn count(&self) -> usize {
        self.len()
    }

    #[inline]
    fn for_each(&mut self, mut f: impl FnMut(RecvParts<'_, 'a, 'fd>)) {
        for message in self {
            let slot = message.slot();
            f(RecvParts {
                bufs: slot.bufs.as_mut_slice(),
                ancillary_data: slot.ancillary_data.as_deref_mut(),
                report: &mut slot.report,
            });
        }
    }
}

// ----- io_uring (Linux) --------------------------------------------------------------------

with_io_uring! {
    /// Points `msg` at `bufs` (through `iovecs`, which the caller keeps with them, unmoved,
    /// as long as `msg` is used), at the control region of `ancillary_data` (cleared for
    /// the receive) and at `name`. The io_uring receive fills its header here, once, and
    /// keeps every pointee in one allocation until the completion.
    ///
    /// # Errors
    /// `InvalidInput` if there are more buffers or control bytes than `msghdr` can describe.
    pub(crate) fn fill_uring_recv(
        msg: &mut libc::msghdr,
        iovecs: &mut Vec<libc::iovec>,
        bufs: &mut [Vec<u8>],
        ancillary_data: &mut AncillaryData<'_>,
        name: Option<&mut RawSocketAddr>,
    ) -> io::Result<()> {
        iovecs.extend(bufs.iter_mut().map(|buf| libc::iovec {
            iov_base: buf.as_mut_ptr().cast(),
            iov_len: buf.len(),
        }));
        fill_iov(msg, iovecs.as_mut_ptr(), iovecs.len())?;
        fill_recv_control(msg, Some(ancillary_data), name);
        Ok(())
    }

    /// Points `msg` at `bufs` (through `iovecs`, as in [`fill_uring_recv`]), at the control
    /// bytes of `ancillary_data` and at `address`, for an io_uring send.
    ///
    /// # Errors
    /// `InvalidInput` if `ancillary_data` overflowed its fixed storage, or there are more
    /// buffers or control bytes than `msghdr` can describe.
    pub(crate) fn fill_uring_send(
        msg: &mut libc::msghdr,
        iovecs: &mut Vec<libc::iovec>,
        bufs: &mut [Vec<u8>],
        ancillary_data: &AncillaryData<'_>,
        address: Option<&RawSocketAddr>,
    ) -> io::Result<()> {
        iovecs.extend(bufs.iter_mut().map(|buf| libc::iovec {
            iov_base: buf.as_mut_ptr().cast(),
            iov_len: buf.len(),
        }));
        fill_iov(msg, iovecs.as_mut_ptr(), iovecs.len())?;
        fill_send_control(msg, ancillary_data.control_to_send()?)?;
        if let Some(address) = address {
            let bytes = address.as_bytes();
            // The kernel only reads the address (the `msghdr` field is a `*mut`).
            msg.msg_name = bytes.as_ptr().cast_mut().cast();
            msg.msg_namelen = bytes.len() as libc::socklen_t;
        }
        Ok(())
    }
}
