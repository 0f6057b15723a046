//! Batched `sendmmsg`/`recvmmsg` with control messages per message.
//!
//! One system call sends or receives up to [`MMSG_BATCH_MAX`] messages, each with its own
//! data buffers, its own [`AncillaryData`] and (for datagrams) its own address: what UDP
//! GSO/GRO users and other high-rate datagram code need, where every datagram carries
//! per-packet control messages (`IP_TOS`, `IP_TTL`, `UDP_SEGMENT`, `IP_PKTINFO`, ...).
//!
//! Nothing is allocated: the messages are a slice of [`SendMmsg`] or [`RecvMmsg`] that the
//! caller owns (on the stack, and reusable from batch to batch), and the `mmsghdr` array is
//! built on the stack of the call. Received descriptors are owned by each message's
//! [`AncillaryData`] exactly as after [`recv_message`](crate::recv_message): close-on-exec,
//! closed unless taken.
//!
//! ```
//! # fn main() -> std::io::Result<()> {
//! # // qemu-user passes the IP_TTL messages unconverted: big-endian guests get EINVAL.
//! use std::net::UdpSocket;
//! use std::os::fd::AsFd;
//! use ancillary::os::linux::{recv_mmsg, send_mmsg_to, RecvMmsg, RecvOptionsExt, SendMmsg};
//! use ancillary::{AncillaryData, ControlMessage, RecvOptions, SendOptions};
//!
//! let sender = UdpSocket::bind("127.0.0.1:0")?;
//! let receiver = UdpSocket::bind("127.0.0.1:0")?;
//! let to = receiver.local_addr()?;
//!
//! // Three datagrams, each with its own TTL.
//! let ttls: [libc::c_int; 3] = [7, 8, 9];
//! let controls = ttls.map(|ttl| {
//!     let mut ancillary = AncillaryData::new();
//!     ancillary.add_control_message(ControlMessage::new(
//!         libc::IPPROTO_IP,
//!         libc::IP_TTL,
//!         &ttl.to_ne_bytes(),
//!     ));
//!     ancillary
//! });
//! let mut messages = [
//!     SendMmsg::new(b"one").ancillary_data(&controls[0]),
//!     SendMmsg::new(b"two").ancillary_data(&controls[1]),
//!     SendMmsg::new(b"three").ancillary_data(&controls[2]),
//! ];
//! let sent = send_mmsg_to(sender.as_fd(), &mut messages, &[to; 3], SendOptions::new())?;
//! assert_eq!(sent, 3);
//! assert_eq!(messages[2].sent(), 5);
//!
//! // Receive them in one call; `wait_for_one` returns as soon as one has arrived.
//! let mut bufs = [[0u8; 16]; 4];
//! let mut messages = bufs.each_mut().map(|buf| RecvMmsg::new(buf));
//! let options = *RecvOptions::new().wait_for_one(true);
//! let mut received = 0;
//! while received < 3 {
//!     received += recv_mmsg(receiver.as_fd(), &mut messages[received..], options)?;
//! }
//! assert_eq!(messages[0].len(), 3);
//! assert_eq!(messages[0].addr::<std::net::SocketAddr>()?, sender.local_addr()?);
//! assert_eq!(&bufs[1][..3], b"two");
//! # Ok(())
//! # }
//! ```
//!
//! # References
//! [`sendmmsg(2)`](https://man7.org/linux/man-pages/man2/sendmmsg.2.html),
//! [`recvmmsg(2)`](https://man7.org/linux/man-pages/man2/recvmmsg.2.html)

use core::fmt;
use std::io::{self, IoSlice, IoSliceMut};
use std::os::fd::BorrowedFd;

use crate::addr::{with_sockaddr_bytes, RawSocketAddr, SocketAddress};
use crate::ancillary_data::AncillaryData;
use crate::options::{RecvOptions, RecvResult, SendOptions};
use crate::sys::{self, RecvBufs, SendBufs};

/// The most messages one [`send_mmsg`], [`send_mmsg_to`] or [`recv_mmsg`] call handles:
/// the `mmsghdr` array lives on the stack of the call. Later messages of a longer slice
/// are left for the next call (the returned count says where to go on).
pub const MMSG_BATCH_MAX: usize = 64;

/// One message of a [`send_mmsg`] batch: its data, its control messages, and after the
/// call the number of bytes sent.
pub struct SendMmsg<'a, 'fd> {
    bufs: SendBufs<'a>,
    ancillary_data: Option<&'a AncillaryData<'fd>>,
    sent: usize,
}

impl<'a, 'fd> SendMmsg<'a, 'fd> {
    /// A message of the bytes of `buf`, with no control messages.
    #[must_use]
    pub fn new(buf: &'a [u8]) -> Self {
        SendMmsg {
            bufs: SendBufs::One([IoSlice::new(buf)]),
            ancillary_data: None,
            sent: 0,
        }
    }

    /// A message gathered from several buffers.
    #[must_use]
    pub fn new_vectored(bufs: &'a [IoSlice<'a>]) -> Self {
        SendMmsg {
            bufs: SendBufs::Many(bufs),
            ancillary_data: None,
            sent: 0,
        }
    }

    /// Sends these control messages (and descriptors) with this message. Shared, so
    /// several messages of a batch may send the same ones.
    #[must_use]
    pub fn ancillary_data(mut self, ancillary_data: &'a AncillaryData<'fd>) -> Self {
        self.ancillary_data = Some(ancillary_data);
        self
    }

    /// The number of data bytes the last call sent of this message (`msg_len`); 0 if it was
    /// not sent.
    #[must_use]
    pub fn sent(&self) -> usize {
        self.sent
    }
}

impl fmt::Debug for SendMmsg<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendMmsg")
            .field("bufs", &self.bufs.as_slice())
            .field("ancillary_data", &self.ancillary_data)
            .field("sent", &self.sent)
            .finish()
    }
}

/// One message of a [`recv_mmsg`] batch: where its data and control messages go, and after
/// the call its length, flags and sender address.
///
/// Reusable: each call resets the results, and clears the [`AncillaryData`] (closing
/// descriptors that were received into it and not taken).
pub struct RecvMmsg<'a, 'fd>(sys::RecvSlot<'a, 'fd>);

impl<'a, 'fd> sys::AsRecvSlot<'a, 'fd> for RecvMmsg<'a, 'fd> {
    fn slot(&mut self) -> &mut sys::RecvSlot<'a, 'fd> {
        &mut self.0
    }
}

impl<'a, 'fd> RecvMmsg<'a, 'fd> {
    /// A message received into `buf`, with no room for control messages yet.
    #[must_use]
    pub fn new(buf: &'a mut [u8]) -> Self {
        RecvMmsg(sys::RecvSlot::new(RecvBufs::One([IoSliceMut::new(buf)])))
    }

    /// A message scattered over several buffers.
    #[must_use]
    pub fn new_vectored<'b>(bufs: &'a mut [IoSliceMut<'b>]) -> Self {
        RecvMmsg(sys::RecvSlot::new(RecvBufs::many(bufs)))
    }

    /// Receives this message's control messages (and descriptors) into `ancillary_data`,
    /// whose capacity bounds how much control data can arrive.
    #[must_use]
    pub fn ancillary_data(mut self, ancillary_data: &'a mut AncillaryData<'fd>) -> Self {
        self.0.ancillary_data = Some(ancillary_data);
        self
    }

    /// The received control messages and descriptors, to look at or take from.
    pub fn ancillary_data_mut(&mut self) -> Option<&mut AncillaryData<'fd>> {
        self.0.ancillary_data.as_deref_mut()
    }

    /// The number of data bytes received (`msg_len`); 0 if this message was not received.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.report.len
    }

    /// Whether no data bytes were received (an empty datagram, or none at all).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.report.len == 0
    }

    /// The flags of this message (`msg_flags`): truncation and the like.
    #[must_use]
    pub fn result(&self) -> RecvResult {
        self.0.report.result
    }

    /// The sender's address, read as an `A` (such as [`std::net::SocketAddr`] for UDP).
    ///
    /// # Errors
    /// `InvalidInput` if no address of that type was received (a connected stream socket
    /// returns none); [`raw_addr`](Self::raw_addr) still has what the kernel wrote.
    pub fn addr<A: SocketAddress>(&self) -> io::Result<A> {
        A::from_sockaddr(&self.0.report.addr)
    }

    /// The sender's address as the kernel wrote it (length 0 if none).
    #[must_use]
    pub fn raw_addr(&self) -> &RawSocketAddr {
        &self.0.report.addr
    }
}

impl fmt::Debug for RecvMmsg<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecvMmsg")
            .field("ancillary_data", &self.0.ancillary_data)
            .field("len", &self.0.report.len)
            .field("result", &self.0.report.result)
            .finish_non_exhaustive()
    }
}

/// Sends up to [`MMSG_BATCH_MAX`] messages on a connected socket in one `sendmmsg` call,
/// returning how many were sent; each message's [`SendMmsg::sent`] tells its bytes.
///
/// Fewer than given are sent when the socket's buffer fills (a non-blocking socket) or an
/// error stops the batch after the first message; the error of a batch that sent nothing
/// is returned.
///
/// # Errors
/// The `sendmmsg` error, or `InvalidInput` before any system call if a message's
/// [`AncillaryData`] overflowed its fixed storage.
pub fn send_mmsg(
    socket: BorrowedFd<'_>,
    messages: &mut [SendMmsg<'_, '_>],
    options: SendOptions,
) -> io::Result<usize> {
    let mut room = sys::MmsgHdrs::<MMSG_BATCH_MAX>::new();
    let hdrs = room.zeroed(messages.len());
    let sent = fill_send(messages, hdrs)
        .and_then(|count| sys::sendmmsg(socket, &mut hdrs[..count], options));
    finish_send(messages, hdrs, &sent);
    sent
}

/// Sends up to [`MMSG_BATCH_MAX`] messages in one `sendmmsg` call, message `i` to
/// `addrs[i]`, as [`send_mmsg`] does. Only as many messages as there are addresses are
/// sent.
///
/// # Errors
/// As [`send_mmsg`], or `InvalidInput` if an address cannot be expressed as a `sockaddr`.
pub fn send_mmsg_to<A: SocketAddress>(
    socket: BorrowedFd<'_>,
    messages: &mut [SendMmsg<'_, '_>],
    addrs: &[A],
    options: SendOptions,
) -> io::Result<usize> {
    let count = messages.len().min(addrs.len());
    let messages = &mut messages[..count];
    let mut room = sys::MmsgHdrs::<MMSG_BATCH_MAX>::new();
    let hdrs = room.zeroed(count);
    let sent = fill_send(messages, hdrs).and_then(|count| {
        with_names(&addrs[..count], &mut hdrs[..count], &mut |hdrs| {
            sys::sendmmsg(socket, hdrs, options)
        })
    });
    finish_send(messages, hdrs, &sent);
    sent
}

/// Points the first headers at the data and control bytes of the messages; returns how
/// many headers were filled.
fn fill_send(messages: &[SendMmsg<'_, '_>], hdrs: &mut [libc::mmsghdr]) -> io::Result<usize> {
    let mut count = 0;
    for (message, hdr) in messages.iter().zip(hdrs.iter_mut()) {
        let control = match message.ancillary_data {
            Some(ancillary_data) => ancillary_data.control_to_send()?,
            None => &[],
        };
        sys::fill_send(&mut hdr.msg_hdr, message.bufs.as_slice(), control)?;
        count += 1;
    }
    Ok(count)
}

/// Sets `msg_name` of each header to a copy of the address of the same index, then makes
/// `call`: a `with_sockaddr` pointer is valid only inside its own call, so each address is
/// copied out into storage of this frame, which lives across `call`.
fn with_names<A: SocketAddress>(
    addrs: &[A],
    hdrs: &mut [libc::mmsghdr],
    call: &mut dyn FnMut(&mut [libc::mmsghdr]) -> io::Result<usize>,
) -> io::Result<usize> {
    let mut names = [const { sys::Name::new() }; MMSG_BATCH_MAX];
    for ((addr, hdr), name) in addrs.iter().zip(hdrs.iter_mut()).zip(names.iter_mut()) {
        with_sockaddr_bytes(addr, |bytes| sys::fill_name(&mut hdr.msg_hdr, name, bytes))??;
    }
    call(hdrs)
}

/// Records each message's `msg_len`, or 0 for the messages not sent.
fn finish_send(
    messages: &mut [SendMmsg<'_, '_>],
    hdrs: &[libc::mmsghdr],
    sent: &io::Result<usize>,
) {
    let sent = &hdrs[..*sent.as_ref().unwrap_or(&0)];
    for (i, message) in messages.iter_mut().enumerate() {
        message.sent = sent.get(i).map_or(0, |hdr| hdr.msg_len as usize);
    }
}

/// Receives up to [`MMSG_BATCH_MAX`] messages in one `recvmmsg` call, returning how many
/// arrived: the first that many `messages` then hold their data, length, flags, sender
/// address and control messages, and their [`AncillaryData`] owns every descriptor
/// received with them.
///
/// Every message's results are reset and its [`AncillaryData`] is cleared first (closing
/// descriptors received earlier and not taken), whether or not a message arrives for it:
/// all of `messages`, also those past the first [`MMSG_BATCH_MAX`] (which one call never
/// receives into), and also when the call then fails. `MSG_CMSG_CLOEXEC` is always passed.
///
/// On a blocking socket `recvmmsg` waits until *all* the messages have arrived, unless
/// `MSG_WAITFORONE` is set
/// ([`RecvOptionsExt::wait_for_one`](super::RecvOptionsExt::wait_for_one)), which makes
/// it return once at least one has; on a non-blocking socket it returns what is
/// queued, or `WouldBlock`. No timeout is passed (the `timeout` argument of `recvmmsg` is
/// only checked after each datagram, see its manual page).
///
/// # Errors
/// The `recvmmsg` error (no message was received then).
pub fn recv_mmsg(
    socket: BorrowedFd<'_>,
    messages: &mut [RecvMmsg<'_, '_>],
    options: RecvOptions,
) -> io::Result<usize> {
    sys::recvmmsg::<MMSG_BATCH_MAX>(socket, messages, options)
}
