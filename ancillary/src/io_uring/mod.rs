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
//! (buffers, an [`AncillaryData`](crate::AncillaryData), options, an address), but **own** it, since the kernel
//! reads or writes it after the call that submits the entry has returned.
//! [`prepare`](RecvMsg::prepare) moves everything, with the `msghdr` and the `iovec`s
//! pointing into it, into one heap allocation that an operation ([`RecvMsgOp`],
//! [`SendMsgOp`]) holds. The data only comes back through `complete`, which takes the
//! operation's completion result; a receive's control data goes through the RFC's finish
//! step ([`AncillaryData::finish_recvmsg`](crate::AncillaryData::finish_recvmsg)), so every received descriptor is an owned,
//! close-on-exec descriptor exactly as after [`recv_message`](crate::recv_message).
//!
//! [`RecvMsgOp`] has an example: a descriptor passed over a Unix datagram pair, both ways
//! through a ring.
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
//! also moves the control data into an [`AncillaryData`](crate::AncillaryData), which
//! then owns the descriptors in it.
//!
//! See the guide's [io_uring section](crate::guide#io_uring) for a whole example.

mod multishot;
mod op;
mod recv;
mod send;

pub use multishot::{OutError, RecvMsgMulti, RecvMsgOut, RECVMSG_OUT_LEN};
pub use recv::{RecvMsg, RecvMsgDone, RecvMsgOp};
pub use send::{SendMsg, SendMsgDone, SendMsgOp};

/// The operations are `Send`: the `unsafe impl Send` of [`Op`] asks its parts to be.
const _: () = {
    const fn is_send<T: Send>() {}
    is_send::<RecvMsgOp>();
    is_send::<SendMsgOp>();
};
