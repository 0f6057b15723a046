//! The single-shot receive: [`RecvMsg`], prepared into a [`RecvMsgOp`], completed into a
//! [`RecvMsgDone`].

use std::fmt;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};

use ::io_uring::{opcode, squeue, types};

use super::op::{outcome, Op, State};
use crate::addr::RawSocketAddr;
use crate::ancillary_data::AncillaryData;
use crate::options::{RecvOptions, RecvResult};
use crate::sys;

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
/// Dropping it before then leaks its buffers (see the [module](super) documentation):
/// the kernel may still write into them.
///
/// # Example
///
/// A descriptor passed over a Unix datagram pair, both ways through a ring (the
/// [module](super) documentation says what else a caller must know):
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// use std::os::fd::AsFd;
/// use std::os::unix::net::UnixDatagram;
/// use ancillary::io_uring::{RecvMsg, SendMsg};
/// use ancillary::AncillaryData;
///
/// let Ok(mut ring) = io_uring::IoUring::new(8) else {
///     return Ok(()); // io_uring refused here (a sandbox, `io_uring_disabled`)
/// };
/// let (a, b) = UnixDatagram::pair()?;
/// let (one_end, _other_end) = UnixDatagram::pair()?;
///
/// let send = SendMsg::new(b"one end".to_vec())
///     .fds(vec![one_end.into()])
///     .prepare()?;
/// let capacity = AncillaryData::space_for_fds(1);
/// let recv = RecvMsg::new(vec![0; 64], AncillaryData::with_capacity(capacity)).prepare()?;
/// let entries = [send.entry(a.as_fd()), recv.entry(b.as_fd())];
/// // SAFETY: both operations own what their entries point at until `complete`.
/// unsafe { ring.submission().push_multiple(&entries) }.expect("room for two");
/// ring.submit_and_wait(2)?;
///
/// let (mut sent, mut received) = (None, None);
/// for cqe in ring.completion() {
///     if cqe.user_data() == send.user_data() {
///         sent = Some(cqe.result());
///     } else if cqe.user_data() == recv.user_data() {
///         received = Some(cqe.result());
///     }
/// }
/// // SAFETY: each entry was submitted once, and these are its completions' results.
/// let (sent, mut received) = unsafe {
///     (send.complete(sent.unwrap()), recv.complete(received.unwrap()))
/// };
/// sent.result?;
/// let (len, _flags) = received.result?;
/// assert_eq!(&received.bufs[0][..len], b"one end");
/// let [_fd] = received.ancillary.take_exact_fds()?;
/// # Ok(())
/// # }
/// ```
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
