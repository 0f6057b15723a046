//! One `match` over a receive: [`FromControlMessage`], the conversion each variant of a
//! `#[derive(ControlMessages)]` enum is made with, and [`ControlMessages::parse`], which
//! turns every received message into a value of the enum.

use core::fmt;
use core::iter::FusedIterator;
use core::marker::PhantomData;

use crate::control_messages::{ControlMessages, ControlMessagesIter};
use crate::message::ControlMessage;
use crate::payload::{ControlMessagePayload, PayloadError};
use crate::tailed::Tailed;

/// A value one kind of control message converts into, if the message is of that kind: the
/// types a variant of a `#[derive(ControlMessages)]` enum may hold.
///
/// Implemented for every message type `#[derive(ControlMessage)]` makes (for `T` itself if
/// sized, `&'a T` if slice-tailed, [`Tailed<'a, T>`] with `trailing_bytes`), for
/// [`ControlMessage<'a>`](struct@ControlMessage) (which takes every message: the catch-all
/// variant), and for the enums `#[derive(ControlMessages)]` makes (so they nest).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a variant of a `#[derive(ControlMessages)]` enum",
    label = "not a control message type",
    note = "a variant holds a type made with `#[derive(ControlMessage)]` (`T` if it is sized, \
            `&'a T` if it ends in a slice, `Tailed<'a, T>` with `trailing_bytes`), or \
            `ControlMessage<'a>` to take every other message"
)]
pub trait FromControlMessage<'a>: Sized {
    /// `None` if `message` is not of this kind (the next variant is tried); otherwise the
    /// converted value, or why a message of this kind did not convert.
    fn from_control_message(message: ControlMessage<'a>) -> Option<Result<Self, PayloadError>>;
}

/// The conversion of a message type `T`: `None` for another level or type (or, for a
/// [`SHARED`](ControlMessagePayload::SHARED) type, a length that is the other layout's),
/// else [`ControlMessagePayload::parse`]. What the derived implementations call.
#[inline]
pub fn variant<'a, T: ControlMessagePayload + ?Sized + 'a>(
    message: ControlMessage<'a>,
) -> Option<Result<T::Parsed<'a>, PayloadError>> {
    if message.cmsg_level() != T::LEVEL || message.cmsg_type() != T::TYPE {
        return None;
    }
    if T::SHARED && !message.truncated() && T::LAYOUT.elements_for(message.data().len()).is_none() {
        return None;
    }
    Some(T::parse(message))
}

impl<'a> FromControlMessage<'a> for ControlMessage<'a> {
    #[inline]
    fn from_control_message(message: ControlMessage<'a>) -> Option<Result<Self, PayloadError>> {
        Some(Ok(message))
    }
}

impl<'a, T> FromControlMessage<'a> for Tailed<'a, T>
where
    T: ControlMessagePayload<Parsed<'a> = Tailed<'a, T>> + 'a,
{
    #[inline]
    fn from_control_message(message: ControlMessage<'a>) -> Option<Result<Self, PayloadError>> {
        variant::<T>(message)
    }
}

impl ControlMessages {
    /// Every message converted into an `E`, typically an enum made with
    /// `#[derive(ControlMessages)]`: each message becomes the first variant that takes it,
    /// a message of a variant's kind that does not convert (wrong length, truncated) is an
    /// error, and a message no variant takes is skipped (give the enum a
    /// `ControlMessage<'a>` variant, last, to see those). Nothing is allocated.
    ///
    /// ```
    /// use ancillary::{ControlMessage, ControlMessages, ControlMessagesBuf};
    ///
    /// #[derive(ControlMessage, Clone, Copy, Debug, PartialEq)]
    /// #[cmsg(level = libc::IPPROTO_IP, type = libc::IP_TTL)]
    /// #[repr(C)]
    /// struct Ttl {
    ///     ttl: libc::c_int,
    /// }
    ///
    /// #[derive(ControlMessages, Debug)]
    /// enum Received<'a> {
    ///     Ttl(Ttl),
    ///     Other(ControlMessage<'a>),
    /// }
    ///
    /// let mut buf = ControlMessagesBuf::new();
    /// buf.push(&(&Ttl { ttl: 9 }).into());
    /// buf.push(&ControlMessage::new(libc::SOL_SOCKET, 0x4242, b"?"));
    /// let mut ttl = None;
    /// let mut others = 0;
    /// for message in buf.parse::<Received>() {
    ///     match message.unwrap() {
    ///         Received::Ttl(t) => ttl = Some(t.ttl),
    ///         Received::Other(_) => others += 1,
    ///     }
    /// }
    /// assert_eq!((ttl, others), (Some(9), 1));
    /// ```
    pub fn parse<'a, E: FromControlMessage<'a>>(&'a self) -> Parse<'a, E> {
        Parse {
            messages: self.iter(),
            _type: PhantomData,
        }
    }
}

/// Every message of a [`ControlMessages`] buffer converted into an `E`. Created by
/// [`ControlMessages::parse`].
pub struct Parse<'a, E> {
    messages: ControlMessagesIter<'a>,
    _type: PhantomData<fn() -> E>,
}

impl<'a, E: FromControlMessage<'a>> Iterator for Parse<'a, E> {
    type Item = Result<E, PayloadError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        self.messages.by_ref().find_map(E::from_control_message)
    }
}

impl<'a, E: FromControlMessage<'a>> FusedIterator for Parse<'a, E> {}

impl<E> fmt::Debug for Parse<'_, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Parse")
            .field("type", &core::any::type_name::<E>())
            .field("messages", &self.messages)
            .finish()
    }
}
