//! [`AncillaryData`]: control messages plus file-descriptor ownership.

use core::ffi::c_int;
use core::fmt;
use core::marker::PhantomData;
use core::mem::{size_of, MaybeUninit};
use std::io;
use std::os::fd::{BorrowedFd, OwnedFd};

use crate::cmsg::cmsg_space;
use crate::control_messages::ControlMessages;
use crate::control_messages_buf::ControlMessagesBuf;
use crate::error::CapacityError;
use crate::fds::FdKind;
use crate::fds::OwnedFds;
use crate::message::ControlMessage;

/// The control messages of one send or receive, and the file descriptors in them.
///
/// * **Sending**: add descriptors with [`add_file_descriptors`](Self::add_file_descriptors)
///   as [`BorrowedFd<'fd>`]: the borrow checker keeps every one of them open until the
///   `AncillaryData` is gone, so none can be closed before it is sent. Add other messages
///   with [`add_control_message`](Self::add_control_message).
/// * **Receiving**: every descriptor that the received control data names (in
///   `SCM_RIGHTS`, and `SCM_PIDFD` on Linux) is owned by this value from the moment
///   `recvmsg` returns, and is close-on-exec (on macOS from just after, see the guide's
///   [Platforms](crate::guide#close-on-exec)). Take them with [`take_owned_fds`](Self::take_owned_fds),
///   [`drain_fds`](Self::drain_fds) (no allocation) or
///   [`take_exact_fds`](Self::take_exact_fds). Whatever is not taken is closed by
///   [`clear`](Self::clear), by the next receive into the same value, or on drop.
///
/// The bytes live in the value itself up to 64 bytes and on the heap beyond
/// ([`new`](Self::new), [`with_capacity`](Self::with_capacity)), or in storage the caller
/// lends ([`with_storage`](Self::with_storage)), for example a stack array. No receive or
/// send allocates once the storage exists.
///
/// # Sizing
///
/// A receive gets at most [`capacity`](Self::capacity) bytes of control data; what does not
/// fit is lost and flagged by [`RecvResult::control_data_truncated`](crate::RecvResult::control_data_truncated).
/// Descriptors that did not fit are never installed on Linux and are closed again by the
/// kernel on FreeBSD, but on macOS they stay open in the process with nothing naming them
/// ([Platforms](crate::guide#descriptors-that-do-not-fit)): there, room for the most
/// descriptors a peer may send is the only protection. Size with
/// [`space_for_fds`](Self::space_for_fds) and [`cmsg_space`](crate::cmsg_space), summed
/// over the messages you expect.
///
/// # Example
///
/// The RFC's two examples, unchanged but for their `use` lines:
///
/// ```
/// use ancillary::{AncillaryData, MessageReceiver, MessageSender};
/// use std::os::fd::AsFd;
/// use std::os::unix::net::UnixStream;
///
/// fn send_file(stream: &UnixStream, file: std::fs::File) -> std::io::Result<()> {
///     let mut ancillary = AncillaryData::new();
///     ancillary.add_file_descriptors(&[
///         file.as_fd(),
///     ]);
///
///     MessageSender::new(stream, b"\x00")
///         .ancillary_data(&mut ancillary)
///         .send()?;
///     Ok(())
/// }
///
/// fn recv_file(stream: &UnixStream) -> std::io::Result<std::fs::File> {
///     const ANCILLARY_CAPACITY: usize = AncillaryData::space_for_fds(1);
///
///     let mut ancillary = AncillaryData::with_capacity(ANCILLARY_CAPACITY);
///     let mut buf = [0u8; 1];
///     MessageReceiver::new(stream, &mut buf)
///         .ancillary_data(&mut ancillary)
///         .recv()?;
///
///     let [sent_fd] = ancillary.take_exact_fds()?;
///     Ok(sent_fd.into())
/// }
///
/// # fn main() -> std::io::Result<()> {
/// let (a, b) = UnixStream::pair()?;
/// let file = std::fs::File::open("Cargo.toml")?;
/// send_file(&a, file)?;
/// let received = recv_file(&b)?;
/// assert!(received.metadata()?.len() > 0);
/// # Ok(())
/// # }
/// ```
#[doc(alias = "msg_control")]
pub struct AncillaryData<'fd> {
    messages: ControlMessagesBuf<'fd>,
    _fds: PhantomData<BorrowedFd<'fd>>,
}

impl<'fd> AncillaryData<'fd> {
    /// Empty, with no room yet; room grows as messages are added, kept inside the value for
    /// the first 64 bytes (one `SCM_RIGHTS` message of up to 12 descriptors, or a
    /// datagram's few small messages) and on the heap beyond that. A receive into it gets
    /// no control data: give a receive room with [`with_capacity`](Self::with_capacity).
    ///
    /// A new one per message allocates nothing while its messages fit in those 64 bytes;
    /// beyond, it allocates per message, and in a loop it is better reused (cleared) or
    /// replaced by stack storage ([`with_storage`](Self::with_storage)): see
    /// [the guide](crate::guide#which-buffer-in-a-loop).
    #[must_use]
    #[inline]
    pub const fn new() -> AncillaryData<'fd> {
        AncillaryData {
            messages: ControlMessagesBuf::new(),
            _fds: PhantomData,
        }
    }

    /// Empty, with no room and none to grow into: what a builder sends or receives with when
    /// it was given no ancillary data, so that the call sets nothing up it will not use.
    #[inline]
    pub(crate) const fn none() -> AncillaryData<'fd> {
        AncillaryData {
            messages: ControlMessagesBuf::none(),
            _fds: PhantomData,
        }
    }

    /// Empty, with room for `capacity` bytes of control messages (rounded up to a multiple
    /// of 8): inside the value up to 64 bytes, so that a receive buffer made per call
    /// allocates nothing; allocated on the heap now beyond that (then reuse the value rather
    /// than make one per message).
    ///
    /// Size it with [`space_for_fds`](Self::space_for_fds) and
    /// [`cmsg_space`](crate::cmsg_space): a receive gets at most this many bytes of control
    /// data; what does not fit is lost and flagged by
    /// [`RecvResult::control_data_truncated`](crate::RecvResult::control_data_truncated).
    #[must_use]
    pub fn with_capacity(capacity: usize) -> AncillaryData<'fd> {
        AncillaryData {
            messages: ControlMessagesBuf::with_capacity(capacity),
            _fds: PhantomData,
        }
    }

    /// Empty, over storage the caller lends, such as a stack array; it is never
    /// reallocated. The storage may start at any address: the messages start at its first
    /// byte aligned for a `cmsghdr` and for `CMSG_ALIGN`, so up to 7 bytes of a plain byte
    /// array go unused on 64-bit targets (3 on 32-bit targets and Apple platforms). An [`AncillaryStorage`](crate::AncillaryStorage) is aligned already.
    ///
    /// The storage is zeroed here, once, so that it can be uninitialised memory; lend a
    /// buffer of the size you need rather than a large one.
    ///
    /// ```
    /// use std::mem::MaybeUninit;
    /// use ancillary::AncillaryData;
    ///
    /// let mut storage = [MaybeUninit::uninit(); AncillaryData::space_for_fds(4) + 8];
    /// let ancillary = AncillaryData::with_storage(&mut storage);
    /// assert!(ancillary.capacity() >= AncillaryData::space_for_fds(4));
    /// ```
    #[must_use]
    #[inline]
    pub fn with_storage<S>(storage: &'fd mut S) -> AncillaryData<'fd>
    where
        S: AsMut<[MaybeUninit<u8>]> + ?Sized,
    {
        AncillaryData {
            messages: ControlMessagesBuf::with_storage(storage.as_mut()),
            _fds: PhantomData,
        }
    }

    /// The buffer bytes one `SCM_RIGHTS` message with `count` descriptors takes:
    /// `cmsg_space(count * size_of::<c_int>())`. A `const fn`, for array lengths.
    ///
    /// The space is rounded up to the platform's alignment, so it can hold more than
    /// `count`: where that is 8 bytes (64-bit Linux and FreeBSD), an odd `count` gets
    /// room for `count + 1` (`space_for_fds(1)` is 24 bytes, as is `space_for_fds(2)`).
    /// The kernel installs as many descriptors as the room holds: a receive into exactly
    /// this space from a peer that sent `count + 1` gets them all, and is not flagged
    /// truncated (Linux). [`take_exact_fds::<count>`](Self::take_exact_fds) then fails
    /// with `InvalidData` and leaves them all owned here, closed on clear, the next
    /// receive or drop; [`take_first_fd`](Self::take_first_fd) takes one and closes the
    /// rest.
    #[doc(alias = "CMSG_SPACE")]
    #[must_use]
    pub const fn space_for_fds(count: usize) -> usize {
        cmsg_space(count.saturating_mul(size_of::<c_int>()))
    }

    /// The number of bytes of control messages this value can hold without growing: what
    /// a receive can get at most.
    #[must_use]
    #[inline]
    pub fn capacity(&self) -> usize {
        self.messages.capacity()
    }

    /// The control messages: added for sending, or received.
    #[must_use]
    #[inline]
    pub fn control_messages(&self) -> &ControlMessages {
        &self.messages
    }

    /// The buffer of control messages, to push into or reserve room in.
    ///
    /// Anything can be pushed, including an `SCM_RIGHTS` message of raw descriptor numbers
    /// (as with the `RawFd`-based APIs of std and nix); prefer
    /// [`add_file_descriptors`](Self::add_file_descriptors), which ties each descriptor's
    /// lifetime to this value. Swapping the buffer out moves the ownership of its received
    /// descriptors with it.
    pub fn control_messages_mut(&mut self) -> &mut ControlMessagesBuf<'fd> {
        &mut self.messages
    }

    /// Adds a message, such as a typed message converted with `Into`.
    ///
    /// If it does not fit fixed storage, nothing is added and the next send fails with an
    /// `InvalidInput` [`io::Error`] before any system call;
    /// [`try_add_control_message`](Self::try_add_control_message) reports it at once.
    #[inline]
    pub fn add_control_message<'b>(&mut self, message: impl Into<ControlMessage<'b>>) {
        self.messages.push(&message.into());
    }

    /// Adds a message, or returns why it does not fit (adding nothing).
    ///
    /// # Errors
    /// [`CapacityError`] when fixed storage is too small.
    #[inline]
    pub fn try_add_control_message<'b>(
        &mut self,
        message: impl Into<ControlMessage<'b>>,
    ) -> Result<(), CapacityError> {
        self.messages.try_push(&message.into())
    }

    /// Adds descriptors to send in an `SCM_RIGHTS` message. They stay borrowed for `'fd`,
    /// so they cannot be closed before the send.
    ///
    /// Descriptors added by consecutive calls go into one message; an empty list adds
    /// nothing (some kernels reject an empty `SCM_RIGHTS`). Linux accepts at most 253
    /// descriptors per send (`SCM_MAX_FD`). If they do not fit fixed storage, see
    /// [`add_control_message`](Self::add_control_message).
    #[doc(alias = "SCM_RIGHTS")]
    #[inline]
    pub fn add_file_descriptors<F>(&mut self, borrowed_fds: &F)
    where
        F: AsRef<[BorrowedFd<'fd>]> + ?Sized,
    {
        if let Err(err) = self.messages.try_push_fds(borrowed_fds.as_ref()) {
            self.messages.remember(err);
        }
    }

    /// Like [`add_file_descriptors`](Self::add_file_descriptors), but returns an error if
    /// they do not fit (adding none of them).
    ///
    /// # Errors
    /// [`CapacityError`] when fixed storage is too small.
    pub fn try_add_file_descriptors<F>(&mut self, borrowed_fds: &F) -> Result<(), CapacityError>
    where
        F: AsRef<[BorrowedFd<'fd>]> + ?Sized,
    {
        self.messages.try_push_fds(borrowed_fds.as_ref())
    }

    /// Removes every message and closes every received descriptor not yet taken.
    #[inline]
    pub fn clear(&mut self) {
        self.messages.clear();
    }

    /// Takes ownership of the descriptors received in `SCM_RIGHTS` messages.
    ///
    /// `Some` after every successful receive (an empty `Vec` if none came); `None` before
    /// the first receive and once they were taken, until the next receive. Allocates the
    /// `Vec`; [`drain_fds`](Self::drain_fds) does not.
    #[inline]
    #[must_use = "dropping the descriptors closes them"]
    pub fn take_owned_fds(&mut self) -> Option<Vec<OwnedFd>> {
        if !self.messages.untaken(FdKind::Rights) {
            return None;
        }
        Some(self.messages.drain_fds(FdKind::Rights).collect())
    }

    /// Takes ownership of the received `SCM_RIGHTS` descriptors, one by one, without
    /// allocating. Empty if there are none or they were taken. Descriptors the iterator
    /// does not yield are closed when it is dropped.
    #[inline]
    #[must_use = "dropping the iterator closes every descriptor it did not yield"]
    pub fn drain_fds(&mut self) -> OwnedFds<'_> {
        self.messages.drain_fds(FdKind::Rights)
    }

    /// Takes exactly `N` received `SCM_RIGHTS` descriptors, or fails saying how many came.
    ///
    /// This is the check the RFC left as a TODO ("error if not enough FDs returned"). On
    /// error nothing is taken: the descriptors stay owned here (and are closed on clear,
    /// the next receive or drop), so the caller may still look at them or
    /// [`drain_fds`](Self::drain_fds) them.
    ///
    /// # Errors
    /// `InvalidData` if a different number arrived (fewer can mean the peer sent fewer, or
    /// that control data was truncated), `NotFound` if nothing was received or the
    /// descriptors were already taken.
    #[inline]
    pub fn take_exact_fds<const N: usize>(&mut self) -> io::Result<[OwnedFd; N]> {
        if !self.messages.untaken(FdKind::Rights) {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                "no received file descriptors to take (nothing received yet, or already taken)",
            ));
        }
        let count = self.messages.count_fds(FdKind::Rights);
        if count != N {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("expected {N} file descriptor(s), received {count}"),
            ));
        }
        let mut fds = self.messages.drain_fds(FdKind::Rights);
        Ok(core::array::from_fn(|_| {
            fds.next()
                .expect("the iterator yields exactly the counted descriptors")
        }))
    }

    /// Takes the pidfd of the sender that an `SCM_PIDFD` message carried (Linux 6.5+, with
    /// `SO_PASSPIDFD` set on the receiving socket). `None` if none came or it was taken.
    #[cfg(linux_like)]
    #[cfg_attr(docsrs, doc(cfg(any(target_os = "linux", target_os = "android"))))]
    #[doc(alias = "SCM_PIDFD")]
    #[must_use = "dropping the pidfd closes it"]
    pub fn take_pidfd(&mut self) -> Option<OwnedFd> {
        if !self.messages.untaken(FdKind::Pidfd) {
            return None;
        }
        let mut fds = self.messages.drain_fds(FdKind::Pidfd);
        fds.next()
    }

    // ----- the API for socket implementations -------------------------------------------

    /// First half of a receive, for socket types that call `recvmsg` themselves.
    ///
    /// Clears this value (closing received descriptors not taken) and returns its whole
    /// capacity, aligned for `cmsghdr` and initialised, to pass as `msg_control`; `None`
    /// if the capacity is zero (pass a null `msg_control` and a `msg_controllen` of 0).
    /// After `recvmsg` succeeds, call [`finish_recvmsg`](Self::finish_recvmsg) with the
    /// `msg_controllen` it returned. Most implementations call
    /// [`recv_message`](crate::recv_message), which does both.
    ///
    /// A buffer of its own with up to 64 bytes of room keeps them inside the value, so the
    /// returned bytes move with it: keep the value where it is until the receive is
    /// finished.
    #[inline]
    pub fn start_recvmsg(&mut self) -> Option<&mut [u8]> {
        let region = self.messages.begin_recv();
        if region.is_empty() {
            None
        } else {
            Some(region)
        }
    }

    /// Second half of a receive: adopts the received control data and takes ownership of
    /// every descriptor in it (setting `FD_CLOEXEC` where `MSG_CMSG_CLOEXEC` does not exist).
    ///
    /// # Safety
    /// The first `control_messages_len` bytes of the buffer that the last
    /// [`start_recvmsg`](Self::start_recvmsg) returned must hold what a successful
    /// `recvmsg` in this process wrote there (its returned `msg_controllen`), and this
    /// value must neither have changed nor moved since that call (a move would leave the
    /// kernel's bytes behind, see `start_recvmsg`). Every descriptor in those bytes is then
    /// open and owned by nobody else; this value becomes its owner and will close it.
    #[inline]
    pub unsafe fn finish_recvmsg(&mut self, control_messages_len: usize) {
        // SAFETY: the caller upholds `finish_recv`'s contract, which is this function's.
        unsafe { self.messages.finish_recv(control_messages_len) }
    }

    /// [`finish_recvmsg`](Self::finish_recvmsg) for a receive on an IPv4 or IPv6 socket,
    /// which never carries descriptors: the buffer owns none, so clearing it walks nothing.
    #[inline]
    pub(crate) fn finish_recvmsg_without_fds(&mut self, control_messages_len: usize) {
        self.messages.finish_recv_without_fds(control_messages_len);
    }

    /// The control data to send, for socket types that call `sendmsg` themselves: `None`
    /// when there is none (pass a null `msg_control` and a `msg_controllen` of 0).
    ///
    /// Unlike the RFC's sketch this returns shared bytes (the kernel only reads them, and
    /// writing could forge received descriptors), and it has no `finish_sendmsg`
    /// counterpart: a send changes nothing here.
    ///
    /// # Errors
    /// `InvalidInput` if an earlier `add_*` call did not fit fixed storage: sending the
    /// rest would silently drop what was added.
    #[inline]
    pub fn start_sendmsg(&self) -> io::Result<Option<&[u8]>> {
        let bytes = self.control_to_send()?;
        Ok((!bytes.is_empty()).then_some(bytes))
    }

    /// The control bytes to send, empty when there are none: [`start_sendmsg`]'s answer
    /// without the `Option`, which lets a send set `msg_control` without a branch.
    ///
    /// [`start_sendmsg`]: Self::start_sendmsg
    #[inline]
    pub(crate) fn control_to_send(&self) -> io::Result<&[u8]> {
        if let Some(err) = self.messages.overflow() {
            return Err(err.into());
        }
        Ok(self.messages.as_bytes())
    }
}

impl AncillaryData<'_> {
    /// Takes the first received `SCM_RIGHTS` descriptor and closes the other received
    /// `SCM_RIGHTS` descriptors: for a protocol that passes one descriptor at a time.
    /// `None` if none came, before the first receive, and once the descriptors were taken
    /// (until the next receive).
    ///
    /// "First" is in the order the control data holds them: the first descriptor of the
    /// first `SCM_RIGHTS` message. When several came, the rest are closed before this
    /// returns, so a peer that sends more than one cannot make the process keep them
    /// open; nothing tells that there were others. To treat any other number than one as
    /// an error, use [`take_exact_fds::<1>`](Self::take_exact_fds) instead; to keep them
    /// all, [`drain_fds`](Self::drain_fds).
    ///
    /// Unlike `ancillary.drain_fds().next()`, it can end a function (on edition 2021 that
    /// expression's temporary iterator outlives `ancillary` there: error E0597).
    ///
    /// ```
    /// use std::os::fd::{AsFd, OwnedFd};
    /// use std::os::unix::net::UnixStream;
    /// use ancillary::{AncillaryData, MessageReceiver, MessageSender};
    ///
    /// fn recv_fd(socket: &UnixStream) -> std::io::Result<Option<OwnedFd>> {
    ///     let mut ancillary = AncillaryData::with_capacity(AncillaryData::space_for_fds(1));
    ///     MessageReceiver::new(socket, &mut [0; 1])
    ///         .ancillary_data(&mut ancillary)
    ///         .recv()?;
    ///     Ok(ancillary.take_first_fd())
    /// }
    ///
    /// # fn main() -> std::io::Result<()> {
    /// let (left, right) = UnixStream::pair()?;
    /// let mut ancillary = AncillaryData::new();
    /// ancillary.add_file_descriptors(&[left.as_fd()]);
    /// MessageSender::new(&left, b"!").ancillary_data(&mut ancillary).send()?;
    /// assert!(recv_fd(&right)?.is_some());
    ///
    /// MessageSender::new(&left, b"?").send()?; // no descriptor this time
    /// assert!(recv_fd(&right)?.is_none());
    /// # Ok(())
    /// # }
    /// ```
    #[must_use = "dropping the descriptor closes it"]
    pub fn take_first_fd(&mut self) -> Option<OwnedFd> {
        let mut fds = self.drain_fds();
        fds.next()
    }
}

impl Default for AncillaryData<'_> {
    fn default() -> Self {
        AncillaryData::new()
    }
}

impl fmt::Debug for AncillaryData<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AncillaryData")
            .field("messages", &self.messages)
            .finish()
    }
}
