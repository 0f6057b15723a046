//! The builders' async methods: [`MessageSender::send_async`] and the others.

use std::io;

use super::{AsyncRecvMessage, AsyncRecvMessageFrom, AsyncSendMessage, AsyncSendMessageTo};
use crate::ancillary_data::AncillaryData;
use crate::builder::{MessageReceiver, MessageSender};
use crate::options::RecvResult;

#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
impl<S: AsyncSendMessage + ?Sized> MessageSender<'_, '_, S> {
    /// Sends the message from async code: the async form of
    /// [`send`](MessageSender::send) (feature `tokio`). Cancel safe.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use std::os::fd::AsFd;
    /// use ancillary::{AncillaryData, MessageSender, SendOptions};
    ///
    /// let (left, _right) = tokio::net::UnixStream::pair()?;
    /// let file = std::fs::File::open("Cargo.toml")?;
    /// let mut ancillary = AncillaryData::new();
    /// ancillary.add_file_descriptors(&[file.as_fd()]);
    /// let sent = MessageSender::new(&left, b"hello")
    ///     .ancillary_data(&mut ancillary)
    ///     .options(*SendOptions::new().no_signal(true))
    ///     .send_async()
    ///     .await?;
    /// assert_eq!(sent, 5);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`AsyncSendMessage::send_message`].
    pub async fn send_async(&mut self) -> io::Result<usize> {
        let mut none = AncillaryData::new();
        let ancillary_data = match &mut self.ancillary_data {
            Some(data) => &mut **data,
            None => &mut none,
        };
        self.socket
            .send_message(self.bufs.as_slice(), ancillary_data, self.options)
            .await
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
impl<S: AsyncSendMessageTo + ?Sized> MessageSender<'_, '_, S> {
    /// Sends the message to `addr` from async code: the async form of
    /// [`send_to`](MessageSender::send_to) (feature `tokio`). Cancel safe.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use ancillary::{MessageReceiver, MessageSender};
    ///
    /// let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await?;
    /// let addr = socket.local_addr()?;
    /// MessageSender::new(&socket, b"to myself").send_to_async(&addr).await?;
    ///
    /// let mut buf = [0; 16];
    /// let (n, _, from) = MessageReceiver::new(&socket, &mut buf).recv_from_async().await?;
    /// assert_eq!((&buf[..n], from), (&b"to myself"[..], addr));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`AsyncSendMessageTo::send_message_to`].
    pub async fn send_to_async(&mut self, addr: &S::SocketAddr) -> io::Result<usize> {
        let mut none = AncillaryData::new();
        let ancillary_data = match &mut self.ancillary_data {
            Some(data) => &mut **data,
            None => &mut none,
        };
        self.socket
            .send_message_to(addr, self.bufs.as_slice(), ancillary_data, self.options)
            .await
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
impl<S: AsyncRecvMessage + ?Sized> MessageReceiver<'_, '_, S> {
    /// Receives one message from async code: the async form of
    /// [`recv`](MessageReceiver::recv) (feature `tokio`). Cancel safe: see the
    /// [module documentation](crate::tokio#cancellation-safety).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use std::time::Duration;
    /// use ancillary::{AncillaryData, MessageReceiver};
    ///
    /// let (left, right) = tokio::net::UnixDatagram::pair()?;
    /// let mut ancillary = AncillaryData::with_capacity(AncillaryData::space_for_fds(1));
    /// let mut buf = [0; 8];
    ///
    /// // Nothing to receive yet: the timeout drops the pending receive, losing nothing.
    /// let mut receiver = MessageReceiver::new(&right, &mut buf);
    /// receiver.ancillary_data(&mut ancillary);
    /// let pending = tokio::time::timeout(Duration::from_millis(10), receiver.recv_async());
    /// assert!(pending.await.is_err());
    ///
    /// left.send(b"late").await?;
    /// let (n, _) = receiver.recv_async().await?;
    /// assert_eq!(n, 4);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`AsyncRecvMessage::recv_message`].
    pub async fn recv_async(&mut self) -> io::Result<(usize, RecvResult)> {
        let mut none = AncillaryData::new();
        let ancillary_data = match &mut self.ancillary_data {
            Some(data) => &mut **data,
            None => &mut none,
        };
        self.socket
            .recv_message(self.bufs.as_mut_slice(), ancillary_data, self.options)
            .await
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
impl<S: AsyncRecvMessageFrom + ?Sized> MessageReceiver<'_, '_, S> {
    /// Receives one message and the sender's address from async code: the async form of
    /// [`recv_from`](MessageReceiver::recv_from) (feature `tokio`). Cancel safe.
    ///
    /// # Errors
    /// As [`AsyncRecvMessageFrom::recv_message_from`].
    pub async fn recv_from_async(&mut self) -> io::Result<(usize, RecvResult, S::SocketAddr)> {
        let mut none = AncillaryData::new();
        let ancillary_data = match &mut self.ancillary_data {
            Some(data) => &mut **data,
            None => &mut none,
        };
        self.socket
            .recv_message_from(self.bufs.as_mut_slice(), ancillary_data, self.options)
            .await
    }
}
