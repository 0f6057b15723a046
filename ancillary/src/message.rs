//! [`ControlMessage`]: one control message, as data plus a level/type pair.

use core::ffi::c_int;
use core::fmt;

/// One control message: an opaque `(level, type)` pair and the payload bytes.
///
/// This is the common currency of the crate. Every kind of message, the crate's own and any
/// a downstream crate defines, converts to and from a `ControlMessage`; there is no enum of
/// known kinds that would need a new variant.
///
/// A `ControlMessage` only borrows its payload, so it is `Copy`, and [`data`](Self::data)
/// returns bytes that live as long as the buffer they came from, not as long as this handle.
///
/// ```
/// use ancillary::ControlMessage;
///
/// let ttl = 64i32.to_ne_bytes();
/// let msg = ControlMessage::new(libc::IPPROTO_IP, libc::IP_TTL, &ttl);
/// assert_eq!(msg.cmsg_level(), libc::IPPROTO_IP);
/// assert_eq!(msg.cmsg_type(), libc::IP_TTL);
/// assert_eq!(msg.data(), &ttl);
/// assert!(!msg.truncated());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[doc(alias = "cmsghdr")]
pub struct ControlMessage<'a> {
    level: c_int,
    ty: c_int,
    data: &'a [u8],
    /// 1 if cut short, else 0. A `u8` rather than a `bool`, whose spare values an enum
    /// with a `ControlMessage` variant would keep its variant in, making every match on
    /// it reassemble the value from pieces (BENCHMARKS.md, "Why the code is shaped so").
    truncated: u8,
}

impl<'a> ControlMessage<'a> {
    /// A message of the given level and type carrying `data` as its payload.
    ///
    /// `data` is the payload only: the header and padding are added when the message is
    /// written into a buffer.
    #[must_use]
    pub const fn new(cmsg_level: c_int, cmsg_type: c_int, data: &'a [u8]) -> ControlMessage<'a> {
        ControlMessage {
            level: cmsg_level,
            ty: cmsg_type,
            data,
            truncated: 0,
        }
    }

    /// A message parsed out of a buffer whose `cmsg_len` ran past the buffer's end.
    pub(crate) const fn new_truncated(level: c_int, ty: c_int, data: &'a [u8]) -> Self {
        ControlMessage {
            level,
            ty,
            data,
            truncated: 1,
        }
    }

    /// The protocol level (`cmsg_level`), such as `SOL_SOCKET` or `IPPROTO_IP`.
    #[must_use]
    pub const fn cmsg_level(&self) -> c_int {
        self.level
    }

    /// The protocol-specific type (`cmsg_type`), such as `SCM_RIGHTS` or `IP_TTL`.
    #[must_use]
    pub const fn cmsg_type(&self) -> c_int {
        self.ty
    }

    /// The payload (what `CMSG_DATA` points at), without header or trailing padding.
    ///
    /// The bytes borrow the buffer the message came from, so they outlive this handle. They
    /// have no particular alignment: read typed values with a copy (the typed messages of
    /// this crate do that for you).
    #[must_use]
    pub const fn data(&self) -> &'a [u8] {
        self.data
    }

    /// Whether the message was cut short, because its `cmsg_len` claimed more bytes than the
    /// buffer held (for example after a receive into a too-small buffer, `MSG_CTRUNC`).
    /// [`data`](Self::data) then holds only the bytes that were present.
    #[must_use]
    pub const fn truncated(&self) -> bool {
        self.truncated != 0
    }
}

impl fmt::Debug for ControlMessage<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ControlMessage")
            .field("cmsg_level", &self.level)
            .field("cmsg_type", &self.ty)
            .field("data", &self.data)
            .field("truncated", &self.truncated())
            .finish()
    }
}
