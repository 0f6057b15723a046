//! The system-call layer: every `sendmsg`, `recvmsg`, `sendmmsg`, `recvmmsg`,
//! `setsockopt` and `getsockopt` of the crate. Private: the public forms are the functions
//! in `socket` (and `os::linux::mmsg` for batches).
//!
//! This module makes the calls and holds every `unsafe` step of them, from borrowing the
//! socket's descriptor ([`OwnsFd`]) on; [`msghdr`] fills the `msghdr`s and `mmsghdr`s they
//! take, in safe code, from the buffers it defines.

mod msghdr;

use core::ffi::c_int;
use core::mem::{size_of, MaybeUninit};
use std::io::{self, IoSlice, IoSliceMut};
use std::os::fd::{AsRawFd, BorrowedFd};

pub(crate) use msghdr::*;

use crate::addr::RawSocketAddr;
use crate::ancillary_data::AncillaryData;
use crate::options::{RecvOptions, RecvResult, SendOptions};
use crate::PayloadField;

// ----- the buffers a message is filled from ------------------------------------------------

impl<'a> RecvBufs<'a> {
    /// The caller's buffers, their lifetime `'b` shortened to the borrow's `'a`, so that the
    /// same `IoSliceMut`s can be lent again to the next receive.
    #[inline]
    pub(crate) fn many<'b>(bufs: &'a mut [IoSliceMut<'b>]) -> Self {
        let len = bufs.len();
        let ptr = bufs.as_mut_ptr().cast::<IoSliceMut<'a>>();
        // Only the lifetime parameter changes ('b to the shorter 'a; 'b: 'a is implied by
        // the type of `bufs`), so layout and validity are the same and the buffers stay
        // valid for all of 'a. `&mut` makes such shortening unsound only if a shorter-lived
        // `IoSliceMut` could be written into the slice: the crate never writes one, and
        // hands the slice on only to the kernel (as `iovec`s) and to
        // `RecvMessage::recv_message`, whose implementations are generic over the lifetime.
        // SAFETY: so nothing can store an `IoSliceMut` shorter-lived than 'b in the slice.
        RecvBufs::Many(unsafe { core::slice::from_raw_parts_mut(ptr, len) })
    }
}

// ----- the socket a call is made on -------------------------------------------------------

/// A socket type that owns its descriptor and keeps it open for as long as it lives, as
/// std's socket types and socket2's `Socket` do: its descriptor can be borrowed through
/// `AsRawFd`, rather than std's `AsFd`, whose impls for std's sockets are calls the compiler
/// must assume may unwind (BENCHMARKS.md, "Why the code is shaped so").
///
/// # Safety
/// `as_raw_fd` returns the descriptor the value owns, open for as long as the value lives.
pub(crate) unsafe trait OwnsFd: AsRawFd {
    /// The descriptor, borrowed for as long as `self` is.
    #[inline(always)]
    fn fd(&self) -> BorrowedFd<'_> {
        // SAFETY: the descriptor stays open while `self` lives (the trait's contract),
        // which bounds the returned borrow.
        unsafe { BorrowedFd::borrow_raw(self.as_raw_fd()) }
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
    // Whether the sender is an IPv4 or IPv6 address: then no descriptor can have come
    // (only Unix sockets pass them), and the control data owns none.
    let mut inet = false;
    if let Some(name) = name {
        name.set_len(msg.msg_namelen);
        inet = name.is_inet();
    }
    if let Some(ancillary_data) = ancillary_data {
        #[allow(clippy::unnecessary_cast, reason = "socklen_t on musl and the BSDs")]
        let control_len = msg.msg_controllen as usize;
        if inet {
            ancillary_data.finish_recvmsg_without_fds(control_len);
        } else {
            // SAFETY: the receive wrote `msg_controllen` bytes of control data into the
            // region `start_recvmsg` returned in `fill_recv` (or 0 with none), and nothing
            // touched `ancillary_data` since (this function's contract).
            unsafe { ancillary_data.finish_recvmsg(control_len) };
        }
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
}
