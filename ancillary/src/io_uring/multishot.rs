//! The multishot receive: [`RecvMsgMulti`] (its entry, and the parser of the provided
//! buffers the kernel fills), [`RecvMsgOut`] and [`OutError`].

use core::ptr::NonNull;
use std::fmt;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};

use ::io_uring::{opcode, squeue, types};

use crate::addr::RawSocketAddr;
use crate::ancillary_data::AncillaryData;
use crate::cmsg::BUFFER_ALIGN;
use crate::control_messages::ControlMessages;
use crate::fds::ReceivedControlMessages;
use crate::options::{RecvOptions, RecvResult};
use crate::sys;

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

    /// Reads one filled provided buffer like [`parse`](Self::parse), and moves its
    /// control data into `ancillary` (clearing it first, which closes descriptors not
    /// taken): `ancillary` then owns every descriptor received, as after a receive, and
    /// closes those not taken.
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
        // SAFETY: the caller's promise: the control bytes are what the kernel wrote for
        // this completion, adopted once (here).
        let received = unsafe { ReceivedControlMessages::new(out.control_bytes()) };
        // Too small: `received`, dropped, has closed every descriptor.
        ancillary
            .control_messages_mut()
            .take_over(received)
            .map_err(|_| OutError(OutErrorKind::AncillaryTooSmall))?;
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
