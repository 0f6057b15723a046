//! [`ControlMessages`]: a borrowed buffer of control messages, and its iterator.
//!
//! Parsing is written for hostile input. `ControlMessages::from_bytes` accepts any bytes at
//! any address; the walk's step is `cmsg::next`, which never forms a reference to a
//! `cmsghdr`, checks every offset before it is used, and ends the walk at a malformed
//! length instead of looping or reading out of bounds.

use core::fmt;
use core::iter::FusedIterator;

use crate::cmsg::{self, HEADER_LEN};
use crate::message::ControlMessage;
use crate::payload::{ControlMessagePayload, PayloadError};

/// A buffer of control messages, as `sendmsg` takes them and `recvmsg` returns them.
///
/// `ControlMessages` is an unsized view over bytes, like `str` over UTF-8 or `Path` over an
/// `OsStr`: it is always used behind a reference. Get one from
/// [`AncillaryData::control_messages`](crate::AncillaryData::control_messages), from a
/// [`ControlMessagesBuf`](crate::ControlMessagesBuf), or from any bytes with
/// [`from_bytes`](Self::from_bytes). Iterating yields [`ControlMessage`]s.
///
/// ```
/// use ancillary::{ControlMessage, ControlMessagesBuf};
///
/// let mut buf = ControlMessagesBuf::new();
/// buf.push(&ControlMessage::new(libc::SOL_SOCKET, libc::SCM_RIGHTS, &0i32.to_ne_bytes()));
/// buf.push(&ControlMessage::new(libc::IPPROTO_IP, libc::IP_TTL, &64i32.to_ne_bytes()));
///
/// let kinds: Vec<_> = buf.iter().map(|m| (m.cmsg_level(), m.cmsg_type())).collect();
/// assert_eq!(kinds, [(libc::SOL_SOCKET, libc::SCM_RIGHTS), (libc::IPPROTO_IP, libc::IP_TTL)]);
/// ```
#[repr(transparent)]
pub struct ControlMessages {
    bytes: [u8],
}

impl ControlMessages {
    /// Views any bytes as control messages.
    ///
    /// Nothing is checked up front and nothing needs to be: iteration copes with every
    /// input, aligned or not, well-formed or not. A header whose `cmsg_len` is shorter than
    /// a header ends the walk; a `cmsg_len` running past the end yields the bytes that are
    /// there, flagged [`truncated`](ControlMessage::truncated); trailing bytes too short for
    /// a header are ignored.
    ///
    /// ```
    /// use ancillary::ControlMessages;
    ///
    /// // A header claiming a length of zero: no message, and no endless loop.
    /// let zero = [0u8; 64];
    /// assert_eq!(ControlMessages::from_bytes(&zero).iter().count(), 0);
    /// ```
    #[must_use]
    pub fn from_bytes(bytes: &[u8]) -> &ControlMessages {
        let ptr = core::ptr::from_ref::<[u8]>(bytes) as *const ControlMessages;
        // SAFETY: `ControlMessages` is `repr(transparent)` over `[u8]`, so the two unsized
        // types have the same layout and pointer metadata (the length); the lifetime and
        // shared-ness of the reference are carried over unchanged.
        unsafe { &*ptr }
    }

    /// Views bytes as control messages, mutably: for the RFC's `DerefMut`/`AsMut` of
    /// [`ControlMessagesBuf`](crate::ControlMessagesBuf). `ControlMessages` offers no way to
    /// write through `&mut` (and, being unsized, cannot be swapped), so the bytes stay as
    /// they are.
    pub(crate) fn from_bytes_mut(bytes: &mut [u8]) -> &mut ControlMessages {
        let ptr = core::ptr::from_mut::<[u8]>(bytes) as *mut ControlMessages;
        // SAFETY: as in `from_bytes`, for an exclusive reference.
        unsafe { &mut *ptr }
    }

    /// The raw bytes, headers and padding included, ready for `msg_control`.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The length of the buffer in **bytes** (like [`as_bytes`](Self::as_bytes)), not the
    /// number of messages; count those with `iter().count()`.
    #[must_use]
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the buffer holds no bytes at all.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// An iterator over the messages.
    pub fn iter(&self) -> ControlMessagesIter<'_> {
        ControlMessagesIter { rest: &self.bytes }
    }
}

impl fmt::Debug for ControlMessages {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a> IntoIterator for &'a ControlMessages {
    type Item = ControlMessage<'a>;
    type IntoIter = ControlMessagesIter<'a>;

    fn into_iter(self) -> ControlMessagesIter<'a> {
        self.iter()
    }
}

impl AsRef<[u8]> for ControlMessages {
    fn as_ref(&self) -> &[u8] {
        &self.bytes
    }
}

/// An iterator over the [`ControlMessage`]s of a [`ControlMessages`] buffer.
///
/// It is fused: once it returns `None` it always will.
#[derive(Clone)]
pub struct ControlMessagesIter<'a> {
    /// The bytes from the next header on; empty once the walk has ended.
    rest: &'a [u8],
}

impl<'a> ControlMessagesIter<'a> {}

impl<'a> Iterator for ControlMessagesIter<'a> {
    type Item = ControlMessage<'a>;

    #[inline]
    fn next(&mut self) -> Option<ControlMessage<'a>> {
        let Some(found) = cmsg::next(self.rest) else {
            self.rest = &[];
            return None;
        };
        self.rest = found.rest;
        Some(if found.truncated {
            ControlMessage::new_truncated(found.level, found.ty, found.data)
        } else {
            ControlMessage::new(found.level, found.ty, found.data)
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        if cmsg::at_end(self.rest) {
            (0, Some(0))
        } else {
            (0, Some(self.rest.len() / HEADER_LEN + 1))
        }
    }
}

impl FusedIterator for ControlMessagesIter<'_> {}

impl fmt::Debug for ControlMessagesIter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ControlMessagesIter")
            .field("remaining_bytes", &self.rest.len())
            .finish()
    }
}

// ----- typed lookups ---------------------------------------------------------------------

impl ControlMessages {
    /// The messages of type `T`, already converted; messages of other kinds are skipped,
    /// and messages of kind `T` that fail to convert (wrong length, truncated) yield an
    /// error instead of being dropped silently. For a type that shares its level and type
    /// with another layout ([`ControlMessagePayload::SHARED`]), a message whose length
    /// fits not `T` (and that was not truncated) is of the other type, and skipped.
    ///
    /// ```
    /// use ancillary::{ControlMessage, ControlMessagesBuf};
    ///
    /// #[derive(ControlMessage, Clone, Copy, Debug, PartialEq)]
    /// #[cmsg(level = libc::IPPROTO_IP, type = libc::IP_TTL)]
    /// #[repr(C)]
    /// struct IpTtl {
    ///     ttl: libc::c_int,
    /// }
    ///
    /// let mut buf = ControlMessagesBuf::new();
    /// buf.push(&ControlMessage::new(libc::SOL_SOCKET, libc::SCM_RIGHTS, &[0; 4]));
    /// buf.push(&(&IpTtl { ttl: 7 }).into());
    /// let ttls: Vec<_> = buf.of_type::<IpTtl>().collect::<Result<_, _>>().unwrap();
    /// assert_eq!(ttls, [IpTtl { ttl: 7 }]);
    /// assert_eq!(buf.find::<IpTtl>().unwrap().unwrap().ttl, 7);
    /// ```
    pub fn of_type<'a, T: ControlMessagePayload + ?Sized + 'a>(&'a self) -> OfType<'a, T> {
        OfType {
            messages: self.iter(),
            _type: core::marker::PhantomData,
        }
    }

    /// The first message of type `T`, converted; `None` if there is none.
    pub fn find<'a, T: ControlMessagePayload + ?Sized + 'a>(
        &'a self,
    ) -> Option<Result<T::Parsed<'a>, PayloadError>> {
        self.of_type::<T>().next()
    }
}

/// The messages of one type in a [`ControlMessages`] buffer, converted. Created by
/// [`ControlMessages::of_type`].
pub struct OfType<'a, T: ?Sized> {
    messages: ControlMessagesIter<'a>,
    _type: core::marker::PhantomData<fn() -> &'a T>,
}

impl<'a, T: ControlMessagePayload + ?Sized + 'a> Iterator for OfType<'a, T> {
    type Item = Result<T::Parsed<'a>, PayloadError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.messages
            .by_ref()
            .find(|m| {
                m.cmsg_level() == T::LEVEL
                    && m.cmsg_type() == T::TYPE
                    && (!T::SHARED
                        || m.truncated()
                        || T::LAYOUT.elements_for(m.data().len()).is_some())
            })
            .map(T::parse)
    }
}

impl<'a, T: ControlMessagePayload + ?Sized + 'a> core::iter::FusedIterator for OfType<'a, T> {}

impl<T: ?Sized> fmt::Debug for OfType<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OfType")
            .field("type", &core::any::type_name::<T>())
            .finish_non_exhaustive()
    }
}
