//! [`MessageSender`] and [`MessageReceiver`]: builders over the send and receive traits.

use core::fmt;
use std::io::{self, IoSlice, IoSliceMut};

use crate::ancillary_data::AncillaryData;
use crate::options::{RecvOptions, RecvResult, SendOptions};
use crate::socket::{RecvMessage, RecvMessageFrom, SendMessage, SendMessageTo};
use crate::sys::{RecvBufs, SendBufs};

/// Sends one message: data, optional ancillary data and options, then
/// [`send`](Self::send) or [`send_to`](Self::send_to).
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// use std::os::fd::AsFd;
/// use std::os::unix::net::UnixDatagram;
/// use ancillary::{AncillaryData, MessageSender, SendOptions};
///
/// let (a, _b) = UnixDatagram::pair()?;
/// let file = std::fs::File::open("Cargo.toml")?;
/// let mut ancillary = AncillaryData::new();
/// ancillary.add_file_descriptors(&[file.as_fd()]);
/// let sent = MessageSender::new(&a, b"hello")
///     .ancillary_data(&mut ancillary)
///     .options(*SendOptions::new().no_signal(true))
///     .send()?;
/// assert_eq!(sent, 5);
/// # Ok(())
/// # }
/// ```
#[must_use = "a MessageSender sends nothing until `.send()` (or `.send_to(addr)`) is called"]
pub struct MessageSender<'a, 'fd, S: ?Sized> {
    pub(crate) socket: &'a S,
    pub(crate) bufs: SendBufs<'a>,
    pub(crate) ancillary_data: Option<&'a mut AncillaryData<'fd>>,
    pub(crate) options: SendOptions,
}

impl<'a, 'fd, S: ?Sized> MessageSender<'a, 'fd, S> {
    /// A sender of `buf` on `socket`, with no control messages and no flags yet.
    pub fn new(socket: &'a S, buf: &'a [u8]) -> Self {
        MessageSender {
            socket,
            bufs: SendBufs::One([IoSlice::new(buf)]),
            ancillary_data: None,
            options: SendOptions::new(),
        }
    }

    /// A sender of several buffers, gathered into one message.
    pub fn new_vectored<'b>(socket: &'a S, bufs: &'a [IoSlice<'b>]) -> Self {
        MessageSender {
            socket,
            // `IoSlice` is covariant, so `&'a [IoSlice<'b>]` shortens to `&'a [IoSlice<'a>]`.
            bufs: SendBufs::Many(bufs),
            ancillary_data: None,
            options: SendOptions::new(),
        }
    }

    /// Sends these control messages (and descriptors) with the data. The ancillary data
    /// is only borrowed: it can be cleared and reused afterwards.
    pub fn ancillary_data(&mut self, ancillary_data: &'a mut AncillaryData<'fd>) -> &mut Self {
        self.ancillary_data = Some(ancillary_data);
        self
    }

    /// Uses these flags.
    pub fn options(&mut self, options: SendOptions) -> &mut Self {
        self.options = options;
        self
    }
}

impl<S: SendMessage + ?Sized> MessageSender<'_, '_, S> {
    /// Sends the message, returning the number of data bytes sent.
    ///
    /// # Errors
    /// As [`SendMessage::send_message`].
    #[inline(always)]
    pub fn send(&mut self) -> io::Result<usize> {
        // Made only when needed: building and dropping an empty one costs as much as
        // the rest of the call's bookkeeping.
        let mut none;
        let ancillary_data = match &mut self.ancillary_data {
            Some(data) => &mut **data,
            None => {
                none = AncillaryData::none();
                &mut none
            }
        };
        let mut slot = [IoSlice::new(&[])];
        let bufs = self.bufs.local(&mut slot);
        self.socket.send_message(bufs, ancillary_data, self.options)
    }
}

impl<S: SendMessageTo + ?Sized> MessageSender<'_, '_, S> {
    /// Sends the message to `addr`, returning the number of data bytes sent.
    ///
    /// # Errors
    /// As [`SendMessageTo::send_message_to`].
    pub fn send_to(&mut self, addr: &S::SocketAddr) -> io::Result<usize> {
        // Made only when needed: building and dropping an empty one costs as much as
        // the rest of the call's bookkeeping.
        let mut none;
        let ancillary_data = match &mut self.ancillary_data {
            Some(data) => &mut **data,
            None => {
                none = AncillaryData::none();
                &mut none
            }
        };
        let mut slot = [IoSlice::new(&[])];
        let bufs = self.bufs.local(&mut slot);
        self.socket
            .send_message_to(addr, bufs, ancillary_data, self.options)
    }
}

impl<S: ?Sized> fmt::Debug for MessageSender<'_, '_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MessageSender")
            .field("bufs", &self.bufs.as_slice())
            .field("ancillary_data", &self.ancillary_data)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// Receives one message: buffers, optional ancillary data and options, then
/// [`recv`](Self::recv) or [`recv_from`](Self::recv_from).
///
/// The builder only borrows the ancillary data, so once it is gone the received
/// descriptors can be taken:
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// use std::os::unix::net::UnixDatagram;
/// use ancillary::{AncillaryData, MessageReceiver, MessageSender, RecvOptions};
///
/// let (a, b) = UnixDatagram::pair()?;
/// a.send(b"ping")?;
///
/// let mut ancillary = AncillaryData::with_capacity(AncillaryData::space_for_fds(4));
/// let mut buf = [0u8; 16];
/// let mut receiver = MessageReceiver::new(&b, &mut buf);
/// let (n, result) = receiver
///     .ancillary_data(&mut ancillary)
///     .options(RecvOptions::new())
///     .recv()?;
/// assert_eq!(n, 4);
/// assert!(!result.control_data_truncated());
/// drop(receiver);
/// assert_eq!(ancillary.take_owned_fds().map(|fds| fds.len()), Some(0));
/// # Ok(())
/// # }
/// ```
#[must_use = "a MessageReceiver receives nothing until `.recv()` (or `.recv_from()`) is called"]
pub struct MessageReceiver<'a, 'fd, S: ?Sized> {
    pub(crate) socket: &'a S,
    pub(crate) bufs: RecvBufs<'a>,
    pub(crate) ancillary_data: Option<&'a mut AncillaryData<'fd>>,
    pub(crate) options: RecvOptions,
}

impl<'a, 'fd, S: ?Sized> MessageReceiver<'a, 'fd, S> {
    /// A receiver into `buf` from `socket`, with no room for control messages and default
    /// flags yet.
    pub fn new(socket: &'a S, buf: &'a mut [u8]) -> Self {
        MessageReceiver {
            socket,
            bufs: RecvBufs::One([IoSliceMut::new(buf)]),
            ancillary_data: None,
            options: RecvOptions::new(),
        }
    }

    /// A receiver scattering one message over several buffers.
    pub fn new_vectored<'b>(socket: &'a S, bufs: &'a mut [IoSliceMut<'b>]) -> Self {
        MessageReceiver {
            socket,
            bufs: RecvBufs::many(bufs),
            ancillary_data: None,
            options: RecvOptions::new(),
        }
    }

    /// Receives control messages (and descriptors) into `ancillary_data`, which is cleared
    /// first. Its capacity bounds how much control data can arrive.
    pub fn ancillary_data(&mut self, ancillary_data: &'a mut AncillaryData<'fd>) -> &mut Self {
        self.ancillary_data = Some(ancillary_data);
        self
    }

    /// Uses these flags (`MSG_CMSG_CLOEXEC` is added where it exists).
    pub fn options(&mut self, options: RecvOptions) -> &mut Self {
        self.options = options;
        self
    }
}

impl<S: RecvMessage + ?Sized> MessageReceiver<'_, '_, S> {
    /// Receives one message, returning the number of data bytes and the result flags.
    ///
    /// # Errors
    /// As [`RecvMessage::recv_message`].
    #[inline(always)]
    pub fn recv(&mut self) -> io::Result<(usize, RecvResult)> {
        // Made only when needed: building and dropping an empty one costs as much as
        // the rest of the call's bookkeeping.
        let mut none;
        let ancillary_data = match &mut self.ancillary_data {
            Some(data) => &mut **data,
            None => {
                none = AncillaryData::none();
                &mut none
            }
        };
        let (socket, options) = (self.socket, self.options);
        self.bufs
            .with_local(|bufs| socket.recv_message(bufs, ancillary_data, options))
    }
}

impl<S: RecvMessageFrom + ?Sized> MessageReceiver<'_, '_, S> {
    /// Receives one message, also returning the sender's address.
    ///
    /// # Errors
    /// As [`RecvMessageFrom::recv_message_from`]. If the message arrived but its sender's
    /// address did not convert, the error holds an [`AddressError`](crate::AddressError)
    /// with the byte count and flags, and the data and control messages are in place.
    pub fn recv_from(&mut self) -> io::Result<(usize, RecvResult, S::SocketAddr)> {
        // Made only when needed: building and dropping an empty one costs as much as
        // the rest of the call's bookkeeping.
        let mut none;
        let ancillary_data = match &mut self.ancillary_data {
            Some(data) => &mut **data,
            None => {
                none = AncillaryData::none();
                &mut none
            }
        };
        let (socket, options) = (self.socket, self.options);
        self.bufs
            .with_local(|bufs| socket.recv_message_from(bufs, ancillary_data, options))
    }
}

impl<S: ?Sized> fmt::Debug for MessageReceiver<'_, '_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MessageReceiver")
            .field("ancillary_data", &self.ancillary_data)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}
