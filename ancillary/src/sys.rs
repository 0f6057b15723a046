//! The system-call layer: every `sendmsg`, `recvmsg`, `sendmmsg` and `recvmmsg` of the
//! crate, and the filling of their `msghdr`s and `mmsghdr`s. Private: the public forms are
//! the functions in `socket` (and `os::linux::mmsg` for batches).

use core::ffi::c_int;
use core::mem::{size_of, MaybeUninit};
use std::io::{self, IoSlice, IoSliceMut};
use std::os::fd::{AsRawFd, BorrowedFd};

use crate::addr::RawSocketAddr;
use crate::ancillary_data::AncillaryData;
use crate::cmsg::size_of_field;
use crate::options::{RecvOptions, RecvResult, SendOptions};
use crate::PayloadField;

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

/// An all-zero `msghdr`: null pointers and zero lengths.
#[inline]
fn empty_msghdr() -> libc::msghdr {
    // SAFETY: `msghdr` is made of raw pointers and integers (plus padding fields on some
    // targets), for all of which zero is a valid value.
    unsafe { core::mem::zeroed() }
}

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

/// `sendmsg`: sends `bufs` and the control messages of `ancillary_data`, to `name` if
/// given.
///
/// # Errors
/// The `sendmsg` error, or `InvalidInput` before any system call (an overflowed fixed
/// storage, too many buffers or too much control data).
#[inline(always)]
pub(crate) fn send(
    socket: BorrowedFd<'_>,
    name: Option<(*const libc::sockaddr, libc::socklen_t)>,
    bufs: &[IoSlice<'_>],
    ancillary_data: &mut AncillaryData<'_>,
    options: SendOptions,
) -> io::Result<usize> {
    let control = ancillary_data.control_to_send()?;
    let mut msg = empty_msghdr();
    if let Some((name, name_len)) = name {
        msg.msg_name = name.cast_mut().cast();
        msg.msg_namelen = name_len;
    }
    fill_send(&mut msg, bufs, control)?;
    // The pointees: the address the caller lends, the `iovec`s of `bufs`, and the control
    // bytes borrowed from `ancillary_data`.
    // SAFETY: every pointer in `msg` is null with a zero length or valid for reads of the
    // given length for the whole call; `sendmsg` only reads through them.
    let sent = unsafe { libc::sendmsg(socket.as_raw_fd(), &msg, options.as_send_flags()) };
    if sent < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(sent as usize)
}

/// The one receive epilogue, after a `recvmsg` (or a batch's or an io_uring
/// operation's) succeeded into `msg`: hands the control data to `ancillary_data`, which then
/// owns every descriptor in it, records the sender's address length in `name`, and returns
/// the result flags.
///
/// # Safety
/// `msg` was filled by [`fill_recv`] (or [`fill_uring_recv`]) with this `ancillary_data`
/// and `name`, the receive into it succeeded, and nothing touched them since.
#[inline(always)]
pub(crate) unsafe fn finish_recv(
    msg: &libc::msghdr,
    ancillary_data: Option<&mut AncillaryData<'_>>,
    name: Option<&mut RawSocketAddr>,
) -> RecvResult {
    if let Some(ancillary_data) = ancillary_data {
        #[allow(clippy::unnecessary_cast, reason = "socklen_t on musl and the BSDs")]
        let control_len = msg.msg_controllen as usize;
        // SAFETY: the receive wrote `msg_controllen` bytes of control data into the region
        // `start_recvmsg` returned in `fill_recv` (or 0 with none), and nothing touched
        // `ancillary_data` since (this function's contract).
        unsafe { ancillary_data.finish_recvmsg(control_len) };
    }
    if let Some(name) = name {
        name.set_len(msg.msg_namelen);
    }
    RecvResult::new(msg.msg_flags)
}

/// `recvmsg`: receives into `bufs`, the control messages into `ancillary_data` (which then
/// owns every descriptor received), and the sender's address into `name` if given;
/// returns the byte count and the flags.
///
/// # Errors
/// The `recvmsg` error (`ancillary_data` is then empty), or `InvalidInput` before it.
#[inline(always)]
pub(crate) fn recv(
    socket: BorrowedFd<'_>,
    mut name: Option<&mut RawSocketAddr>,
    bufs: &mut [IoSliceMut<'_>],
    ancillary_data: &mut AncillaryData<'_>,
    options: RecvOptions,
) -> io::Result<(usize, RecvResult)> {
    let mut msg = empty_msghdr();
    fill_recv(
        &mut msg,
        bufs,
        Some(&mut *ancillary_data),
        name.as_deref_mut(),
    )?;
    let flags = options.as_recv_flags();
    // The pointees of `msg`: the address storage, the buffers of `bufs`, and the control
    // region that `start_recvmsg` handed out (exclusively borrowed from `ancillary_data`);
    // `finish_recv` gets what `fill_recv` filled `msg` from, after a successful receive.
    // SAFETY: every pointer in `msg` is null with a zero length or valid for writes of the
    // given length for the whole call, and not otherwise borrowed; nothing touches the
    // pointees between the call and `finish_recv`.
    unsafe {
        let received = libc::recvmsg(socket.as_raw_fd(), &mut msg, flags);
        if received < 0 {
            return Err(io::Error::last_os_error());
        }
        let result = finish_recv(&msg, Some(ancillary_data), name);
        Ok((received as usize, result))
    }
}

// ----- socket options ---------------------------------------------------------------------

/// `setsockopt(fd, level, name, &value, size_of_val(&value))`.
///
/// Safe for any option whose value is `T`'s bytes alone (the [`SocketOption`] contract):
/// the kernel reads at most the `size_of::<T>()` bytes it is given (it fails with `EINVAL`
/// if that is not the size the option wants), and a [`PayloadField`] has no padding, so
/// all of them are initialised.
pub(crate) fn setsockopt<T: PayloadField>(
    fd: BorrowedFd<'_>,
    level: c_int,
    name: c_int,
    value: &T,
) -> io::Result<()> {
    let len = socklen(size_of::<T>())?;
    // `value` is a live reference for the whole call, `len` is its size, and every one of
    // those bytes is initialised (`PayloadField`: no padding). `fd` is borrowed, so open.
    // SAFETY: `setsockopt` reads at most `len` bytes from the pointer, all valid for reads.
    let rc = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            name,
            core::ptr::from_ref(value).cast(),
            len,
        )
    };
    os_result(rc)
}

/// `size` as a `socklen_t`.
fn socklen(size: usize) -> io::Result<libc::socklen_t> {
    libc::socklen_t::try_from(size).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))
}

/// A return code of 0 as `Ok`, any other as the `errno` it left.
fn os_result(rc: c_int) -> io::Result<()> {
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Room for a `T` and a few bytes more, so that an option longer than `T` shows as a
/// longer length rather than being cut to fit.
#[repr(C)]
struct Room<T> {
    value: MaybeUninit<T>,
    spare: MaybeUninit<[u8; 8]>,
}

/// `getsockopt(fd, level, name, ...)` into a `T`, once `check` has accepted the length the
/// kernel wrote (it must accept only `size_of::<T>()`).
pub(crate) fn getsockopt<T: PayloadField>(
    fd: BorrowedFd<'_>,
    level: c_int,
    name: c_int,
    check: impl FnOnce(libc::socklen_t) -> io::Result<()>,
) -> io::Result<T> {
    let mut room = Room::<T> {
        value: MaybeUninit::uninit(),
        spare: MaybeUninit::uninit(),
    };
    let mut len = socklen(size_of::<Room<T>>())?;
    // The pointer covers all of `room` (`len` is its size), which lives across the call;
    // `len` is a live `socklen_t` the kernel updates. `fd` is borrowed, so open.
    // SAFETY: `getsockopt` writes at most `len` bytes at the pointer and the length it
    // wrote into `len`; both are valid for writes of those sizes.
    let rc = unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            level,
            name,
            core::ptr::from_mut(&mut room).cast(),
            &mut len,
        )
    };
    os_result(rc)?;
    check(len)?;
    assert_eq!(
        len as usize,
        size_of::<T>(),
        "the check accepts only a whole value"
    );
    // SAFETY: the kernel wrote `len` bytes from the start of `room`, which is all of
    // `value`'s `size_of::<T>()` bytes (asserted above); any bytes are a valid `T`
    // (`PayloadField`: no invalid bit pattern).
    Ok(unsafe { room.value.assume_init() })
}

// ----- the process ----------------------------------------------------------------------------

/// This process's id, real user id and real group id.
#[cfg(linux_like)]
pub(crate) fn current_ids() -> (libc::pid_t, libc::uid_t, libc::gid_t) {
    // SAFETY: these calls have no preconditions and cannot fail.
    unsafe { (libc::getpid(), libc::getuid(), libc::getgid()) }
}

// ----- batches (Linux) ---------------------------------------------------------------------

/// Room for `N` `mmsghdr`s on the stack, of which a batch zeroes only the ones it uses: a
/// batch of a few messages does not pay for clearing all `N`.
#[cfg(linux_like)]
pub(crate) struct MmsgHdrs<const N: usize>([core::mem::MaybeUninit<libc::mmsghdr>; N]);

#[cfg(linux_like)]
impl<const N: usize> MmsgHdrs<N> {
    #[inline]
    pub(crate) const fn new() -> Self {
        MmsgHdrs([const { core::mem::MaybeUninit::uninit() }; N])
    }

    /// The first `count` headers (at most `N`), all zero: null pointers and zero lengths.
    #[inline]
    pub(crate) fn zeroed(&mut self, count: usize) -> &mut [libc::mmsghdr] {
        let hdrs = &mut self.0[..count.min(N)];
        let len = hdrs.len();
        let first = hdrs.as_mut_ptr().cast::<libc::mmsghdr>();
        // `mmsghdr` is a `msghdr` (raw pointers and integers, plus padding fields on some
        // targets) and an integer, for all of which zero is a valid value; `MaybeUninit<T>`
        // has the layout of `T`.
        // SAFETY: `first` points at `len` headers of `self`, borrowed exclusively for the
        // returned slice's life; once zeroed, each is a valid `mmsghdr`.
        unsafe {
            core::ptr::write_bytes(first, 0, len);
            core::slice::from_raw_parts_mut(first, len)
        }
    }
}

/// Room for one destination address of a batch, kept across the `sendmmsg` call.
#[cfg(linux_like)]
pub(crate) struct Name([core::mem::MaybeUninit<u8>; size_of::<libc::sockaddr_storage>()]);

#[cfg(linux_like)]
impl Name {
    pub(crate) const fn new() -> Name {
        Name([core::mem::MaybeUninit::uninit(); size_of::<libc::sockaddr_storage>()])
    }
}

/// Copies the address `bytes` into `name` and points `msg` at it.
///
/// # Errors
/// `InvalidInput` if the address is larger than a `sockaddr_storage`.
#[cfg(linux_like)]
#[inline(always)]
pub(crate) fn fill_name(msg: &mut libc::msghdr, name: &mut Name, bytes: &[u8]) -> io::Result<()> {
    let room = name.0.get_mut(..bytes.len()).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "more bytes than a sockaddr_storage holds",
        )
    })?;
    // A copy of the address, not a loop over its bytes: a byte at a time cost about 20
    // instructions per datagram (BENCHMARKS.md, "Why the code is shaped so").
    // SAFETY: `room` is `bytes.len()` writable bytes of `name`, which `bytes` (a shared
    // borrow of other memory) cannot overlap; a `MaybeUninit<u8>` may be written with any
    // byte.
    unsafe {
        core::ptr::copy_nonoverlapping(bytes.as_ptr(), room.as_mut_ptr().cast(), bytes.len());
    }
    msg.msg_name = name.0.as_mut_ptr().cast();
    msg.msg_namelen = bytes.len() as libc::socklen_t;
    Ok(())
}

/// `sendmmsg`: sends the messages `hdrs` describe (filled with [`fill_send`] and, for
/// addresses, pointers the caller lends for the call); returns how many were sent. Each
/// header's `msg_len` then holds its bytes sent.
///
/// # Errors
/// The `sendmmsg` error of a batch that sent nothing.
#[cfg(linux_like)]
pub(crate) fn sendmmsg(
    socket: BorrowedFd<'_>,
    hdrs: &mut [libc::mmsghdr],
    options: SendOptions,
) -> io::Result<usize> {
    if hdrs.is_empty() {
        return Ok(0);
    }
    // The pointees: the `iovec`s and data of the messages and their control bytes,
    // borrowed by the caller, and the addresses it lends for the call (`fill_send` and
    // `with_sockaddr`). The kernel only reads through them.
    // SAFETY: each pointer in `hdrs` is null with a zero length or valid for reads of that
    // length for the whole call; the kernel writes only `msg_len` of each header, which
    // `hdrs` lets it.
    let sent = unsafe {
        libc::sendmmsg(
            socket.as_raw_fd(),
            hdrs.as_mut_ptr(),
            hdrs.len() as _,
            options.as_send_flags() as _,
        )
    };
    if sent < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(sent as usize)
}

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

/// One message of a batched receive, as [`recvmmsg`] sees it: where its data, control
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
    fn reset(&mut self) {
        self.report.len = 0;
        self.report.result = RecvResult::new(0);
        self.report.addr.set_len(0);
        if let Some(ancillary_data) = self.ancillary_data.as_deref_mut() {
            ancillary_data.clear();
        }
    }
}

/// The messages a [`recvmmsg`] receives into, visited in order.
///
/// `for_each` must visit the same messages in the same order every time, and hand out, for
/// each, borrows of the same memory: [`recvmmsg`] points the kernel at a message's parts in
/// one visit and reads what it wrote through them in the next. Both implementations (a
/// slice of [`RecvSlot`]s, and a `RecvBatch` with the buffers lent for one call) do so.
#[cfg(linux_like)]
pub(crate) trait RecvMessages<'b, 'fd> {
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
impl<'a, 'fd: 'a, M: AsRecvSlot<'a, 'fd>> RecvMessages<'a, 'fd> for [M] {
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

/// `recvmmsg` into up to `N` of `messages`; returns how many arrived, whose reports then
/// hold their length, flags, sender and control data. Every message is reset first, the
/// ones past `N` included, and before anything can fail: afterwards no message holds an
/// earlier call's results or descriptors, whatever this call returns. No timeout is passed.
///
/// # Errors
/// `InvalidInput` before the call, or the `recvmmsg` error (no message was received then).
#[cfg(linux_like)]
pub(crate) fn recvmmsg<'b, 'fd, const N: usize>(
    socket: BorrowedFd<'_>,
    messages: &mut (impl RecvMessages<'b, 'fd> + ?Sized),
    options: RecvOptions,
) -> io::Result<usize> {
    let mut room = MmsgHdrs::<N>::new();
    let hdrs = room.zeroed(messages.count());
    let mut filled = Ok(());
    let mut free = hdrs.iter_mut();
    messages.for_each(|mut parts| {
        parts.reset();
        if let (Some(hdr), Ok(())) = (free.next(), &filled) {
            filled = fill_recv(
                &mut hdr.msg_hdr,
                parts.bufs,
                parts.ancillary_data,
                Some(&mut parts.report.addr),
            );
        }
    });
    filled?;
    if hdrs.is_empty() {
        return Ok(0);
    }
    // The pointees: each message's address storage and buffers (borrowed from `messages`
    // in one visit of `for_each`, which hands out disjoint borrows), and the control region
    // that `start_recvmsg` handed out (exclusively borrowed from that message's
    // `AncillaryData`); `messages` stays borrowed, and untouched, until the visit below,
    // which hands out the same parts (`RecvMessages`' contract). The timeout is null, which
    // `recvmmsg` allows, and at most `hdrs.len()` headers are written.
    // SAFETY: every pointer in `hdrs` is null with a zero length or valid for writes of
    // that length for the whole call, and not otherwise borrowed.
    let received = unsafe {
        libc::recvmmsg(
            socket.as_raw_fd(),
            hdrs.as_mut_ptr(),
            hdrs.len() as _,
            options.as_recv_flags() as _,
            core::ptr::null_mut(),
        )
    };
    if received < 0 {
        return Err(io::Error::last_os_error());
    }
    let received = received as usize;
    let mut done = hdrs[..received].iter();
    messages.for_each(|parts| {
        if let Some(hdr) = done.next() {
            parts.report.len = hdr.msg_len as usize;
            // SAFETY: this header was filled above from these parts (the same ones:
            // `RecvMessages`' contract), and is among the first `received`, which
            // `recvmmsg` filled.
            parts.report.result = unsafe {
                finish_recv(
                    &hdr.msg_hdr,
                    parts.ancillary_data,
                    Some(&mut parts.report.addr),
                )
            };
        }
    });
    Ok(received)
}

// ----- io_uring (Linux) --------------------------------------------------------------------

with_io_uring! {
    /// An all-zero `msghdr` for an io_uring operation to fill and keep.
    pub(crate) fn uring_msghdr() -> libc::msghdr {
        empty_msghdr()
    }

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
