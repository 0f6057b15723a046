#![doc = include_str!("../README.md")]

use std::io::{self, IoSlice, IoSliceMut};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{ready, Context, Poll, Waker};
use std::{cell::Cell, fmt, future::Future, net::SocketAddr, os::fd::AsFd, pin::Pin};

use ancillary::os::linux::sockopt::{self, Ipv6DontFrag, Ipv6MtuDiscover, UDP_GRO_MAX_SEGMENTS};
use ancillary::os::linux::{recv_batch, sockopt::IpMtuDiscover, sockopt::UDP_GSO_MAX_SEGMENTS};
use ancillary::os::linux::{DestinationExt, Ecn, In6Pktinfo, InPktinfo, IpTos, RecvBatch};
use ancillary::os::linux::{Ipv6Tclass, RecvBatchMessage, SocketOptionsExt, UdpGro, UdpSegment};
use ancillary::tokio::PollSendMessageTo;
use ancillary::{set_socket_option, AncillaryData, AncillaryStorage};
use ancillary::{ControlMessage, ControlMessagePayload, ControlMessages, RecvOptions, SendOptions};
use quinn::udp::{EcnCodepoint, RecvMeta, Transmit};
const SLOTS: usize = 8;
use quinn::{AsyncUdpSocket, UdpPoller};
use tokio::io::Interest;

/// Control room of one send: ECN, GSO and the source address, of either family.
const SEND_SPACE: usize = Ipv6Tclass::SPACE + UdpSegment::SPACE + In6Pktinfo::SPACE;
/// Control room of one received message: GRO, ECN and the destination, of either family.
const RECV_SPACE: usize = UdpGro::SPACE + IpTos::SPACE + Ipv6Tclass::SPACE + In6Pktinfo::SPACE;

/// What quinn reads of a received message's control data, and any other message (which
/// it skips), as the crate's guide writes a receive.
#[derive(ControlMessages)]
enum Meta<'a> {
    Gro(UdpGro),
    Tos(IpTos),
    Tclass(Ipv6Tclass),
    Dst4(InPktinfo),
    Dst6(In6Pktinfo),
    Other(#[allow(dead_code, reason = "quinn has no use for other messages")] ControlMessage<'a>),
}

/// A UDP socket for quinn: give it to `Endpoint::new_with_abstract_socket`.
#[derive(Debug)]
pub struct UdpSocket {
    io: tokio::net::UdpSocket,
    /// Datagrams per GSO send; 1 once the kernel has refused one.
    gso_segments: AtomicUsize,
    gro_segments: usize,
    /// Whether sends carry ECN; off once the kernel has refused the message.
    ecn: AtomicBool,
    may_fragment: bool,
    /// Each receive slot's control data and sender, kept from batch to batch.
    batch: Mutex<RecvBatch<'static>>,
}

impl UdpSocket {
    /// Turns on what quinn needs on `socket` (bound, of either family) and registers it with
    /// the current tokio runtime.
    ///
    /// # Errors
    /// A receive option the kernel refuses, or tokio's (outside a runtime).
    pub fn new(socket: std::net::UdpSocket) -> io::Result<UdpSocket> {
        socket.set_nonblocking(true)?;
        let v4 = socket.local_addr()?.is_ipv4();
        // An IPv6 socket's IPv4 datagrams (dual-stack) carry IP_TOS only if this is on.
        let tos = socket.set_recv_tos_v4(true);
        let mut may_fragment = set_socket_option(&socket, &IpMtuDiscover::PROBE).is_err();
        if v4 {
            tos?;
            socket.set_recv_pktinfo_v4(true)?;
        } else {
            socket.set_recv_tclass_v6(true)?;
            socket.set_recv_pktinfo_v6(true)?;
            may_fragment |= set_socket_option(&socket, &Ipv6MtuDiscover::PROBE).is_err();
            may_fragment |= set_socket_option(&socket, &Ipv6DontFrag(true)).is_err();
        }
        let gro = socket.set_udp_gro(true).is_ok();
        // Setting a socket-wide segment size is how to ask for GSO; then unset it.
        let gso = set_socket_option(&socket, &sockopt::UdpSegment(1200)).is_ok()
            && set_socket_option(&socket, &sockopt::UdpSegment(0)).is_ok();
        Ok(UdpSocket {
            io: tokio::net::UdpSocket::from_std(socket)?,
            gso_segments: AtomicUsize::new(if gso { UDP_GSO_MAX_SEGMENTS } else { 1 }),
            gro_segments: if gro { UDP_GRO_MAX_SEGMENTS } else { 1 },
            ecn: AtomicBool::new(true),
            may_fragment,
            batch: Mutex::new(RecvBatch::new(SLOTS, RECV_SPACE)),
        })
    }

    /// One `sendmsg` of `transmit`, marked with `ecn`, if the socket is writable.
    fn send(&self, transmit: &Transmit<'_>, ecn: Option<EcnCodepoint>) -> io::Result<usize> {
        let to = &transmit.destination;
        let mut storage = AncillaryStorage::<SEND_SPACE>::new();
        let mut control = AncillaryData::with_storage(&mut storage);
        if let Some(ecn) = ecn {
            control.add_ecn_for(to, Ecn::from_bits(ecn as u8));
        }
        if let Some(size) = segment_size(transmit) {
            control.add_control_message(&UdpSegment::new(size));
        }
        if let Some(source) = transmit.src_ip {
            control.try_add_source_for(to, source)?;
        }
        let data = [IoSlice::new(transmit.contents)];
        self.io
            .try_send_message_to(to, &data, &mut control, SendOptions::new())
    }

    /// One `recvmmsg` into `bufs`, described in `meta`. A short batch emptied the queue: its
    /// count goes to `short` and tokio gets `WouldBlock`, to clear the readiness it saw,
    /// sparing a failing call (`poll_recv_batch` would return it as `Ok`, readiness kept).
    fn recv_batch(
        &self,
        bufs: &mut [IoSliceMut<'_>],
        meta: &mut [RecvMeta],
        short: &Cell<usize>,
    ) -> io::Result<usize> {
        let count = bufs.len().min(meta.len()).min(SLOTS);
        let mut batch = self.batch.lock().unwrap_or_else(PoisonError::into_inner);
        let fd = self.io.as_fd();
        let received = recv_batch(fd, &mut batch, &mut bufs[..count], RecvOptions::new())?;
        for (message, meta) in batch.messages().iter().zip(meta) {
            *meta = read_meta(message)?;
        }
        if received < count {
            short.set(received);
            return Err(io::ErrorKind::WouldBlock.into());
        }
        Ok(received)
    }
}

/// The GSO segment size of `transmit`, if it holds more than one datagram.
fn segment_size(transmit: &Transmit<'_>) -> Option<u16> {
    let size = transmit.segment_size?;
    (size < transmit.contents.len()).then(|| u16::try_from(size).unwrap_or(u16::MAX))
}

/// quinn's description of one received message.
fn read_meta(message: &RecvBatchMessage<'_>) -> io::Result<RecvMeta> {
    let len = message.len();
    let mut meta = RecvMeta {
        addr: message.addr::<SocketAddr>()?,
        len,
        stride: len,
        ..RecvMeta::default()
    };
    for item in message.ancillary_data().control_messages().parse::<Meta>() {
        match item? {
            Meta::Gro(gro) => meta.stride = usize::from(gro.segment_size()),
            Meta::Tos(tos) => meta.ecn = EcnCodepoint::from_bits(tos.ecn().bits()),
            Meta::Tclass(class) => meta.ecn = EcnCodepoint::from_bits(class.ecn().bits()),
            Meta::Dst4(info) => meta.dst_ip = Some(info.addr().into()),
            Meta::Dst6(info) => meta.dst_ip = Some(info.addr().into()),
            Meta::Other(_) => {}
        }
    }
    Ok(meta)
}

impl AsyncUdpSocket for UdpSocket {
    fn create_io_poller(self: Arc<Self>) -> Pin<Box<dyn UdpPoller>> {
        Box::pin(Writable(self, None))
    }

    /// Sends, or fails with `WouldBlock`. Other errors drop the datagrams, as a lossy path
    /// would (quinn retransmits; an `EMSGSIZE` answers an MTU probe). An `EINVAL` or `EIO`
    /// of a GSO send stops GSO; an `EINVAL` of another marked send stops ECN, and resends.
    fn try_send(&self, transmit: &Transmit<'_>) -> io::Result<()> {
        let ecn = transmit.ecn.filter(|_| self.ecn.load(Relaxed));
        let error = match self.send(transmit, ecn) {
            Err(e) if e.kind() != io::ErrorKind::WouldBlock => e,
            result => return result.map(drop),
        };
        let invalid = error.kind() == io::ErrorKind::InvalidInput;
        let gso = segment_size(transmit).is_some();
        if gso && (invalid || error.raw_os_error() == Some(libc::EIO)) {
            self.gso_segments.store(1, Relaxed);
        } else if !gso && invalid && ecn.is_some() && self.ecn.swap(false, Relaxed) {
            return self.try_send(transmit);
        }
        Ok(())
    }

    fn poll_recv(
        &self,
        cx: &mut Context<'_>,
        bufs: &mut [IoSliceMut<'_>],
        meta: &mut [RecvMeta],
    ) -> Poll<io::Result<usize>> {
        let short = Cell::new(0);
        let mut recv = || self.recv_batch(bufs, meta, &short);
        loop {
            ready!(self.io.poll_recv_ready(cx))?;
            match (self.io.try_io(Interest::READABLE, &mut recv), short.get()) {
                (_, n) if n > 0 => return Poll::Ready(Ok(n)),
                (Err(e), _) if e.kind() == io::ErrorKind::WouldBlock => continue,
                (result, _) => return Poll::Ready(result),
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.local_addr()
    }

    fn max_transmit_segments(&self) -> usize {
        self.gso_segments.load(Relaxed)
    }

    fn max_receive_segments(&self) -> usize {
        self.gro_segments
    }

    fn may_fragment(&self) -> bool {
        self.may_fragment
    }
}

/// Waits for the socket to be writable; any number of them wait at once (tokio's
/// `writable()`), where `poll_send_ready` keeps one waker only.
struct Writable(Arc<UdpSocket>, Option<Wait>);
type Wait = Pin<Box<dyn Future<Output = io::Result<()>> + Send + Sync>>;

impl fmt::Debug for Writable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Writable").finish_non_exhaustive()
    }
}

impl UdpPoller for Writable {
    fn poll_writable(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let Writable(socket, wait) = self.get_mut();
        if wait.is_none() {
            // Writable already (the common case): no waker to keep, nothing to allocate.
            let mut idle = Context::from_waker(Waker::noop());
            if let Poll::Ready(ready) = socket.io.poll_send_ready(&mut idle) {
                return Poll::Ready(ready);
            }
            let socket = Arc::clone(socket);
            *wait = Some(Box::pin(async move { socket.io.writable().await }));
        }
        let result = wait.as_mut().expect("set above").as_mut().poll(cx);
        if result.is_ready() {
            *wait = None;
        }
        result
    }
}
