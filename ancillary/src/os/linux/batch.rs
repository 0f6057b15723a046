//! A batched receive made once and reused: [`RecvBatch`] keeps each message's control
//! storage and sender address from call to call, and [`recv_batch`] receives into data
//! buffers the caller lends for one call (as quinn's `AsyncUdpSocket::poll_recv` is lent
//! a fresh `&mut [IoSliceMut]` on every poll).
//!
//! # Which batch, in a loop
//!
//! Make one [`RecvBatch`] per socket, outside the loop, and lend it the buffers of each
//! call; do not build an array of [`RecvMmsg`](super::RecvMmsg) with stack storage per
//! call. Rebuilding an array of 32 per call costs its construction and a frame of about
//! 16 KB (21 KB with stack storage, whose control data is dropped every call), and about
//! a fifth more user-space instructions per datagram than one batch kept across calls
//! (BENCHMARKS.md, "Batched receives into lent buffers", has the figures). The headers
//! are filled again on every call, as the lent buffers change on every call anyway: 7
//! instructions per message, and zeroing them 4.
//!
//! ```
//! # fn main() -> std::io::Result<()> {
//! use std::io::IoSliceMut;
//! use std::net::UdpSocket;
//! use std::os::fd::AsFd;
//! use ancillary::os::linux::{recv_batch, IpTtl, RecvBatch, SocketOptionsExt};
//! use ancillary::{ControlMessagePayload, RecvOptions};
//!
//! let sender = UdpSocket::bind("127.0.0.1:0")?;
//! let receiver = UdpSocket::bind("127.0.0.1:0")?;
//! receiver.set_recv_ttl_v4(true)?;
//! receiver.set_nonblocking(true)?;
//! for datagram in [&b"one"[..], b"two", b"three"] {
//!     sender.send_to(datagram, receiver.local_addr()?)?;
//! }
//!
//! // Made once: room for 32 messages, each with an `IP_TTL` message.
//! let mut batch = RecvBatch::new(32, IpTtl::SPACE);
//! // Each call lends the buffers, one per message.
//! let mut bufs = vec![[0u8; 1500]; 32];
//! let mut slices: Vec<IoSliceMut<'_>> = bufs.iter_mut().map(|b| IoSliceMut::new(b)).collect();
//! let mut received = 0;
//! while received < 3 {
//!     match recv_batch(receiver.as_fd(), &mut batch, &mut slices[received..], RecvOptions::new()) {
//!         Ok(n) => received += n,
//!         Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => std::thread::yield_now(),
//!         Err(e) => return Err(e),
//!     }
//! }
//! let last = &batch.messages()[batch.len() - 1];
//! assert_eq!(last.addr::<std::net::SocketAddr>()?, sender.local_addr()?);
//! let ttl = last.ancillary_data().control_messages().find::<IpTtl>();
//! assert_eq!(ttl.expect("an IP_TTL message").expect("a whole one").ttl(), 64);
//! assert_eq!(&slices[2][..5], b"three");
//! # Ok(())
//! # }
//! ```

use core::fmt;
use std::io::{self, IoSliceMut};
use std::os::fd::BorrowedFd;

use super::mmsg::MMSG_BATCH_MAX;
use crate::addr::{RawSocketAddr, SocketAddress};
use crate::ancillary_data::AncillaryData;
use crate::options::{RecvOptions, RecvResult};
use crate::sys::{self, RecvParts, RecvReport};

/// Room for a batch of received messages, kept from call to call: each message's
/// [`AncillaryData`] (its control storage) and sender address, and what the last
/// [`recv_batch`] reported of it. The data buffers are lent to each call.
///
/// Only the messages the last receive got are visible ([`messages`](Self::messages)); the
/// others hold nothing, so no descriptor stays open in a message no one can see.
pub struct RecvBatch<'fd> {
    messages: Box<[RecvBatchMessage<'fd>]>,
    received: usize,
}

/// One message of a [`RecvBatch`], as the last [`recv_batch`] received it.
pub struct RecvBatchMessage<'fd> {
    ancillary_data: AncillaryData<'fd>,
    report: RecvReport,
}

impl RecvBatch<'static> {
    /// Room for `messages` messages, each with `control_capacity` bytes of control data on
    /// the heap (size it with [`ControlMessagePayload::SPACE`](crate::ControlMessagePayload::SPACE)
    /// and [`cmsg_space`](crate::cmsg_space)). Allocates once per message with a capacity,
    /// and once for the batch, here and never again.
    #[must_use]
    pub fn new(messages: usize, control_capacity: usize) -> Self {
        (0..messages)
            .map(|_| AncillaryData::with_capacity(control_capacity))
            .collect()
    }
}

/// A batch whose message `i` receives its control messages into the `i`th
/// [`AncillaryData`], which may have any storage ([`AncillaryData::with_storage`] included).
impl<'fd> FromIterator<AncillaryData<'fd>> for RecvBatch<'fd> {
    fn from_iter<I: IntoIterator<Item = AncillaryData<'fd>>>(iter: I) -> Self {
        let messages = iter
            .into_iter()
            .map(|ancillary_data| RecvBatchMessage {
                ancillary_data,
                report: RecvReport::new(),
            })
            .collect();
        RecvBatch {
            messages,
            received: 0,
        }
    }
}

impl<'fd> RecvBatch<'fd> {
    /// How many messages one receive can get (at most [`MMSG_BATCH_MAX`] of them per call).
    #[must_use]
    pub fn capacity(&self) -> usize {
        self.messages.len()
    }

    /// How many messages the last receive got: the length of [`messages`](Self::messages).
    #[must_use]
    pub fn len(&self) -> usize {
        self.received
    }

    /// Whether the last receive got no message (or there was none yet).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.received == 0
    }

    /// The messages the last receive got, in order: message `i` is in the `i`th buffer
    /// lent to it.
    #[must_use]
    pub fn messages(&self) -> &[RecvBatchMessage<'fd>] {
        &self.messages[..self.received]
    }

    /// The messages the last receive got, to take descriptors from.
    pub fn messages_mut(&mut self) -> &mut [RecvBatchMessage<'fd>] {
        &mut self.messages[..self.received]
    }

    /// Forgets the last receive: its messages' control data is cleared, closing
    /// descriptors that were received and not taken.
    pub fn clear(&mut self) {
        for message in &mut self.messages[..self.received] {
            message.ancillary_data.clear();
        }
        self.received = 0;
    }
}

impl fmt::Debug for RecvBatch<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecvBatch")
            .field("capacity", &self.capacity())
            .field("messages", &self.messages())
            .finish()
    }
}

impl<'fd> RecvBatchMessage<'fd> {
    /// The number of data bytes received (`msg_len`).
    #[must_use]
    pub fn len(&self) -> usize {
        self.report.len
    }

    /// Whether the datagram was empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.report.len == 0
    }

    /// The flags of this message (`msg_flags`): truncation and the like.
    #[must_use]
    pub fn result(&self) -> RecvResult {
        self.report.result
    }

    /// The sender's address, read as an `A` (such as [`std::net::SocketAddr`] for UDP).
    ///
    /// # Errors
    /// `InvalidInput` if no address of that type was received (a connected stream socket
    /// returns none); [`raw_addr`](Self::raw_addr) still has what the kernel wrote.
    pub fn addr<A: SocketAddress>(&self) -> io::Result<A> {
        A::from_sockaddr(&self.report.addr)
    }

    /// The sender's address as the kernel wrote it (length 0 if none).
    #[must_use]
    pub fn raw_addr(&self) -> &RawSocketAddr {
        &self.report.addr
    }

    /// The received control messages and descriptors, to look at.
    #[must_use]
    pub fn ancillary_data(&self) -> &AncillaryData<'fd> {
        &self.ancillary_data
    }

    /// The received control messages and descriptors, to take from.
    pub fn ancillary_data_mut(&mut self) -> &mut AncillaryData<'fd> {
        &mut self.ancillary_data
    }
}

impl fmt::Debug for RecvBatchMessage<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecvBatchMessage")
            .field("ancillary_data", &self.ancillary_data)
            .field("len", &self.report.len)
            .field("result", &self.report.result)
            .finish_non_exhaustive()
    }
}

/// The messages of one [`recv_batch`] call: the batch's, each with its lent buffer.
struct Lent<'s, 'b, 'fd> {
    messages: &'s mut [RecvBatchMessage<'fd>],
    bufs: &'s mut [IoSliceMut<'b>],
}

// SAFETY: every visit zips the same two slices in order, handing out each message's own
// parts and its own lent buffer.
unsafe impl<'b, 'fd> sys::RecvMessages<'b, 'fd> for Lent<'_, 'b, 'fd> {
    fn count(&self) -> usize {
        self.messages.len().min(self.bufs.len())
    }

    #[inline]
    fn for_each(&mut self, mut f: impl FnMut(RecvParts<'_, 'b, 'fd>)) {
        for (message, buf) in self.messages.iter_mut().zip(self.bufs.iter_mut()) {
            f(RecvParts {
                bufs: core::slice::from_mut(buf),
                ancillary_data: Some(&mut message.ancillary_data),
                report: &mut message.report,
            });
        }
    }
}

/// Receives up to [`MMSG_BATCH_MAX`] messages in one `recvmmsg` call, message `i` into
/// `bufs[i]` and the `i`th message of `batch`; returns how many arrived, which
/// [`RecvBatch::messages`] then holds (their data is at the start of their buffers).
///
/// As many messages as both `batch` and `bufs` have room for, up to [`MMSG_BATCH_MAX`],
/// are asked for. The last receive's messages are forgotten first (their descriptors not
/// taken are closed), also when the call then fails. The waiting rules are those of
/// [`recv_mmsg`](super::recv_mmsg): on a non-blocking socket, what is queued or
/// `WouldBlock`; on a blocking one, set
/// [`RecvOptionsExt::wait_for_one`](super::RecvOptionsExt::wait_for_one) not to wait
/// for the whole batch. `MSG_CMSG_CLOEXEC` is always passed.
///
/// # Errors
/// The `recvmmsg` error (no message was received then).
pub fn recv_batch(
    socket: BorrowedFd<'_>,
    batch: &mut RecvBatch<'_>,
    bufs: &mut [IoSliceMut<'_>],
    options: RecvOptions,
) -> io::Result<usize> {
    // Messages the new receive does not reach are cleared here; the others by the receive.
    let reached = batch.capacity().min(bufs.len()).min(MMSG_BATCH_MAX);
    for message in batch
        .messages
        .get_mut(reached..batch.received)
        .unwrap_or_default()
    {
        message.ancillary_data.clear();
    }
    batch.received = 0;
    let mut lent = Lent {
        messages: &mut batch.messages[..reached],
        bufs,
    };
    let received = sys::recvmmsg::<MMSG_BATCH_MAX>(socket, &mut lent, options)?;
    batch.received = received;
    Ok(received)
}
