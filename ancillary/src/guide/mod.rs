//! A guide to the crate: sending, receiving, sizing buffers, defining your own messages,
//! socket options, async code, and io_uring.
//!
//! # Sending
//!
//! Everything sent with the data goes into an [`AncillaryData`](crate::AncillaryData):
//! descriptors with [`add_file_descriptors`](crate::AncillaryData::add_file_descriptors)
//! (as `BorrowedFd`s, so they cannot be closed before the send), any other message with
//! [`add_control_message`](crate::AncillaryData::add_control_message). A
//! [`MessageSender`](crate::MessageSender) sends it on any socket that implements
//! [`SendMessage`](crate::SendMessage) (or [`SendMessageTo`](crate::SendMessageTo) with an
//! address).
//!
//! ```
//! # fn main() -> std::io::Result<()> {
//! use std::os::fd::AsFd;
//! use std::os::unix::net::UnixDatagram;
//! use ancillary::{AncillaryData, MessageSender, SendOptions};
//!
//! let (a, _b) = UnixDatagram::pair()?;
//! let (one_end, other_end) = std::os::unix::net::UnixStream::pair()?;
//! let mut ancillary = AncillaryData::new();
//! ancillary.add_file_descriptors(&[one_end.as_fd(), other_end.as_fd()]);
//! MessageSender::new(&a, b"two ends of a socket pair")
//!     .ancillary_data(&mut ancillary)
//!     .options(*SendOptions::new().no_signal(true))
//!     .send()?;
//! // `ancillary` can be cleared and reused: no allocation once its storage exists.
//! ancillary.clear();
//! # Ok(())
//! # }
//! ```
//!
//! # Receiving
//!
//! A receive clears the [`AncillaryData`](crate::AncillaryData) it is given (closing
//! descriptors left from an earlier receive), then fills it with what the kernel sent.
//! Every descriptor that the received control data names is owned by it at once and is
//! close-on-exec (on macOS only from just after `recvmsg` returns: see
//! [Platforms](#close-on-exec)); take them with
//! [`take_exact_fds`](crate::AncillaryData::take_exact_fds) (exactly `N`, or an error
//! saying how many came), [`drain_fds`](crate::AncillaryData::drain_fds) (any number, no
//! allocation) or [`take_owned_fds`](crate::AncillaryData::take_owned_fds) (a `Vec`). Any
//! descriptor not taken is closed. On Linux and FreeBSD a peer therefore cannot make you
//! leak descriptors; on macOS it can, by passing more than your buffer has room for
//! ([Platforms](#descriptors-that-do-not-fit)).
//!
//! Check [`RecvResult::control_data_truncated`](crate::RecvResult::control_data_truncated):
//! it means the buffer was too small (or, on Linux, the process was at its descriptor
//! limit) and some control data, descriptors included, was lost to you.
//!
//! ```
//! # fn main() -> std::io::Result<()> {
//! use std::io::{Read, Write};
//! use std::os::fd::AsFd;
//! use std::os::unix::net::UnixStream;
//! use ancillary::{AncillaryData, MessageReceiver, MessageSender};
//!
//! let (a, b) = UnixStream::pair()?;
//! let (read_end, mut write_end) = UnixStream::pair()?;
//! let mut out = AncillaryData::new();
//! out.add_file_descriptors(&[read_end.as_fd()]);
//! MessageSender::new(&a, b"!").ancillary_data(&mut out).send()?;
//!
//! let mut ancillary = AncillaryData::with_capacity(AncillaryData::space_for_fds(1));
//! let mut byte = [0u8; 1];
//! let (n, result) = MessageReceiver::new(&b, &mut byte)
//!     .ancillary_data(&mut ancillary)
//!     .recv()?;
//! assert_eq!(n, 1);
//! assert!(!result.control_data_truncated());
//! let [fd] = ancillary.take_exact_fds()?;
//!
//! write_end.write_all(b"through the passed descriptor")?;
//! drop(write_end);
//! let mut text = String::new();
//! UnixStream::from(fd).read_to_string(&mut text)?;
//! assert_eq!(text, "through the passed descriptor");
//! # Ok(())
//! # }
//! ```
//!
//! Control messages other than descriptors are read by iterating
//! [`control_messages()`](crate::AncillaryData::control_messages) (raw
//! [`ControlMessage`](struct@crate::ControlMessage)s: level, type, bytes) or, typed, with
//! [`of_type`](crate::ControlMessages::of_type) and [`find`](crate::ControlMessages::find).
//!
//! # Sizing buffers
//!
//! A receive gets at most [`capacity()`](crate::AncillaryData::capacity) bytes of control
//! data. Add up, for each message you expect:
//!
//! * [`AncillaryData::space_for_fds(n)`](crate::AncillaryData::space_for_fds) for `n`
//!   descriptors (`const`, so usable in array lengths);
//! * [`T::SPACE`](crate::ControlMessagePayload::SPACE) for one typed message `T`, and
//!   [`T::space_for(n)`](crate::ControlMessagePayload::space_for) for one with `n` trailing
//!   elements;
//! * [`cmsg_space(len)`](crate::cmsg_space) for a raw payload of `len` bytes (the C macro
//!   `CMSG_SPACE`).
//!
//! The buffer can be its own ([`AncillaryData::with_capacity`](crate::AncillaryData::with_capacity):
//! inside the value up to 64 bytes, on the heap beyond) or anywhere else, such as the stack: [`AncillaryData::with_storage`](crate::AncillaryData::with_storage)
//! takes an [`AncillaryStorage<N>`](crate::AncillaryStorage) (aligned, all `N` bytes
//! usable) or any `&mut [MaybeUninit<u8>]` at any address (it aligns inside it: allow up
//! to 7 extra bytes on 64-bit targets, 3 on 32-bit targets and Apple platforms). Fixed storage never grows: adding to a
//! full one is an error ([`try_add_control_message`](crate::AncillaryData::try_add_control_message))
//! or, with the plain `add_*` methods, an error from the next send.
//!
//! ```
//! use ancillary::os::linux::ScmCredentials;
//! use ancillary::{AncillaryData, AncillaryStorage, ControlMessagePayload};
//!
//! // Credentials and up to 4 descriptors, on the stack.
//! const ROOM: usize = ScmCredentials::SPACE + AncillaryData::space_for_fds(4);
//! let mut storage = AncillaryStorage::<ROOM>::new();
//! let ancillary = AncillaryData::with_storage(&mut storage);
//! assert_eq!(ancillary.capacity(), ROOM);
//! ```
//!
//! ## Which buffer, in a loop
//!
//! Prefer, in this order:
//!
//! 1. **Stack storage per call**: an [`AncillaryStorage<N>`](crate::AncillaryStorage)
//!    sized with the `const fn`s above and [`with_storage`](crate::AncillaryData::with_storage),
//!    made in the function that sends or receives. No allocation, and the cheapest form.
//! 2. **A buffer made once and reused**: [`with_capacity`](crate::AncillaryData::with_capacity)
//!    outside the loop, then [`clear`](crate::AncillaryData::clear) it (a receive clears it
//!    by itself). No allocation per message; use it when the size is known only at run
//!    time or large.
//! 3. **A fresh buffer per call** ([`AncillaryData::new`](crate::AncillaryData::new)
//!    to send, `with_capacity` to receive), as the RFC's examples do: simplest, and it
//!    allocates nothing while the control data fits in 64 bytes, which the buffer keeps
//!    inside itself (one message of up to 12 descriptors, or a datagram's few small
//!    messages); beyond that, each one allocates, so keep such ones out of hot loops.
//!
//! A batch of many messages (`recvmmsg`) is the exception: make one `RecvBatch` per socket
//! and reuse it (`ancillary::os::linux::RecvBatch` says why).
//!
//! Measured through function calls that are not inlined, as a separate crate calls this
//! one (sending one descriptor and a byte over a socket pair, receiving, closing; user-space
//! instructions per round trip; BENCHMARKS.md has the whole table): raw libc 190; stack
//! storage per call 213; a buffer reused 224; a fresh buffer per call 272, with no
//! allocation.
//!
//! # Defining your own message
//!
//! Any control message is a `#[repr(C)]` struct away. The derive checks at compile time that
//! the payload has no padding and that every field can hold any bytes (each field's type is
//! a [`PayloadField`](crate::PayloadField)); you depend on nothing but `ancillary` (and
//! `libc` for the constants).
//!
//! ```
//! # fn main() -> std::io::Result<()> {
//! use std::net::UdpSocket;
//! use ancillary::os::linux::SocketOptionsExt;
//! use ancillary::{AncillaryData, ControlMessage, ControlMessagePayload, MessageReceiver};
//!
//! /// `IP_TTL`: the time-to-live of a received IPv4 packet (with `IP_RECVTTL` set).
//! /// (Built in as `ancillary::os::linux::IpTtl`; any message is made the same way.)
//! #[derive(ControlMessage, Clone, Copy, Debug)]
//! #[cmsg(level = libc::IPPROTO_IP, type = libc::IP_TTL)]
//! #[repr(C)]
//! struct IpTtl {
//!     ttl: libc::c_int,
//! }
//!
//! let receiver = UdpSocket::bind("127.0.0.1:0")?;
//! receiver.set_recv_ttl_v4(true)?; // IP_RECVTTL, without `unsafe`
//! UdpSocket::bind("127.0.0.1:0")?.send_to(b"hop", receiver.local_addr()?)?;
//!
//! let mut ancillary = AncillaryData::with_capacity(IpTtl::SPACE);
//! MessageReceiver::new(&receiver, &mut [0; 16]).ancillary_data(&mut ancillary).recv()?;
//! let ttl: IpTtl = ancillary.control_messages().find::<IpTtl>().unwrap()?;
//! assert_eq!(ttl.ttl, 64);
//! # Ok(())
//! # }
//! ```
//!
//! A payload can end in a slice (`[u8]`, `[c_int]`) for variable-length messages; it is
//! then viewed in place as a `&T` (alignment checked) instead of copied. The generated
//! code, the checks and the errors are described on the derive,
//! [`ControlMessage`](derive@crate::ControlMessage).
//!
//! Fields can be more than integers: `libc`'s plain C structs (`libc::in6_addr`,
//! `libc::sockaddr_in6`, `libc::timespec`, ...) and other derived messages are
//! [`PayloadField`](crate::PayloadField)s too. A header followed by bytes is derived as
//! the header alone with `#[cmsg(trailing_bytes)]`, and parses into a
//! [`Tailed`](crate::Tailed).
//!
//! ## Fields from zerocopy
//!
//! With the `zerocopy` feature, zerocopy's byte-order integers (`U16<BigEndian>`,
//! `U32<NetworkEndian>`, ...) are fields like any integer, for messages and options that
//! carry network byte order. A field whose type derives zerocopy's `FromBytes`,
//! `IntoBytes` and `Immutable` (its own promises of plain bytes) is accepted when marked
//! `#[cmsg(zerocopy)]` (`#[sockopt(zerocopy)]` in an option), without an `unsafe impl
//! PayloadField`.
//!
//! Which to use: a type of your own that only ever is a field here, derive
//! [`PayloadField`](derive@crate::PayloadField) (no dependency); a type that already
//! derives zerocopy's traits, because other code reads it from bytes too, mark the field
//! `zerocopy`; `libc`'s C structs are `PayloadField`s already. The example is on
//! [`PayloadField`](trait@crate::PayloadField#zerocopy).
//!
//! # UDP: ECN, addresses, GSO and GRO
//!
//! What a QUIC (or any high-rate UDP) endpoint needs per datagram is built in, in
//! `ancillary::os::linux` (and, where the kernels have them, `os::freebsd` and
//! `os::macos`): the ECN bits (`IpTos` received, `IpTosSend` sent, `Ipv6Tclass` both
//! ways), the destination address to answer from (`InPktinfo`, `In6Pktinfo`),
//! segmentation (`UdpSegment`, `UdpGro`), TTL, timestamps and drop counts. The socket
//! options that turn them on are methods of `SocketOptionsExt`, on every socket. A
//! `#[derive(ControlMessages)]` enum sorts what arrives in one `match`
//! ([`ControlMessages::parse`](crate::ControlMessages::parse)), and `recv_mmsg` and
//! `send_mmsg_to` batch the system calls (`RecvBatch` for a receive loop, and the poll
//! and try forms for tokio in `ancillary::tokio`). `examples/quic_echo.rs` puts it all together;
//! BENCHMARKS.md compares it with quinn-udp.
//!
//! ```
//! # fn main() -> std::io::Result<()> {
//! use std::net::UdpSocket;
//! use ancillary::os::linux::{Ecn, InPktinfo, IpTos, IpTosSend, SocketOptionsExt};
//! use ancillary::{AncillaryData, ControlMessage, ControlMessages, MessageReceiver, MessageSender};
//!
//! #[derive(ControlMessages)]
//! enum Meta<'a> {
//!     Ecn(IpTos),
//!     Dst(InPktinfo),
//!     Other(ControlMessage<'a>),
//! }
//!
//! let server = UdpSocket::bind("0.0.0.0:0")?;
//! server.set_recv_tos_v4(true)?;
//! server.set_recv_pktinfo_v4(true)?;
//! let client = UdpSocket::bind("127.0.0.1:0")?;
//! client.send_to(b"ping", ("127.0.0.2", server.local_addr()?.port()))?;
//!
//! let mut ancillary = AncillaryData::with_capacity(128);
//! let mut buf = [0u8; 1500];
//! let (n, _, from) = MessageReceiver::new(&server, &mut buf).ancillary_data(&mut ancillary).recv_from()?;
//! let (mut ecn, mut dst) = (Ecn::NotEct, None);
//! for meta in ancillary.control_messages().parse::<Meta>() {
//!     match meta? {
//!         Meta::Ecn(tos) => ecn = tos.ecn(),
//!         Meta::Dst(info) => dst = Some(info.addr()),
//!         Meta::Other(_) => {}
//!     }
//! }
//!
//! // Answer from the address the client used, with the same ECN codepoint.
//! let mut reply = AncillaryData::new();
//! reply.add_control_message(&InPktinfo::from_source(dst.unwrap()));
//! reply.add_control_message(&IpTosSend::from_ecn(ecn));
//! MessageSender::new(&server, &buf[..n]).ancillary_data(&mut reply).send_to(&from)?;
//! let (_, replied_from) = client.recv_from(&mut buf)?;
//! assert_eq!(replied_from.ip(), std::net::Ipv4Addr::new(127, 0, 0, 2));
//! # Ok(())
//! # }
//! ```
//!
//! # Socket options
//!
//! Socket options are types too, open the way messages are:
//! [`#[derive(SocketOption)]`](derive@crate::SocketOption) names one with
//! `#[sockopt(level = ..., name = ...)]` on a struct holding its C value, and
//! [`set_socket_option`](crate::set_socket_option) and
//! [`get_socket_option`](crate::get_socket_option) set and read it on any socket, without
//! `unsafe`. A read must return exactly the type's size, or it is an `InvalidData` error
//! naming the option. The crate's own options are defined this way, in
//! `os::linux::sockopt` (and `os::freebsd::sockopt`, `os::macos::sockopt`), and the
//! methods of `SocketOptionsExt` are one-line wrappers over them.
//!
//! An on/off option is a C `int` for the kernel and a `bool` here: add `flag`, and the
//! struct holds one `bool` (any non-zero `int` reads as `true`). `read_only` and
//! `write_only` take away the set or the read, so that the mistake does not compile.
//!
//! ```
//! # fn main() -> std::io::Result<()> {
//! use std::net::UdpSocket;
//! use ancillary::{get_socket_option, set_socket_option, SocketOption};
//!
//! /// `IP_MULTICAST_LOOP`: whether multicast sent here is looped back.
//! #[derive(SocketOption, Clone, Copy, Debug, PartialEq)]
//! #[sockopt(level = libc::IPPROTO_IP, name = libc::IP_MULTICAST_LOOP, flag)]
//! struct MulticastLoop(bool);
//!
//! /// `SO_TYPE`: the socket's type, which only the kernel sets.
//! #[derive(SocketOption, Clone, Copy, Debug)]
//! #[sockopt(level = libc::SOL_SOCKET, name = libc::SO_TYPE, read_only)]
//! #[repr(transparent)]
//! struct SocketType(libc::c_int);
//!
//! let socket = UdpSocket::bind("127.0.0.1:0")?;
//! set_socket_option(&socket, &MulticastLoop(false))?;
//! assert_eq!(get_socket_option::<MulticastLoop>(&socket)?, MulticastLoop(false));
//! assert_eq!(get_socket_option::<SocketType>(&socket)?.0, libc::SOCK_DGRAM);
//! # Ok(())
//! # }
//! ```
//!
//! ## Path-MTU discovery for QUIC
//!
//! A QUIC stack finds the path MTU itself (DPLPMTUD, RFC 8899): its datagrams must never be
//! fragmented, and probes larger than the MTU the kernel has learnt must still leave. On
//! Linux that is `IP_MTU_DISCOVER` (and `IPV6_MTU_DISCOVER`) in probe mode, which sets DF
//! and refuses only what exceeds the interface's MTU; `IPV6_DONTFRAG` does the same for
//! IPv6 on FreeBSD and macOS. Without them a stack must stay at 1,200-byte datagrams.
//! `IP_MTU` reads what the kernel knows of the path, and setting `UDP_SEGMENT` is how to
//! ask whether the kernel does GSO (`UDP_GSO_MAX_SEGMENTS` sizes the batches).
//!
//! ```
//! # fn main() -> std::io::Result<()> {
//! use std::net::UdpSocket;
//! use ancillary::os::linux::sockopt::{IpMtu, IpMtuDiscover, UdpSegment, UDP_GSO_MAX_SEGMENTS};
//! use ancillary::{get_socket_option, set_socket_option};
//!
//! let socket = UdpSocket::bind("127.0.0.1:0")?;
//! set_socket_option(&socket, &IpMtuDiscover::PROBE)?;
//! socket.connect("127.0.0.1:4433")?;
//! let path_mtu = get_socket_option::<IpMtu>(&socket)?.0; // an upper bound for probes
//! let gso = set_socket_option(&socket, &UdpSegment(1200)).is_ok();
//! let batch = if gso { UDP_GSO_MAX_SEGMENTS } else { 1 };
//! set_socket_option(&socket, &UdpSegment(0))?; // per send instead, with the message
//! assert!(path_mtu >= 1280 && batch >= 1);
//! # Ok(())
//! # }
//! ```
//!
//! # Your own sockets
//!
//! The send and receive traits are open: implement them for any socket type by calling
//! [`send_message`](crate::send_message) and [`recv_message`](crate::recv_message) on its
//! descriptor (example there). The same guarantees hold: descriptors owned at once,
//! close-on-exec, no allocation (within the limits each kernel sets, see
//! [Platforms](#platforms)).
//!
//! # Async code
//!
//! With the `tokio` feature, the `ancillary::tokio` module adds async forms of the traits
//! for tokio's sockets and for `AsyncFd`, and `send_async`/`recv_async` on the builders.
//! Readiness comes from tokio, so no blocking call runs on the runtime, and a receive
//! future dropped before it completes loses no descriptor. For a hand-written `Future`,
//! `Stream`, `Sink` or codec, the same module has poll forms (`poll_send_message`,
//! `poll_recv_message`, ...) and non-waiting `try_*` forms.
//!
//! Other runtimes need no feature: the blocking traits work on any non-blocking socket,
//! returning `WouldBlock` when it is not ready, which is what async-io's
//! `Async::read_with`/`write_with` (smol, async-std) wait on:
//!
//! ```
//! # fn main() -> std::io::Result<()> {
//! use std::io::{IoSlice, IoSliceMut};
//! use std::os::fd::AsFd;
//! use std::os::unix::net::UnixDatagram;
//! use ancillary::{AncillaryData, RecvMessage, RecvOptions, SendMessage, SendOptions};
//!
//! async_io::block_on(async {
//!     let (left, right) = UnixDatagram::pair()?;
//!     let (left, right) = (async_io::Async::new(left)?, async_io::Async::new(right)?);
//!
//!     let mut out = AncillaryData::new();
//!     out.add_file_descriptors(&[left.as_fd()]);
//!     left.write_with(|s| s.send_message(&[IoSlice::new(b"!")], &mut out, SendOptions::new()))
//!         .await?;
//!
//!     let mut received = AncillaryData::with_capacity(AncillaryData::space_for_fds(1));
//!     let mut byte = [0; 1];
//!     right
//!         .read_with(|s| {
//!             let bufs = &mut [IoSliceMut::new(&mut byte)];
//!             s.recv_message(bufs, &mut received, RecvOptions::new())
//!         })
//!         .await?;
//!     let [_fd] = received.take_exact_fds()?;
//!     Ok(())
//! })
//! # }
//! ```
//!
//! # io_uring
//!
//! With the `io-uring` feature (Linux), `ancillary::io_uring` turns the same data into
//! io_uring submission entries. `SendMsg` and `RecvMsg` take buffers, an
//! `AncillaryData<'static>`, options and an address, as the builders do, but own them:
//! `prepare` puts everything, with the `msghdr` pointing into it, in one heap allocation,
//! and only `complete` (given the completion's result) gives it back. Dropping an
//! operation that has not completed leaks that allocation rather than free memory the
//! kernel may still write; to stop one, submit an `AsyncCancel` for its `user_data` and
//! complete it with the cancellation's result. A receive ends with the RFC's
//! `finish_recvmsg`, so its descriptors are owned and close-on-exec as after `recvmsg`.
//!
//! `RecvMsgOp`'s documentation has an example of both.
//!
//! For a socket that receives many datagrams, `RecvMsgMulti` builds a multishot `recvmsg`
//! over provided buffers, each of which the kernel fills with an `io_uring_recvmsg_out`
//! header, the address, the control data and the payload (size them with
//! `RecvMsgMulti::buffer_len`). `RecvMsgMulti::parse` reads any bytes safely into the
//! address, the payload, the truncation flags and a `ControlMessages` view for typed
//! lookups; `RecvMsgMulti::take` (`unsafe`: the buffer must be one the kernel filled for
//! this request) also moves the control data into an `AncillaryData`, which then owns
//! the `SCM_RIGHTS` descriptors and closes those not taken. `RecvMsgMulti::take_in_place` copies nothing: its `ReceivedControlMessages`
//! reads the control data in the provided buffer, owns the descriptors there, and
//! borrows the buffer until it is dropped (the fastest way; BENCHMARKS.md has the
//! counts). The tests `tests/tests/io_uring_*.rs` show them on UDP and Unix sockets.
//!
//! # Handing a socket to a child process
//!
//! The usual privilege-separation set-up, a socket pair with one end given to a child
//! process, and which of `SO_PEERCRED` and `SO_PASSCRED` tells who is at the other end:
//! [`child_process`], a recipe of its own.
//!
//! # When the kernel refuses: ECN, GSO and `EINTR`
//!
//! Every send and receive returns the kernel's error as it is, and the crate retries
//! nothing: a QUIC stack's fallbacks (quinn-udp's among them) are the caller's, in a few
//! lines each.
//!
//! * **ECN.** A kernel or sandbox that does not take `IP_TOS`/`IPV6_TCLASS` on send
//!   (Linux before 3.13 for `IP_TOS`, some emulators) fails the whole send with `EINVAL`,
//!   and nothing is sent. Send again without the ECN message and stop adding it on that
//!   socket. The example provokes the `EINVAL` with a malformed `IP_TOS` (two bytes, which
//!   no kernel takes):
//!
//! ```
//! # #[cfg(target_os = "linux")]
//! # fn main() -> std::io::Result<()> {
//! use std::io;
//! use std::net::{SocketAddr, UdpSocket};
//! use ancillary::os::linux::{DestinationExt, Ecn};
//! use ancillary::{AncillaryData, ControlMessage, MessageSender};
//!
//! /// Sends `payload` to `to` marked with `ecn` while `*ecn_on`, and unmarked from the
//! /// first `EINVAL` on. `ancillary` holds the datagram's other messages, if any.
//! fn send_marked(
//!     socket: &UdpSocket,
//!     payload: &[u8],
//!     to: SocketAddr,
//!     ecn: Ecn,
//!     ecn_on: &mut bool,
//!     ancillary: &mut AncillaryData<'_>,
//! ) -> io::Result<usize> {
//!     if !*ecn_on {
//!         return MessageSender::new(socket, payload).ancillary_data(ancillary).send_to(&to);
//!     }
//!     ancillary.add_ecn_for(&to, ecn);
//!     match MessageSender::new(socket, payload).ancillary_data(ancillary).send_to(&to) {
//!         Err(e) if e.raw_os_error() == Some(libc::EINVAL) => {
//!             *ecn_on = false;
//!             // Here the buffer held only ECN; rebuild any other messages after `clear`.
//!             ancillary.clear();
//!             MessageSender::new(socket, payload).ancillary_data(ancillary).send_to(&to)
//!         }
//!         other => other,
//!     }
//! }
//!
//! let receiver = UdpSocket::bind("127.0.0.1:0")?;
//! let sender = UdpSocket::bind("127.0.0.1:0")?;
//! let mut ancillary = AncillaryData::new();
//! // Stands for a kernel that refuses ECN: an `IP_TOS` of two bytes is `EINVAL`.
//! ancillary.add_control_message(ControlMessage::new(libc::IPPROTO_IP, libc::IP_TOS, &[0; 2]));
//! let mut ecn_on = true;
//! let to = receiver.local_addr()?;
//! assert_eq!(send_marked(&sender, b"hi", to, Ecn::Ect0, &mut ecn_on, &mut ancillary)?, 2);
//! assert!(!ecn_on);
//! assert_eq!(receiver.recv(&mut [0; 8])?, 2);
//! # Ok(())
//! # }
//! # #[cfg(not(target_os = "linux"))]
//! # fn main() {}
//! ```
//!
//! * **GSO.** A send with `os::linux::UdpSegment` fails with `EIO`
//!   when the device cannot checksum the segments (some virtual and tunnel devices), and
//!   with `EINVAL` when the kernel has no `UDP_SEGMENT` (before 4.18) or the buffer holds
//!   more segments than the running kernel takes (64, or 128 since Linux 6.9: size batches
//!   by `os::linux::sockopt::UDP_GSO_MAX_SEGMENTS`, which every kernel takes); nothing was
//!   sent. Send the buffer again as one datagram per segment
//!   (`payload.chunks(size)`, without the `UdpSegment` message), and after `EIO` stop
//!   using GSO on that socket.
//! * **`EINTR`.** A blocking send or receive interrupted by a signal whose handler was
//!   installed without `SA_RESTART` returns an [`io::Error`](std::io::Error) of kind
//!   [`Interrupted`](std::io::ErrorKind::Interrupted); the crate does not retry it, as
//!   std's `UdpSocket::recv` does not. Nothing was sent or received, and a receive's
//!   `AncillaryData` holds no descriptors from it: call again. Non-blocking and async
//!   calls do not see it.
//!
//! # Platforms
//!
//! Linux is the first platform, tested in full (x86_64 glibc and musl, and 32-bit, arm64
//! and big-endian targets under qemu-user). FreeBSD and macOS build and are checked by
//! clippy, and their parsing is tested under Miri on byte images of what their kernels
//! write; no FreeBSD or macOS kernel runs in CI. Their extensions live in `os::freebsd`
//! and `os::macos`. What differs per platform (alignment, credentials) is written down on
//! the items concerned; two differences change what a receiver can rely on:
//!
//! ## Descriptors that do not fit
//!
//! When a peer passes more descriptors than the control buffer has room for, `recvmsg`
//! sets `MSG_CTRUNC`
//! ([`control_data_truncated`](crate::RecvResult::control_data_truncated)), and:
//!
//! * **Linux** installs only the descriptors that fit (`scm_detach_fds`); the others are
//!   never installed in the receiver.
//! * **FreeBSD** copies out whole messages only. The descriptors of a message that did not
//!   fit had been installed already, and the kernel closes them again before `recvmsg`
//!   returns (`m_dispose_extcontrolm`, called by `kern_recvit`). A receive without a
//!   control buffer discards passed descriptors without installing them.
//! * **macOS** (XNU) installs every passed descriptor as it dequeues the message
//!   (`unp_externalize`), *before* it copies the control data out; `copyout_control` then
//!   copies only what fits. The descriptors whose numbers did not fit stay open in the
//!   receiving process, not close-on-exec, and nothing names them: this crate cannot
//!   close them, and nothing can find them safely (closing guessed numbers would close
//!   other parts of the program's files). The same happens to *every* passed descriptor on
//!   a receive with no control buffer (no `ancillary_data`, one of capacity 0, or a plain
//!   `read`): XNU installs them even then. So on macOS size the buffer for the most
//!   descriptors a peer may send in one message
//!   ([`space_for_fds`](crate::AncillaryData::space_for_fds)), always receive with one
//!   from a peer that may pass descriptors, and read `MSG_CTRUNC` as "descriptors leaked".
//!
//! ## Close-on-exec
//!
//! Linux and FreeBSD make received descriptors close-on-exec as they install them
//! (`MSG_CMSG_CLOEXEC`, which the crate always passes). macOS has no such flag: the crate
//! sets `FD_CLOEXEC` with `fcntl` on each descriptor right after `recvmsg` returns. In
//! the window between the two, a `fork` and `exec` on another thread of the process
//! (`std::process::Command::spawn`, for example) passes the descriptor on to the child.
//! Where that matters, do not start processes while another thread receives descriptors,
//! or start them with `posix_spawn`'s `POSIX_SPAWN_CLOEXEC_DEFAULT`.
//!
//! # Where this crate departs from the RFC
//!
//! Choices where RFC 3430 left a TODO or was inconsistent:
//!
//! * The builders are `MessageSender<'a, 'fd, S>` and `MessageReceiver<'a, 'fd, S>`, and
//!   their `ancillary_data` takes `&'a mut AncillaryData<'fd>`: with the RFC's single
//!   lifetime the data would stay borrowed for good and received descriptors could not be
//!   taken. `send()`/`recv()` take no socket argument.
//! * Caller storage ([`AncillaryData::with_storage`](crate::AncillaryData::with_storage)) is
//!   offered next to the RFC's own storage; it may be at any address, and adding to a full
//!   one is an error value (`try_add_*`), or a remembered error that the next send returns,
//!   never a panic or a silent drop. [`ControlMessagesBuf`](crate::ControlMessagesBuf)
//!   therefore has a lifetime, `'static` for its own storage.
//! * Received descriptors are owned by the [`ControlMessagesBuf`](crate::ControlMessagesBuf)
//!   they arrived in, so moving or swapping the buffer moves their ownership, and nothing can
//!   close a descriptor it does not own.
//! * [`AncillaryData::take_exact_fds`](crate::AncillaryData::take_exact_fds) answers the
//!   RFC's "error if not enough FDs returned";
//!   [`AncillaryData::drain_fds`](crate::AncillaryData::drain_fds) takes them without
//!   allocating.
//! * [`AncillaryData::start_sendmsg`](crate::AncillaryData::start_sendmsg) returns shared
//!   bytes and can fail (overflowed fixed storage); there is no `finish_sendmsg`, as a send
//!   changes nothing.
//! * [`ControlMessage::data`](crate::ControlMessage::data) returns `&'a [u8]`, bytes that
//!   outlive the handle.
//! * `new_vectored` takes `&'a [IoSlice<'b>]` / `&'a mut [IoSliceMut<'b>]`.
//! * [`ControlMessages::len`](crate::ControlMessages::len) counts bytes, like
//!   [`ControlMessages::as_bytes`](crate::ControlMessages::as_bytes).
//! * Sender addresses: `SocketAddress` is an `unsafe trait` (its implementor promises the
//!   pointer and length handed to the kernel), and a receive whose sender's address does not
//!   convert returns an [`AddressError`](crate::AddressError) with the byte count and flags
//!   instead of losing the message.

pub mod child_process;
