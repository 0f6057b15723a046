//! [`Tailed`]: a payload that is a fixed header followed by any number of bytes, such as
//! `{ u32 id; char label[]; }`, made with `#[cmsg(trailing_bytes)]`.
//!
//! Such a payload cannot be a `&T` of a Rust type `{ id: u32, label: [u8] }`: that type's
//! size is rounded up to its alignment, so for most lengths a reference would claim padding
//! bytes past the end of the payload, which the buffer may not have. Instead the header is
//! copied out (at any alignment, as every sized payload is) and the bytes are borrowed
//! (bytes need no alignment): nothing is read or referenced outside the payload.

use core::fmt;
use core::ops::Deref;

use crate::message::ControlMessage;
use crate::payload::{payload_bytes, ControlMessagePayload, PayloadError};

/// A received (or to-be-sent) payload of a `#[cmsg(trailing_bytes)]` message: the header
/// `H`, copied, and the bytes after it, borrowed. It dereferences to the header.
///
/// ```
/// use ancillary::{ControlMessage, ControlMessagesBuf, Tailed};
///
/// /// A made-up message: an id, then a label of any length.
/// #[derive(ControlMessage, Clone, Copy, Debug)]
/// #[cmsg(level = 0x7ead, type = 3, trailing_bytes)]
/// #[repr(C)]
/// struct Labelled {
///     id: u32,
/// }
///
/// // Send: the header and the bytes, written into a buffer of the caller's.
/// let mut scratch = [0u8; 64];
/// let message = Tailed::new(Labelled { id: 7 }, b"hello").encode(&mut scratch).unwrap();
/// assert_eq!(message.data().len(), 4 + 5);
/// let mut buf = ControlMessagesBuf::new();
/// buf.push(&message);
///
/// // Receive: `find` gives a `Tailed<Labelled>`; 9 bytes is no multiple of `u32`'s
/// // alignment, and that is fine.
/// let labelled = buf.find::<Labelled>().unwrap().unwrap();
/// assert_eq!(labelled.id, 7);
/// assert_eq!(labelled.tail(), b"hello");
/// ```
#[derive(Clone, Copy)]
pub struct Tailed<'a, H> {
    header: H,
    tail: &'a [u8],
}

impl<'a, H: ControlMessagePayload> Tailed<'a, H> {
    /// The header `header` followed by the bytes `tail`.
    pub const fn new(header: H, tail: &'a [u8]) -> Tailed<'a, H> {
        Tailed { header, tail }
    }

    /// The header.
    pub const fn header(&self) -> &H {
        &self.header
    }

    /// The bytes after the header.
    pub const fn tail(&self) -> &'a [u8] {
        self.tail
    }

    /// The payload length: the header's size plus the bytes'.
    pub const fn len(&self) -> usize {
        size_of::<H>() + self.tail.len()
    }

    /// Whether the payload is empty (never: a header has at least one byte).
    pub const fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes the payload (the header's bytes, then the tail) to the start of `out` and
    /// returns the message over those bytes, ready to add to an
    /// [`AncillaryData`](crate::AncillaryData); `None` if `out` is shorter than
    /// [`len`](Self::len).
    pub fn encode<'b>(&self, out: &'b mut [u8]) -> Option<ControlMessage<'b>> {
        let header = payload_bytes(&self.header);
        let out = out.get_mut(..self.len())?;
        let (head, rest) = out.split_at_mut(header.len());
        head.copy_from_slice(header);
        rest.copy_from_slice(self.tail);
        Some(ControlMessage::new(H::LEVEL, H::TYPE, out))
    }
}

impl<H> Deref for Tailed<'_, H> {
    type Target = H;

    fn deref(&self) -> &H {
        &self.header
    }
}

impl<H: fmt::Debug> fmt::Debug for Tailed<'_, H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tailed")
            .field("header", &self.header)
            .field("tail", &self.tail)
            .finish()
    }
}

/// Parses a `#[cmsg(trailing_bytes)]` message: checks level and type, copies the header
/// out of the first `size_of::<T>()` bytes (at any alignment) and borrows the rest.
///
/// # Errors
/// If the level or type differ, or the payload is shorter than the header.
pub fn read_tailed<T: ControlMessagePayload>(
    message: ControlMessage<'_>,
) -> Result<Tailed<'_, T>, PayloadError> {
    if message.cmsg_level() != T::LEVEL || message.cmsg_type() != T::TYPE {
        return Err(PayloadError::LevelType {
            expected: (T::LEVEL, T::TYPE),
            found: (message.cmsg_level(), message.cmsg_type()),
        });
    }
    let data = message.data();
    let Some((header, tail)) = data.split_at_checked(size_of::<T>()) else {
        return Err(PayloadError::Length {
            expected: size_of::<T>(),
            element: 1,
            found: data.len(),
            truncated: message.truncated(),
        });
    };
    Ok(Tailed {
        header: crate::payload::copy_from(header),
        tail,
    })
}
