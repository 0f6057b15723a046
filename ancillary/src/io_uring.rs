//! io_uring: `sendmsg` and `recvmsg` as submission entries, with the same types as the
//! blocking calls, and a parser for multishot `recvmsg` completions (Linux, feature
//! `io-uring`, on the [`io-uring`](https://docs.rs/io-uring) crate).
//!
//! The module exists on the architectures whose kernel ABI the `io-uring` crate ships
//! (x86_64, aarch64, riscv64, loongarch64, powerpc64); elsewhere the feature adds nothing.
//!
//! # Single-shot operations
//!
//! [`SendMsg`] and [`RecvMsg`] take the same data as
//! [`MessageSender`](crate::MessageSender) and [`MessageReceiver`](crate::MessageReceiver)
//! (buffers, an [`AncillaryData`], options, an address), but **own** it, since the kernel
//! reads or writes it after the call that submits the entry has returned.
//! [`prepare`](RecvMsg::prepare) moves everything, with the `msghdr` and the `iovec`s
//! pointing into it, into one heap allocation that an operation ([`RecvMsgOp`],
//! [`SendMsgOp`]) holds. The data only comes back through `complete`, which takes the
//! operation's completion result; a receive's control data goes through the RFC's finish
//! step ([`AncillaryData::finish_recvmsg`]), so every received descriptor is an owned,
//! close-on-exec descriptor exactly as after [`recv_message`](crate::recv_message).
//!
//! A descriptor passed over a Unix datagram pair, both ways through a ring:
//!
//! ```
//! # fn main() -> std::io::Result<()> {
//! use std::os::fd::AsFd;
//! use std::os::unix::net::UnixDatagram;
//! use ancillary::io_uring::{RecvMsg, SendMsg};
//! use ancillary::AncillaryData;
//!
//! let Ok(mut ring) = io_uring::IoUring::new(8) else {
//!     return Ok(()); // io_uring refused here (a sandbox, `io_uring_disabled`)
//! };
//! let (a, b) = UnixDatagram::pair()?;
//! let (one_end, _other_end) = UnixDatagram::pair()?;
//!
//! let send = SendMsg::new(b"one end".to_vec())
//!     .fds(vec![one_end.into()])
//!     .prepare()?;
//! let capacity = AncillaryData::space_for_fds(1);
//! let recv = RecvMsg::new(vec![0; 64], AncillaryData::with_capacity(capacity)).prepare()?;
//! let entries = [send.entry(a.as_fd()), recv.entry(b.as_fd())];
//! // SAFETY: both operations own what their entries point at until `complete`.
//! unsafe { ring.submission().push_multiple(&entries) }.expect("room for two");
//! ring.submit_and_wait(2)?;
//!
//! let (mut sent, mut received) = (None, None);
//! for cqe in ring.completion() {
//!     if cqe.user_data() == send.user_data() {
//!         sent = Some(cqe.result());
//!     } else if cqe.user_data() == recv.user_data() {
//!         received = Some(cqe.result());
//!     }
//! }
//! // SAFETY: each entry was submitted once, and these are its completions' results.
//! let (sent, mut received) = unsafe {
//!     (send.complete(sent.unwrap()), recv.complete(received.unwrap()))
//! };
//! sent.result?;
//! let (len, _flags) = received.result?;
//! assert_eq!(&received.bufs[0][..len], b"one end");
//! let [_fd] = received.ancillary.take_exact_fds()?;
//! # Ok(())
//! # }
//! ```
//!
//! Dropping an operation that was not completed **leaks** its allocation: the kernel may
//! still write into it, so freeing it would be unsound (`mem::forget` is therefore also
//! sound). Descriptors that such a receive gets are then owned by nobody. To end an
//! operation early, submit an [`AsyncCancel`](::io_uring::opcode::AsyncCancel) for its
//! [`user_data`](RecvMsgOp::user_data), wait for its completion (`-ECANCELED`, or the
//! result if it finished first) and `complete` it: nothing leaks.
//!
//! Pushing an entry onto a submission queue is `unsafe` in the `io-uring` crate, because the
//! memory it points at must outlive the operation; these types guarantee that part. What
//! is left to the caller is in the `# Safety` section of `complete`: submit the entry
//! once, and pass `complete` that submission's result.
//!
//! # Multishot receive
//!
//! [`RecvMsgMulti`] builds a multishot `recvmsg` entry (`IORING_RECV_MULTISHOT` with
//! provided buffers). The kernel writes each datagram into a provided buffer as an
//! `io_uring_recvmsg_out` header, then the address, the control data and the payload.
//! [`RecvMsgMulti::parse`] reads such a buffer safely into a [`RecvMsgOut`] (any bytes
//! at all: malformed or truncated ones give an [`OutError`]), and [`RecvMsgMulti::take`]
//! also hands the control data to an [`AncillaryData`] through the finish step, which
//! then owns the descriptors in it.
//!
//! See the guide's [io_uring section](crate::guide#io_uring) for a whole example.

use core::ptr::NonNull;
use std::fmt;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd};

use ::io_uring::{opcode, squeue, types};

use crate::addr::RawSocketAddr;
use crate::ancillary_data::AncillaryData;
use crate::cmsg::BUFFER_ALIGN;
use crate::control_messages::ControlMessages;
use crate::options::{RecvOptions, RecvResult, SendOptions};
use crate::fds::ReceivedControlMessages;
use crate::sys;

/// The operations are `Send`: the `unsafe impl Send` of [`Op`] asks its parts to be.
const _: () = {
    const fn is_send<T: Send>() {}
    is_send::<RecvMsgOp>();
    is_send::<SendMsgOp>();
};

// ----- the operation life cycle, shared by send and receive ----------------------------------

/// What an operation keeps for the kernel, in one heap allocation: the `msghdr` its entry
/// points at, the entry's flags, and the parts the `msghdr` points into (buffers, control
/// data, an address), none of which is moved, grown or touched until the completion.
struct State<P> {
    msg: libc::msghdr,
    /// The `iovec`s of the buffers in `parts`.
    iovecs: Vec<libc::iovec>,
    flags: i32,
    parts: P,
}

/// A prepared operation: its [`State`], leaked so that the kernel may use it until the
/// completion, and given back only by [`finish`](Self::finish). Dropped before then, it
/// leaks the state: nothing frees memory the kernel may still read or write.
struct Op<P> {
    /// From `Box::leak`; owned by this value, freed only by `finish`.
    state: NonNull<State<P>>,
}

// SAFETY: the state is `Send` parts and the plain C structs (`msghdr`, `iovec`s) whose
// pointers point into them; an `Op` gives no shared access to it, so moving it to another
// thread is like moving a `Box` of the parts.
unsafe impl<P: Send> Send for Op<P> {}

impl<P> Op<P> {
    /// Moves `parts` into one heap allocation, then lets `fill` point the `msghdr` at them.
    ///
    /// # Errors
    /// `fill`'s (the state is freed then: no entry exists for it).
    fn new(
        parts: P,
        buffers: usize,
        flags: i32,
        fill: impl FnOnce(&mut libc::msghdr, &mut Vec<libc::iovec>, &mut P) -> io::Result<()>,
    ) -> io::Result<Op<P>> {
        let state = Box::new(State {
            msg: sys::uring_msghdr(),
            iovecs: Vec::with_capacity(buffers),
            flags,
            parts,
        });
        // Leaked first, so that the pointers `fill` takes derive from the allocation's
        // final, unmoved place.
        let op = Op {
            state: NonNull::from(Box::leak(state)),
        };
        // SAFETY: the allocation is live and owned by `op`, which is not used while this
        // borrow lasts; no entry for it exists yet.
        let State {
            msg, iovecs, parts, ..
        } = unsafe { &mut *op.state.as_ptr() };
        match fill(msg, iovecs, parts) {
            Ok(()) => Ok(op),
            Err(err) => {
                // SAFETY: never submitted: the kernel never saw the state.
                drop(unsafe { op.finish() });
                Err(err)
            }
        }
    }

    /// The `user_data` of the entry: the state's address, unique among the operations
    /// alive in this process.
    fn user_data(&self) -> u64 {
        self.state.as_ptr() as usize as u64
    }

    /// The `msghdr` for the entry, and its flags.
    fn msg_and_flags(&self) -> (*mut libc::msghdr, u32) {
        // SAFETY: `state` is the live allocation this value owns; only a shared read of two
        // fields, while nothing else accesses them.
        let (msg, flags) = unsafe {
            let state = self.state.as_ptr();
            (&raw mut (*state).msg, (*state).flags)
        };
        (msg, flags as u32)
    }

    /// Frees the state, giving it back.
    ///
    /// # Safety
    /// The kernel is done with it: its entry was submitted and has completed, or was never
    /// submitted.
    unsafe fn finish(self) -> Box<State<P>> {
        // SAFETY: the allocation came from `Box::leak` and is owned by `self` alone, which
        // this consumes; the kernel is done with it (the caller's promise).
        unsafe { Box::from_raw(self.state.as_ptr()) }
    }
}

impl<P> Drop for Op<P> {
    fn drop(&mut self) {
        // Not finished: the kernel may still use the state, so it is leaked.
    }
}

/// The result of a completion: the count, or the error of a negated `errno`.
fn outcome(result: i32) -> io::Result<usize> {
    if result < 0 {
        Err(io::Error::from_raw_os_error(-result))
    } else {
        Ok(result as usize)
    }
}

// ----- single-shot receive -------------------------------------------------------------------

/// A `recvmsg` to submit to an io_uring: the buffers and control storage it receives into.
///
/// The counterpart of [`MessageReceiver`](crate::MessageReceiver), owning its data;
/// [`prepare`](Self::prepare) it into a [`RecvMsgOp`].
#[derive(Debug)]
pub struct RecvMsg {
    bufs: Vec<Vec<u8>>,
    ancillary: AncillaryData<'static>,
    options: RecvOptions,
    address: bool,
}

impl RecvMsg {
    /// A receive into `buf` (its whole length, not its spare capacity) and the control
    /// storage of `ancillary` (its capacity: see [`AncillaryData::with_capacity`]).
    #[must_use]
    pub fn new(buf: Vec<u8>, ancillary: AncillaryData<'static>) -> RecvMsg {
        RecvMsg::vectored(vec![buf], ancillary)
    }

    /// A scattering receive into `bufs`, in order.
    #[must_use]
    pub fn vectored(bufs: Vec<Vec<u8>>, ancillary: AncillaryData<'static>) -> RecvMsg {
        RecvMsg {
            bufs,
            ancillary,
            options: RecvOptions::new(),
            address: false,
        }
    }

    /// The receive's flags (`MSG_CMSG_CLOEXEC` is always added).
    #[must_use]
    pub fn options(mut self, options: RecvOptions) -> RecvMsg {
        self.options = options;
        self
    }

    /// Also receive the sender's address ([`RecvMsgDone::address`]).
    #[must_use]
    pub fn with_address(mut self) -> RecvMsg {
        self.address = true;
        self
    }

    /// Moves everything into one heap allocation, points a `msghdr` at it, and clears the
    /// [`AncillaryData`] for the receive (its RFC start step, closing descriptors not taken).
    ///
    /// # Errors
    /// `InvalidInput` if there are more buffers or control bytes than a `msghdr` describes.
    pub fn prepare(self) -> io::Result<RecvMsgOp> {
        let buffers = self.bufs.len();
        let parts = RecvParts {
            bufs: self.bufs,
            ancillary: self.ancillary,
            name: self.address.then(RawSocketAddr::new),
        };
        let flags = self.options.as_recv_flags();
        let op = Op::new(parts, buffers, flags, |msg, iovecs, p| {
            sys::fill_uring_recv(msg, iovecs, &mut p.bufs, &mut p.ancillary, p.name.as_mut())
        })?;
        Ok(RecvMsgOp(op))
    }
}

/// What a [`RecvMsgOp`] keeps for the kernel, beside its `msghdr`.
struct RecvParts {
    bufs: Vec<Vec<u8>>,
    ancillary: AncillaryData<'static>,
    name: Option<RawSocketAddr>,
}

/// A prepared `recvmsg`: build its [`entry`](Self::entry), submit it once, and give its
/// completion's result to [`complete`](Self::complete).
///
/// Dropping it before then leaks its buffers (see the [module](self) documentation):
/// the kernel may still write into them.
pub struct RecvMsgOp(Op<RecvParts>);

impl RecvMsgOp {
    /// The `user_data` that [`entry`](Self::entry) sets: the state's address, unique among
    /// the operations alive in this process. Match completions with it.
    #[must_use]
    pub fn user_data(&self) -> u64 {
        self.0.user_data()
    }

    /// The submission entry: an `IORING_OP_RECVMSG` on `socket` with this operation's
    /// `msghdr`, and [`user_data`](Self::user_data) set. Change its `user_data` if you
    /// like; its pointers stay valid until [`complete`](Self::complete).
    #[must_use]
    pub fn entry(&self, socket: BorrowedFd<'_>) -> squeue::Entry {
        let (msg, flags) = self.0.msg_and_flags();
        opcode::RecvMsg::new(types::Fd(socket.as_raw_fd()), msg)
            .flags(flags)
            .build()
            .user_data(self.user_data())
    }

    /// Ends the operation with its completion's result (`cqe.result()`): the byte count,
    /// or a negated `errno`. The control data is then adopted by the [`AncillaryData`]
    /// (the RFC's finish step), which owns every descriptor received.
    ///
    /// # Safety
    /// The [`entry`](Self::entry) (or a copy) was submitted exactly once, and `result` is
    /// the result of that submission's completion, which has arrived. (A receive that was
    /// never submitted also qualifies, with any negative `result`.)
    pub unsafe fn complete(self, result: i32) -> RecvMsgDone {
        // SAFETY: the kernel is done with the state (the caller's promise).
        let mut state = unsafe { self.0.finish() };
        let State { msg, parts, .. } = &mut *state;
        let result = outcome(result).map(|n| {
            // SAFETY: `prepare` filled `msg` from these parts with `fill_uring_recv`, the
            // receive succeeded (the caller's promise), and nothing touched them since.
            let flags = unsafe { sys::finish_recv(msg, Some(&mut parts.ancillary), parts.name.as_mut()) };
            (n, flags)
        });
        let RecvParts {
            bufs,
            ancillary,
            name,
            ..
        } = state.parts;
        RecvMsgDone {
            bufs,
            ancillary,
            address: name.filter(|_| result.is_ok()),
            result,
        }
    }
}

impl fmt::Debug for RecvMsgOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecvMsgOp")
            .field("user_data", &self.user_data())
            .finish_non_exhaustive()
    }
}

/// A completed [`RecvMsgOp`]: the data given back, and the outcome.
#[derive(Debug)]
#[non_exhaustive]
pub struct RecvMsgDone {
    /// The buffers, unchanged in length; the first bytes received are in the first one.
    pub bufs: Vec<Vec<u8>>,
    /// The control messages received, owning every descriptor in them (empty on error).
    pub ancillary: AncillaryData<'static>,
    /// The sender's address, if [`RecvMsg::with_address`] asked for it and the receive
    /// succeeded.
    pub address: Option<RawSocketAddr>,
    /// The bytes received and the flags, or the error.
    pub result: io::Result<(usize, RecvResult)>,
}

// ----- single-shot send ----------------------------------------------------------------------

/// A `sendmsg` to submit to an io_uring: the data, control messages and descriptors it
/// sends.
///
/// The counterpart of [`MessageSender`](crate::MessageSender), owning its data;
/// [`prepare`](Self::prepare) it into a [`SendMsgOp`]. Descriptors to send are moved in
/// with [`fds`](Self::fds) and kept open until the completion (an
/// [`AncillaryData<'static>`] can only borrow descriptors that live forever).
#[derive(Debug)]
pub struct SendMsg {
    bufs: Vec<Vec<u8>>,
    ancillary: AncillaryData<'static>,
    fds: Vec<OwnedFd>,
    options: SendOptions,
    address: Option<RawSocketAddr>,
}

impl SendMsg {
    /// A send of `buf`.
    #[must_use]
    pub fn new(buf: Vec<u8>) -> SendMsg {
        SendMsg::vectored(vec![buf])
    }

    /// A gathering send of `bufs`, in order.
    #[must_use]
    pub fn vectored(bufs: Vec<Vec<u8>>) -> SendMsg {
        SendMsg {
            bufs,
            ancillary: AncillaryData::new(),
            fds: Vec::new(),
            options: SendOptions::new(),
            address: None,
        }
    }

    /// The control messages to send. An [`SCM_RIGHTS`](Self::fds) message of the
    /// descriptors moved in is appended to them.
    #[must_use]
    pub fn ancillary_data(mut self, ancillary: AncillaryData<'static>) -> SendMsg {
        self.ancillary = ancillary;
        self
    }

    /// Descriptors to send in one `SCM_RIGHTS` message; they are kept open until the
    /// completion and given back by [`SendMsgOp::complete`].
    #[must_use]
    pub fn fds(mut self, fds: Vec<OwnedFd>) -> SendMsg {
        self.fds = fds;
        self
    }

    /// The send's flags.
    #[must_use]
    pub fn options(mut self, options: SendOptions) -> SendMsg {
        self.options = options;
        self
    }

    /// The destination, copied now.
    ///
    /// # Errors
    /// If the address cannot be expressed as a `sockaddr` (see
    /// [`SocketAddress::with_sockaddr`](crate::SocketAddress::with_sockaddr)).
    pub fn to<A: crate::SocketAddress>(mut self, address: &A) -> io::Result<SendMsg> {
        self.address = Some(RawSocketAddr::copy_of(address)?);
        Ok(self)
    }

    /// Appends the descriptors' `SCM_RIGHTS` message, moves everything into one heap
    /// allocation and points a `msghdr` at it.
    ///
    /// # Errors
    /// `InvalidInput` if an earlier `add_*` did not fit fixed storage, or if there are more
    /// buffers or control bytes than a `msghdr` describes.
    pub fn prepare(mut self) -> io::Result<SendMsgOp> {
        if !self.fds.is_empty() {
            let raw: Vec<u8> = self
                .fds
                .iter()
                .flat_map(|fd| fd.as_raw_fd().to_ne_bytes())
                .collect();
            // The descriptors are raw numbers here; `fds` keeps them open until the
            // completion, after which the message is never sent again.
            self.ancillary
                .try_add_control_message(crate::ControlMessage::new(
                    libc::SOL_SOCKET,
                    libc::SCM_RIGHTS,
                    &raw,
                ))
                .map_err(io::Error::from)?;
        }
        // Checks for an overflow before anything is moved.
        self.ancillary.start_sendmsg()?;
        let buffers = self.bufs.len();
        let parts = SendParts {
            bufs: self.bufs,
            ancillary: self.ancillary,
            fds: self.fds,
            address: self.address,
        };
        let flags = self.options.as_send_flags();
        let op = Op::new(parts, buffers, flags, |msg, iovecs, p| {
            sys::fill_uring_send(msg, iovecs, &mut p.bufs, &p.ancillary, p.address.as_ref())
        })?;
        Ok(SendMsgOp(op))
    }
}

/// What a [`SendMsgOp`] keeps for the kernel, beside its `msghdr`: also the descriptors its
/// control message names.
struct SendParts {
    bufs: Vec<Vec<u8>>,
    ancillary: AncillaryData<'static>,
    fds: Vec<OwnedFd>,
    address: Option<RawSocketAddr>,
}

/// A prepared `sendmsg`: build its [`entry`](Self::entry), submit it once, and give its
/// completion's result to [`complete`](Self::complete).
///
/// Dropping it before then leaks its data and keeps its descriptors open (see the
/// [module](self) documentation).
pub struct SendMsgOp(Op<SendParts>);

impl SendMsgOp {
    /// The `user_data` that [`entry`](Self::entry) sets (see [`RecvMsgOp::user_data`]).
    #[must_use]
    pub fn user_data(&self) -> u64 {
        self.0.user_data()
    }

    /// The submission entry: an `IORING_OP_SENDMSG` on `socket`, with
    /// [`user_data`](Self::user_data) set.
    #[must_use]
    pub fn entry(&self, socket: BorrowedFd<'_>) -> squeue::Entry {
        let (msg, flags) = self.0.msg_and_flags();
        opcode::SendMsg::new(types::Fd(socket.as_raw_fd()), msg.cast_const())
            .flags(flags)
            .build()
            .user_data(self.user_data())
    }

    /// Ends the operation with its completion's result (`cqe.result()`), giving back the
    /// data and the descriptors.
    ///
    /// # Safety
    /// As for [`RecvMsgOp::complete`]: the entry was submitted exactly once and `result`
    /// is its completion's (or it was never submitted, with a negative `result`).
    pub unsafe fn complete(self, result: i32) -> SendMsgDone {
        // SAFETY: the kernel is done with the state (the caller's promise).
        let state = unsafe { self.0.finish() };
        let SendParts {
            bufs,
            ancillary,
            fds,
            ..
        } = state.parts;
        SendMsgDone {
            bufs,
            ancillary,
            fds,
            result: outcome(result),
        }
    }
}

impl fmt::Debug for SendMsgOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendMsgOp")
            .field("user_data", &self.user_data())
            .finish_non_exhaustive()
    }
}

/// A completed [`SendMsgOp`]: the data given back, and the outcome.
#[derive(Debug)]
#[non_exhaustive]
pub struct SendMsgDone {
    /// The buffers.
    pub bufs: Vec<Vec<u8>>,
    /// The control messages (with the `SCM_RIGHTS` message of [`SendMsg::fds`] appended).
    pub ancillary: AncillaryData<'static>,
    /// The descriptors that were sent, still open here.
    pub fds: Vec<OwnedFd>,
    /// The bytes sent, or the error.
    pub result: io::Result<usize>,
}

// ----- multishot receive ---------------------------------------------------------------------

/// The size of the `io_uring_recvmsg_out` header that starts every multishot buffer.
pub const RECVMSG_OUT_LEN: usize = 16;

/// A multishot `recvmsg`: how much room each provided buffer reserves for the address
/// and the control data, the entry that asks for it, and the parser of its buffers.
///
/// Every provided buffer the kernel fills holds an `io_uring_recvmsg_out` header
/// ([`RECVMSG_OUT_LEN`] bytes), then [`name_len`](Self::name_len) bytes of address, then
/// [`control_len`](Self::control_len) bytes of control data, then the payload: size the
/// buffers for all four. The address room is a multiple of the control data's alignment
/// (8, a `long`), so the control data starts aligned in a buffer whose address is
/// aligned to 8: provide buffers at such addresses, with a length that is a multiple of it
/// when they lie end to end, and typed views of the messages can read them in place
/// ([`take_in_place`](Self::take_in_place)).
///
/// The kernel reads the `msghdr` this value points the entry at; dropping the value leaks
/// that header (56 bytes), since the kernel may read it until the request is issued.
///
/// # Example
///
/// Parsing a buffer as the kernel lays it out (here written by hand: a 4-byte address in
/// an 8-byte slot, no control data, a 5-byte payload):
///
/// ```
/// use ancillary::io_uring::{RecvMsgMulti, RECVMSG_OUT_LEN};
///
/// let multi = RecvMsgMulti::new(4, 0)?;
/// assert_eq!(multi.name_len(), 8, "rounded up to the control data's alignment");
/// assert_eq!(multi.buffer_len(5), RECVMSG_OUT_LEN + 8 + 5);
/// // io_uring_recvmsg_out: namelen, controllen, payloadlen, flags.
/// let mut buffer: Vec<u8> = [4u32, 0, 5, 0].iter().flat_map(|v| v.to_ne_bytes()).collect();
/// buffer.extend_from_slice(&[1, 2, 3, 4, 0, 0, 0, 0]);
/// buffer.extend_from_slice(b"hello");
/// let out = multi.parse(&buffer)?;
/// assert_eq!(out.name(), &[1, 2, 3, 4]);
/// assert_eq!(out.payload(), b"hello");
/// assert!(out.control_messages().is_empty());
/// assert!(!out.flags().normal_data_truncated());
/// // Cut short: an error, never a panic or a read past the end.
/// assert!(multi.parse(&buffer[..10]).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct RecvMsgMulti {
    /// From `Box::leak`; the kernel reads it, this value never writes it after `new`.
    msg: NonNull<libc::msghdr>,
    name_len: u32,
    control_len: u32,
    flags: i32,
}

// SAFETY: the `msghdr` holds lengths and null pointers only, and is never written after
// `new`; sharing or moving it between threads is sharing plain integers.
unsafe impl Send for RecvMsgMulti {}
// SAFETY: as above: shared access only ever reads it.
unsafe impl Sync for RecvMsgMulti {}

impl RecvMsgMulti {
    /// Room for an address of `name_len` bytes (0 for none; a `sockaddr_storage` is 128)
    /// and for `control_len` bytes of control data in each buffer. The address room is
    /// rounded up to a multiple of the control data's alignment (8: the kernel aligns
    /// control messages to a `long`), so that the control data after it starts aligned
    /// (a `sockaddr_in6`'s 28 bytes take 32).
    ///
    /// # Errors
    /// `InvalidInput` if either is larger than `i32::MAX`.
    pub fn new(name_len: usize, control_len: usize) -> io::Result<RecvMsgMulti> {
        let too_large = || io::Error::new(io::ErrorKind::InvalidInput, "length too large");
        let name_len = name_len
            .checked_next_multiple_of(BUFFER_ALIGN)
            .and_then(|n| u32::try_from(n).ok())
            .filter(|&n| n <= i32::MAX as u32)
            .ok_or_else(too_large)?;
        let control_len = u32::try_from(control_len)
            .ok()
            .filter(|&n| n <= i32::MAX as u32)
            .ok_or_else(too_large)?;
        let mut msg = sys::uring_msghdr();
        msg.msg_namelen = name_len;
        msg.msg_controllen = control_len as _;
        Ok(RecvMsgMulti {
            msg: NonNull::from(Box::leak(Box::new(msg))),
            name_len,
            control_len,
            flags: RecvOptions::new().as_recv_flags(),
        })
    }

    /// The receive's flags (`MSG_CMSG_CLOEXEC` is always added).
    #[must_use]
    pub fn options(mut self, options: RecvOptions) -> RecvMsgMulti {
        self.flags = options.as_recv_flags();
        self
    }

    /// The bytes each buffer reserves for the address.
    #[must_use]
    pub fn name_len(&self) -> usize {
        self.name_len as usize
    }

    /// The bytes each buffer reserves for the control data.
    #[must_use]
    pub fn control_len(&self) -> usize {
        self.control_len as usize
    }

    /// The smallest provided buffer that holds the header, the address, the control data
    /// and `payload_len` bytes of payload.
    #[must_use]
    pub fn buffer_len(&self, payload_len: usize) -> usize {
        RECVMSG_OUT_LEN + self.name_len() + self.control_len() + payload_len
    }

    /// The submission entry: a multishot `IORING_OP_RECVMSG` on `socket` taking its
    /// buffers from group `buf_group`. Set its `user_data` yourself.
    #[must_use]
    pub fn entry(&self, socket: BorrowedFd<'_>, buf_group: u16) -> squeue::Entry {
        opcode::RecvMsgMulti::new(
            types::Fd(socket.as_raw_fd()),
            self.msg.as_ptr().cast_const(),
            buf_group,
        )
        .flags(self.flags as u32)
        .build()
    }

    /// Reads one filled provided buffer: `buffer` is its first `cqe.result()` bytes.
    ///
    /// Safe for any bytes: whatever is malformed or cut short gives an [`OutError`]. The
    /// descriptors that an `SCM_RIGHTS` message in the control data names are **not**
    /// taken: use [`take`](Self::take) for a buffer the kernel filled.
    ///
    /// # Errors
    /// [`OutError`] if the buffer is shorter than the header, the address and the control
    /// data that this operation reserves.
    #[inline]
    pub fn parse<'b>(&self, buffer: &'b [u8]) -> Result<RecvMsgOut<'b>, OutError> {
        RecvMsgOut::parse(buffer, self.name_len(), self.control_len())
    }

    /// Reads one filled provided buffer like [`parse`](Self::parse), and hands its
    /// control data to `ancillary` through the RFC's start and finish steps:
    /// `ancillary` then owns every descriptor received (its earlier contents are cleared,
    /// closing descriptors not taken), and closes those not taken.
    ///
    /// If `ancillary` cannot hold this completion's control data (fixed storage smaller
    /// than the control bytes the kernel wrote, which are at most
    /// [`control_len`](Self::control_len)), the descriptors received are closed and an
    /// `OutError` says so; heap storage grows.
    ///
    /// # Errors
    /// [`OutError`] as for [`parse`](Self::parse), or if `ancillary` is too small.
    ///
    /// # Safety
    /// `buffer` is what the kernel wrote into a provided buffer for a successful
    /// completion of this operation's [`entry`](Self::entry) (its first `cqe.result()`
    /// bytes), unchanged since, and no earlier `take` was made for that completion: the
    /// descriptors it names are then open and owned by nobody else.
    pub unsafe fn take<'b>(
        &self,
        buffer: &'b [u8],
        ancillary: &mut AncillaryData<'_>,
    ) -> Result<RecvMsgOut<'b>, OutError> {
        let out = self.parse(buffer)?;
        let control = out.control_bytes();
        ancillary.clear();
        if ancillary.capacity() < control.len() {
            // Heap storage grows; fixed storage stays as it is.
            let _ = ancillary.control_messages_mut().try_reserve(control.len());
        }
        if ancillary.capacity() < control.len() {
            // SAFETY: the caller's promise about `buffer`, passed on: dropped at once, the
            // owner of the received descriptors closes every one.
            drop(unsafe { ReceivedControlMessages::new(control) });
            return Err(OutError(OutErrorKind::AncillaryTooSmall));
        }
        // SAFETY: the caller's promise: the control bytes are what the kernel wrote for
        // this completion, adopted once.
        unsafe { adopt(ancillary, control) };
        Ok(out)
    }

    /// Reads one filled provided buffer like [`take`](Self::take), but leaves the control
    /// data where the kernel wrote it: the [`ReceivedControlMessages`] returned reads it
    /// there and owns the descriptors it carries (closing those not taken when dropped),
    /// so nothing is copied and no [`AncillaryData`] is needed. It borrows `buffer`:
    /// provide the buffer again only after dropping it.
    ///
    /// Typed views of the messages ([`ControlMessages::of_type`] and the like) read the
    /// payloads in place too, so they need the control data aligned, as it is in a
    /// buffer at an aligned address (see [`RecvMsgMulti`]); elsewhere they give
    /// [`PayloadError::Alignment`](crate::PayloadError::Alignment), never a misaligned
    /// read, and [`take`](Self::take), which copies, is the way.
    ///
    /// # Errors
    /// [`OutError`] as for [`parse`](Self::parse) (a buffer this short, which no successful
    /// completion fills, has no control data that could be found, so nothing is taken).
    ///
    /// # Safety
    /// As for [`take`](Self::take): `buffer` is what the kernel wrote for a successful
    /// completion of this operation's [`entry`](Self::entry), unchanged, taken once.
    #[inline]
    pub unsafe fn take_in_place<'b>(
        &self,
        buffer: &'b [u8],
    ) -> Result<(RecvMsgOut<'b>, ReceivedControlMessages<'b>), OutError> {
        let out = self.parse(buffer)?;
        // SAFETY: the caller's promise: the control bytes are what the kernel wrote for
        // this completion, adopted once.
        let control = unsafe { ReceivedControlMessages::new(out.control_bytes()) };
        Ok((out, control))
    }
}

/// Copies `control` into `ancillary`'s receive region and runs the finish step on it.
///
/// # Safety
/// `control` is control data the kernel wrote for one successful receive in this process,
/// adopted nowhere else; `ancillary` holds at least `control.len()` bytes.
unsafe fn adopt(ancillary: &mut AncillaryData<'_>, control: &[u8]) {
    let len = match ancillary.start_recvmsg() {
        Some(region) if region.len() >= control.len() => {
            region[..control.len()].copy_from_slice(control);
            control.len()
        }
        _ => 0,
    };
    // SAFETY: the region `start_recvmsg` just returned holds, in its first `len` bytes,
    // the control data the kernel wrote (the caller's promise): the same messages at the
    // same offsets from the first header, now aligned. Nothing touched `ancillary` since.
    unsafe { ancillary.finish_recvmsg(len) };
}

impl Drop for RecvMsgMulti {
    fn drop(&mut self) {
        // The header is leaked: the kernel may read it until the request is issued.
    }
}

impl fmt::Debug for RecvMsgMulti {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecvMsgMulti")
            .field("name_len", &self.name_len)
            .field("control_len", &self.control_len)
            .field("flags", &self.flags)
            .finish()
    }
}

/// One datagram of a multishot receive, read out of its provided buffer.
#[derive(Clone, Copy, Debug)]
pub struct RecvMsgOut<'b> {
    name: &'b [u8],
    name_len: u32,
    control: &'b [u8],
    payload: &'b [u8],
    payload_len: u32,
    flags: u32,
}

impl<'b> RecvMsgOut<'b> {
    /// Reads `buffer` laid out with `name_len` bytes reserved for the address and
    /// `control_len` for the control data (see [`RecvMsgMulti::parse`]).
    ///
    /// # Errors
    /// [`OutError`] if the buffer is too short for the header and the reserved fields.
    #[inline]
    pub fn parse(
        buffer: &'b [u8],
        name_len: usize,
        control_len: usize,
    ) -> Result<RecvMsgOut<'b>, OutError> {
        let (header, rest) = buffer
            .split_first_chunk::<RECVMSG_OUT_LEN>()
            .ok_or(OutError(OutErrorKind::Header))?;
        let field = |at: usize| {
            u32::from_ne_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
        };
        let (got_name, got_control, got_payload, flags) = (field(0), field(4), field(8), field(12));
        let (name_field, rest) = split(rest, name_len).ok_or(OutError(OutErrorKind::Name))?;
        let (control_field, payload_field) =
            split(rest, control_len).ok_or(OutError(OutErrorKind::Control))?;
        let name = &name_field[..name_field.len().min(got_name as usize)];
        let control = &control_field[..control_field.len().min(got_control as usize)];
        let payload = &payload_field[..payload_field.len().min(got_payload as usize)];
        Ok(RecvMsgOut {
            name,
            name_len: got_name,
            control,
            payload,
            payload_len: got_payload,
            flags,
        })
    }

    /// The sender's address: the bytes the buffer holds (at most the room reserved).
    #[must_use]
    pub fn name(&self) -> &'b [u8] {
        self.name
    }

    /// The address's length as the kernel reported it, which exceeds
    /// [`name`](Self::name)'s when the room reserved was too small.
    #[must_use]
    pub fn name_len(&self) -> usize {
        self.name_len as usize
    }

    /// Whether the address did not fit the room reserved.
    #[must_use]
    pub fn is_name_truncated(&self) -> bool {
        self.name_len() > self.name.len()
    }

    /// The sender's address as a [`RawSocketAddr`].
    ///
    /// # Errors
    /// `InvalidInput` if the bytes are longer than a `sockaddr_storage`.
    pub fn address(&self) -> io::Result<RawSocketAddr> {
        RawSocketAddr::from_bytes(self.name, self.name_len)
    }

    /// The payload bytes the buffer holds.
    #[must_use]
    pub fn payload(&self) -> &'b [u8] {
        self.payload
    }

    /// The payload's length as the kernel reported it: the bytes it copied, or, when the
    /// receive's options include `MSG_TRUNC` (through
    /// [`RecvOptions::custom_flags`]), the datagram's whole length, larger than
    /// [`payload`](Self::payload)'s when the buffer was too small.
    #[must_use]
    pub fn payload_len(&self) -> usize {
        self.payload_len as usize
    }

    /// The control data, as a view to iterate and look up typed messages in. The
    /// descriptors it names are owned by no one here; see [`RecvMsgMulti::take`].
    #[must_use]
    pub fn control_messages(&self) -> &'b ControlMessages {
        ControlMessages::from_bytes(self.control)
    }

    /// The control data's bytes.
    #[must_use]
    pub fn control_bytes(&self) -> &'b [u8] {
        self.control
    }

    /// The receive's flags: [`normal_data_truncated`](RecvResult::normal_data_truncated)
    /// (`MSG_TRUNC`) and [`control_data_truncated`](RecvResult::control_data_truncated)
    /// (`MSG_CTRUNC`) among them.
    #[must_use]
    pub fn flags(&self) -> RecvResult {
        RecvResult::new(self.flags as i32)
    }
}

/// `bytes` cut after `at`, or `None` if it is shorter.
#[inline]
fn split(bytes: &[u8], at: usize) -> Option<(&[u8], &[u8])> {
    (at <= bytes.len()).then(|| bytes.split_at(at))
}

/// Why a multishot buffer could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutError(OutErrorKind);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OutErrorKind {
    Header,
    Name,
    Control,
    AncillaryTooSmall,
}

impl fmt::Display for OutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.0 {
            OutErrorKind::Header => "buffer shorter than the io_uring_recvmsg_out header",
            OutErrorKind::Name => "buffer shorter than the room reserved for the address",
            OutErrorKind::Control => "buffer shorter than the room reserved for control data",
            OutErrorKind::AncillaryTooSmall => {
                "control data larger than the AncillaryData's storage (descriptors closed)"
            }
        })
    }
}

impl std::error::Error for OutError {}

impl From<OutError> for io::Error {
    fn from(err: OutError) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An operation that is never submitted gives everything back through `complete`
    /// with a negative result (and, under Miri, frees exactly what `prepare` allocated).
    #[test]
    fn prepare_then_complete_without_submitting() {
        let recv = RecvMsg::vectored(vec![vec![1, 2], vec![3]], AncillaryData::with_capacity(64))
            .with_address()
            .options(RecvOptions::new())
            .prepare()
            .unwrap();
        assert_ne!(recv.user_data(), 0);
        // SAFETY: never submitted, with a negative result.
        let done = unsafe { recv.complete(-libc::ECANCELED) };
        assert_eq!(done.bufs, [vec![1, 2], vec![3]]);
        assert!(done.address.is_none());
        assert_eq!(
            done.result.unwrap_err().raw_os_error(),
            Some(libc::ECANCELED)
        );
        assert!(done.ancillary.capacity() >= 64);

        let mut ancillary = AncillaryData::new();
        ancillary.add_control_message(crate::ControlMessage::new(1, 2, &[3, 4, 5]));
        let to = std::net::SocketAddr::from(([127, 0, 0, 1], 9));
        let send = SendMsg::new(vec![9; 3])
            .ancillary_data(ancillary)
            .to(&to)
            .unwrap()
            .prepare()
            .unwrap();
        // SAFETY: never submitted, with a negative result.
        let done = unsafe { send.complete(-libc::EINVAL) };
        assert_eq!(done.bufs, [vec![9; 3]]);
        assert_eq!(done.ancillary.control_messages().iter().count(), 1);
        assert!(done.fds.is_empty());
        assert!(done.result.is_err());
    }

    #[test]
    #[cfg_attr(miri, ignore = "RecvMsgMulti leaks its 56-byte msghdr by design")]
    fn multishot_layout_and_parse() {
        let multi = RecvMsgMulti::new(8, 24).unwrap();
        assert_eq!(multi.buffer_len(10), RECVMSG_OUT_LEN + 8 + 24 + 10);
        assert!(RecvMsgMulti::new(usize::MAX, 0).is_err());
        let mut buffer: Vec<u8> = [8u32, 0, 2, libc::MSG_CTRUNC as u32]
            .iter()
            .flat_map(|v| v.to_ne_bytes())
            .collect();
        buffer.extend_from_slice(&[0; 8 + 24]);
        buffer.extend_from_slice(b"ok");
        let out = multi.parse(&buffer).unwrap();
        assert_eq!(out.payload(), b"ok");
        assert!(out.flags().control_data_truncated());
        for cut in 0..RECVMSG_OUT_LEN + 8 + 24 {
            assert!(multi.parse(&buffer[..cut]).is_err(), "cut at {cut}");
        }
        // A `take` of a buffer without control data adopts nothing.
        let mut ancillary = AncillaryData::with_capacity(24);
        // SAFETY: the buffer names no descriptor, so adopting it claims nothing.
        let out = unsafe { multi.take(&buffer, &mut ancillary) }.unwrap();
        assert_eq!(out.payload(), b"ok");
        assert!(ancillary.control_messages().is_empty());
    }
}
