//! The single-shot send: [`SendMsg`], prepared into a [`SendMsgOp`], completed into a
//! [`SendMsgDone`].

use std::fmt;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd};

use ::io_uring::{opcode, squeue, types};

use super::op::{outcome, Op};
use crate::addr::RawSocketAddr;
use crate::ancillary_data::AncillaryData;
use crate::options::SendOptions;
use crate::sys;

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
/// [module](super) documentation). [`RecvMsgOp`](super::RecvMsgOp) has an example of
/// both.
pub struct SendMsgOp(Op<SendParts>);

impl SendMsgOp {
    /// The `user_data` that [`entry`](Self::entry) sets (see [`RecvMsgOp::user_data`](super::RecvMsgOp::user_data)).
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
    /// As for [`RecvMsgOp::complete`](super::RecvMsgOp::complete): the entry was submitted exactly once and `result`
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
