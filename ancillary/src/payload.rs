//! [`ControlMessagePayload`]: typed control messages, and the conversions every typed
//! message shares.
//!
//! A typed message is a `#[repr(C)]` struct whose bytes are the payload of one kind of
//! control message, identified by `LEVEL` and `TYPE`. The crate's own messages
//! ([`ScmRights`](crate::ScmRights), the credentials in [`os`](crate::os)) and downstream
//! ones are all defined with `#[derive(ControlMessage)]`, which implements this trait
//! only after the compiler has proven the layout sound. All the `unsafe` that turns bytes
//! into typed values lives here, once, behind the trait's contract.

use core::ffi::c_int;
use core::fmt;
use core::mem::size_of_val;
use std::io;

use crate::message::ControlMessage;

/// The shape of a payload type: a fixed part, optionally followed by a slice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PayloadLayout {
    /// Bytes before the trailing slice; the whole size for a sized payload.
    pub prefix: usize,
    /// Bytes per element of the trailing slice; 0 for a sized payload.
    pub elem: usize,
    /// The alignment of the type.
    pub align: usize,
}

impl PayloadLayout {
    /// The layout of a sized payload type `T`.
    #[must_use]
    pub const fn sized<T>() -> PayloadLayout {
        PayloadLayout {
            prefix: size_of::<T>(),
            elem: 0,
            align: align_of::<T>(),
        }
    }

    /// Whether the payload ends in a slice.
    #[must_use]
    pub const fn is_slice_tailed(&self) -> bool {
        self.elem != 0
    }

    /// The number of trailing elements in a payload of `len` bytes, if `len` fits this
    /// layout exactly (sized: `len == prefix`; slice-tailed: the prefix plus whole
    /// elements).
    #[must_use]
    pub const fn elements_for(&self, len: usize) -> Option<usize> {
        if self.elem == 0 {
            if len == self.prefix {
                Some(0)
            } else {
                None
            }
        } else if len >= self.prefix && (len - self.prefix) % self.elem == 0 {
            Some((len - self.prefix) / self.elem)
        } else {
            None
        }
    }

    /// The payload size of a message with `elements` trailing elements (0 for sized).
    #[must_use]
    pub const fn len_for(&self, elements: usize) -> usize {
        self.prefix
            .saturating_add(self.elem.saturating_mul(elements))
    }
}

/// A typed control message: a `#[repr(C)]` payload type with its level and type.
///
/// Implement it with `#[derive(ControlMessage)]`, which checks everything the safety
/// contract asks for at compile time:
///
/// ```
/// use ancillary::{ControlMessage, ControlMessagePayload};
///
/// #[derive(ControlMessage, Clone, Copy, Debug, PartialEq)]
/// #[cmsg(level = libc::IPPROTO_IP, type = libc::IP_TTL)]
/// #[repr(C)]
/// struct IpTtl {
///     ttl: libc::c_int,
/// }
///
/// let ttl = IpTtl { ttl: 64 };
/// let message = ControlMessage::from(&ttl);
/// assert_eq!(message.cmsg_type(), <IpTtl as ControlMessagePayload>::TYPE);
/// assert!(IpTtl::matches(&message));
/// assert_eq!(IpTtl::try_from(message).unwrap(), ttl);
/// ```
///
/// Generic code uses the trait to find typed messages in received data
/// ([`ControlMessages::of_type`](crate::ControlMessages::of_type),
/// [`ControlMessages::find`](crate::ControlMessages::find)) and to size buffers
/// ([`SPACE`](Self::SPACE), [`space_for`](Self::space_for)).
///
/// # Safety
///
/// An implementation promises, for every value of `Self`:
/// 1. `Self` is `#[repr(C)]` (or `#[repr(transparent)]`), without interior mutability, and
///    every byte pattern of the right length is a valid `Self` (like zerocopy's
///    `FromBytes + Immutable`).
/// 2. Every byte of a value is initialised: no padding anywhere, including after the
///    trailing slice (like zerocopy's `IntoBytes`). For a slice-tailed type that means
///    `LAYOUT.prefix` and `LAYOUT.elem` are multiples of `LAYOUT.align`.
/// 3. [`LAYOUT`](Self::LAYOUT) is the layout of `Self`, and [`cast_ptr`](Self::cast_ptr)
///    returns its argument's address as a `*const Self` whose value covers
///    `LAYOUT.len_for(elements)` bytes. The one exception is a sized `Self` whose payload
///    is followed by bytes (`#[cmsg(trailing_bytes)]`): there `LAYOUT.prefix` is
///    `size_of::<Self>()`, `LAYOUT.elem` is 1 and `LAYOUT.align` is `align_of::<Self>()`,
///    and the pointer covers `size_of::<Self>()` bytes, never more than the payload.
pub unsafe trait ControlMessagePayload {
    /// `cmsg_level` of this message.
    const LEVEL: c_int;
    /// `cmsg_type` of this message.
    const TYPE: c_int;
    /// The layout of the payload type.
    const LAYOUT: PayloadLayout;
    /// Whether another message type has this level and type with a payload of another
    /// length: `IP_TOS` arrives as one byte but is sent as an `int` on Linux, so the two
    /// layouts are two types. [`ControlMessages::of_type`](crate::ControlMessages::of_type)
    /// and [`ControlMessages::find`](crate::ControlMessages::find) then pass over a message
    /// of this level and type whose length this type does not accept, as one of the other
    /// type, instead of yielding [`PayloadError::Length`] for it (a truncated one is still
    /// an error: it may have been of this type). Explicit
    /// conversions (`try_from`, [`parse`](Self::parse)) still fail on it.
    ///
    /// `false` unless the derive is given `#[cmsg(shared)]`.
    const SHARED: bool = false;

    /// Buffer bytes one message of this type takes (`CMSG_SPACE`), for the smallest
    /// payload (no trailing elements); see [`space_for`](Self::space_for).
    const SPACE: usize = crate::cmsg::cmsg_space(Self::LAYOUT.prefix);

    /// What parsing a message yields: `Self` (a copy) for sized payloads, `&'a Self` for
    /// slice-tailed ones.
    type Parsed<'a>
    where
        Self: 'a;

    /// Turns a message into its typed form.
    ///
    /// # Errors
    /// [`PayloadError`] saying which check failed.
    fn parse<'a>(message: ControlMessage<'a>) -> Result<Self::Parsed<'a>, PayloadError>
    where
        Self: 'a;

    /// The address `ptr` as a `*const Self` with `elements` trailing elements (ignored for
    /// sized types). Only a pointer cast: no reads.
    fn cast_ptr(ptr: *const u8, elements: usize) -> *const Self;

    /// Whether a message has this type's level and type and a payload length it accepts.
    fn matches(message: &ControlMessage<'_>) -> bool {
        message.cmsg_level() == Self::LEVEL
            && message.cmsg_type() == Self::TYPE
            && Self::LAYOUT.elements_for(message.data().len()).is_some()
    }

    /// Buffer bytes one message with `elements` trailing elements takes (`CMSG_SPACE`).
    #[must_use]
    fn space_for(elements: usize) -> usize {
        crate::cmsg::cmsg_space(Self::LAYOUT.len_for(elements))
    }
}

/// Which check failed when a [`ControlMessage`] was converted to a typed message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
// A tag byte of its own, not the spare values of `Length`'s `bool`: see BENCHMARKS.md,
// "Why the code is shaped so".
#[repr(u8)]
pub enum PayloadError {
    /// The message has another level or type.
    LevelType {
        /// `(level, type)` the typed message has.
        expected: (c_int, c_int),
        /// `(level, type)` the message had.
        found: (c_int, c_int),
    },
    /// The payload length does not fit the type.
    Length {
        /// The fixed size, or the size before the trailing slice.
        expected: usize,
        /// For a slice-tailed type, the element size (0 otherwise).
        element: usize,
        /// The payload length of the message.
        found: usize,
        /// Whether the message was truncated.
        truncated: bool,
    },
    /// The payload is not aligned for a reference to the type (only slice-tailed types
    /// are viewed in place; sized ones are copied).
    Alignment {
        /// The alignment the type needs.
        required: usize,
        /// The payload's address modulo `required`.
        offset: usize,
    },
    /// The payload's content is not valid for the type (for example a security label
    /// without its terminating NUL).
    Content(&'static str),
}

impl fmt::Display for PayloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            PayloadError::LevelType { expected, found } => write!(
                f,
                "control message has level {} and type {}, expected level {} and type {}",
                found.0, found.1, expected.0, expected.1
            ),
            PayloadError::Length {
                expected,
                element: 0,
                found,
                truncated,
            } => write!(
                f,
                "control message payload is {found} bytes{}, expected {expected}",
                if truncated { " (truncated)" } else { "" }
            ),
            PayloadError::Length {
                expected,
                element,
                found,
                truncated,
            } => write!(
                f,
                "control message payload is {found} bytes{}, expected {expected} plus a multiple of {element}",
                if truncated { " (truncated)" } else { "" }
            ),
            PayloadError::Alignment { required, offset } => write!(
                f,
                "control message payload is {offset} bytes past a {required}-byte boundary; \
                 the type needs {required}-byte alignment"
            ),
            PayloadError::Content(why) => write!(f, "invalid control message payload: {why}"),
        }
    }
}

impl std::error::Error for PayloadError {}

impl From<PayloadError> for io::Error {
    fn from(err: PayloadError) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, err)
    }
}

/// Checks level, type and length; returns the number of trailing elements.
fn check<T: ControlMessagePayload + ?Sized>(
    message: &ControlMessage<'_>,
) -> Result<usize, PayloadError> {
    const {
        let layout = T::LAYOUT;
        assert!(layout.align.is_power_of_two());
        assert!(
            layout.elem % layout.align == 0
                && (layout.elem == 0 || layout.prefix % layout.align == 0)
        );
    }
    if message.cmsg_level() != T::LEVEL || message.cmsg_type() != T::TYPE {
        return Err(PayloadError::LevelType {
            expected: (T::LEVEL, T::TYPE),
            found: (message.cmsg_level(), message.cmsg_type()),
        });
    }
    let len = message.data().len();
    T::LAYOUT.elements_for(len).ok_or(PayloadError::Length {
        expected: T::LAYOUT.prefix,
        element: T::LAYOUT.elem,
        found: len,
        truncated: message.truncated(),
    })
}

/// Copies the payload of `message` into a `T`, at any alignment.
///
/// # Errors
/// If the level, type or length do not match.
pub fn read_payload<T: ControlMessagePayload>(
    message: ControlMessage<'_>,
) -> Result<T, PayloadError> {
    check::<T>(&message)?;
    // `check` verified that the payload holds exactly `LAYOUT.prefix` bytes, which is
    // `size_of::<T>()` for a sized payload (contract 3).
    Ok(copy_from(message.data()))
}

/// Copies a `T` out of `bytes`, at any alignment: the one place bytes become a payload
/// value by copy.
///
/// # Panics
/// If `bytes` is not exactly `size_of::<T>()` long.
#[inline]
pub(crate) fn copy_from<T: ControlMessagePayload>(bytes: &[u8]) -> T {
    assert_eq!(bytes.len(), size_of::<T>(), "a payload's bytes");
    // SAFETY: `bytes` holds exactly `size_of::<T>()` initialised bytes; every byte pattern
    // is a valid `T` (contract 1), and `read_unaligned` has no alignment requirement.
    unsafe { core::ptr::read_unaligned(T::cast_ptr(bytes.as_ptr(), 0)) }
}

/// Views the payload of `message` as a `&T` in place.
///
/// # Errors
/// If the level, type or length do not match, or the payload is not aligned for `T`.
pub fn ref_payload<'a, T: ControlMessagePayload + ?Sized>(
    message: ControlMessage<'a>,
) -> Result<&'a T, PayloadError> {
    let elements = check::<T>(&message)?;
    let data = message.data();
    // `align_offset`, not the address modulo the alignment: it answers only what the
    // allocation guarantees wherever that differs from what the address happens to be
    // (Miri's symbolic alignment check), and is exact for bytes at run time.
    if data.as_ptr().align_offset(T::LAYOUT.align) != 0 {
        return Err(PayloadError::Alignment {
            required: T::LAYOUT.align,
            offset: data.as_ptr() as usize % T::LAYOUT.align,
        });
    }
    let ptr = T::cast_ptr(data.as_ptr(), elements);
    // `ptr` is the (aligned, checked just above) address of `data`, with a size of
    // `LAYOUT.len_for(elements)` bytes (contract 3), which `check` verified is `data.len()`.
    // SAFETY: so the reference stays inside `data` and borrows it for 'a; those bytes are
    // initialised, any pattern is a valid `T`, and `T` has no interior mutability (contract 1).
    let value = unsafe { &*ptr };
    debug_assert_eq!(size_of_val(value), data.len());
    Ok(value)
}

/// The bytes of a payload value: what `From<&T> for ControlMessage` sends.
pub fn payload_bytes<T: ControlMessagePayload + ?Sized>(value: &T) -> &[u8] {
    let len = size_of_val(value);
    // SAFETY: `value` is a valid reference, so its `size_of_val` bytes are readable for the
    // borrow; all of them are initialised (contract 2: no padding, and for slice-tailed
    // types no trailing padding either, so `size_of_val` ends at the last element).
    unsafe { core::slice::from_raw_parts(core::ptr::from_ref(value).cast::<u8>(), len) }
}

/// The control message carrying `value`.
pub fn to_message<T: ControlMessagePayload + ?Sized>(value: &T) -> ControlMessage<'_> {
    ControlMessage::new(T::LEVEL, T::TYPE, payload_bytes(value))
}
