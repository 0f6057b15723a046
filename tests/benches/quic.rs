//! What a QUIC endpoint pays per datagram, ours against quinn-udp (issues 15 and 21).
//!
//! One round: the client sends `BATCH` datagrams of 1200 bytes in one `sendmsg` with a GSO
//! segment size, the ECN codepoint ECT(0) and a source address (`IP_PKTINFO`, or
//! `IPV6_PKTINFO`); the server, with GRO, ECN and destination addresses turned on, receives
//! them as one coalesced buffer and reads its segment size, ECN bits, destination and
//! sender. Every implementation does exactly that on its own pair of loopback sockets,
//! once over 127.0.0.1 and once over `[::1]` (its name then ends in `-v6`):
//!
//! * `ours`: `MessageSender` with `UdpSegment`, `IpTosSend` and `InPktinfo` (IPv6:
//!   `Ipv6Tclass` and `In6Pktinfo`) in stack storage; `MessageReceiver::recv_from` into
//!   stack storage, read with one `match` over a `#[derive(ControlMessages)]` enum of the
//!   family's four messages. The receiver's options are turned on with the crate's
//!   `SocketOptionsExt` (`IP_RECVTOS`, `IP_PKTINFO`; `IPV6_RECVTCLASS`,
//!   `IPV6_RECVPKTINFO`; `UDP_GRO`, `SO_TIMESTAMPNS`).
//! * `ours-guide`: the same, read as the guide and `examples/quic_echo.rs` write it: an
//!   enum of every message a QUIC receive may get, both families' included, and a
//!   catch-all `Other(ControlMessage<'a>)` variant.
//! * `ours-reused`: the send's control data built once and sent again, one receive buffer
//!   reused.
//! * `quinn`: `quinn_udp::UdpSocketState::send` with a `Transmit` of the same contents,
//!   and `UdpSocketState::recv` (one buffer) into a `RecvMeta`; quinn-udp turns its
//!   socket options on itself.
//!
//! Commands:
//! * `quic instr IMPL N`: checks one round, runs `N` more, prints the heap allocations per
//!   datagram. Under `valgrind --tool=callgrind` for two `N`s, the difference gives the
//!   user-space instructions per datagram (`bench/quic.sh` does this).
//! * `quic rate`: datagrams per second of each, interleaved within a family, as TSV.
//! * `quic list`: the implementations, IPv4 then IPv6.
//! * no arguments (or `cargo test`/`cargo bench`'s flags): a few rounds of each, checked,
//!   and ours checked to allocate nothing (the IPv6 ones skipped, saying so, where there
//!   is no IPv6 loopback).

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::io::{self, IoSliceMut};
use std::marker::PhantomData;
use std::mem::MaybeUninit;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use ancillary::os::linux::{
    Ecn, In6Pktinfo, InPktinfo, IpTos, IpTosSend, Ipv6Tclass, SocketOptionsExt, TimestampNs,
    UdpGro, UdpSegment,
};
use ancillary::{
    AncillaryData, AncillaryStorage, ControlMessage, ControlMessagePayload, ControlMessages,
    MessageReceiver, MessageSender,
};

/// Datagrams per round (one GSO send, one GRO receive).
const BATCH: usize = 10;
const DATAGRAM: usize = 1200;
const ROUND_BYTES: usize = BATCH * DATAGRAM;

/// Counts every allocation and reallocation, then defers to the system allocator.
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so
// `System`'s guarantees are this allocator's; counting has no effect on the memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, which is `System`'s.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: as for `alloc`; `ptr` came from this allocator, hence from `System`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as for `realloc`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// What the receiver learns about one coalesced buffer, the same for both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Meta {
    from: SocketAddr,
    len: usize,
    stride: usize,
    ecn: u8,
    dst: Option<IpAddr>,
    /// The receive timestamp (`SO_TIMESTAMPNS`), which quinn-udp turns on and reads.
    time: Option<Duration>,
}

impl Meta {
    /// A datagram of `len` bytes from `from`, before its control messages are read: not
    /// coalesced, no ECN bits, no destination, no timestamp.
    fn new(from: SocketAddr, len: usize) -> Meta {
        Meta {
            from,
            len,
            stride: len,
            ecn: 0,
            dst: None,
            time: None,
        }
    }
}

/// An address family: the loopback addresses of its rounds, and the messages that carry
/// the ECN codepoint and the addresses in it. Every implementation runs in both.
trait Family {
    /// Appended to an implementation's name: nothing for IPv4, `-v6` for IPv6.
    const SUFFIX: &'static str;
    const LOCALHOST: IpAddr;
    const UNSPECIFIED: IpAddr;
    /// The bytes our sender's control data takes, and our receiver's.
    const SEND_ROOM: usize;
    const RECV_ROOM: usize;
    /// Stack storage of `SEND_ROOM` and of `RECV_ROOM` bytes.
    type SendStorage: AsMut<[MaybeUninit<u8>]> + Default;
    type RecvStorage: AsMut<[MaybeUninit<u8>]> + Default;
    /// Turns on our receiver's ECN and destination-address messages.
    fn receive_ecn_and_destination(receiver: &UdpSocket) -> io::Result<()>;
    /// Adds the ECN codepoint ECT(0) and the source address, `LOCALHOST`.
    fn add_ecn_and_source(ancillary: &mut AncillaryData<'_>);
    /// Reads a receive with the family's tuned enum.
    fn read_tuned(messages: &ControlMessages, from: SocketAddr, len: usize) -> Meta;
}

/// IPv4: `IP_TOS` and `IP_PKTINFO`.
struct V4;
/// IPv6: `IPV6_TCLASS` and `IPV6_PKTINFO`.
struct V6;

impl Family for V4 {
    const SUFFIX: &'static str = "";
    const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
    const UNSPECIFIED: IpAddr = IpAddr::V4(Ipv4Addr::UNSPECIFIED);
    const SEND_ROOM: usize = UdpSegment::SPACE + IpTosSend::SPACE + InPktinfo::SPACE;
    const RECV_ROOM: usize = UdpGro::SPACE + IpTos::SPACE + InPktinfo::SPACE + TimestampNs::SPACE;
    type SendStorage = AncillaryStorage<{ V4::SEND_ROOM }>;
    type RecvStorage = AncillaryStorage<{ V4::RECV_ROOM }>;

    fn receive_ecn_and_destination(receiver: &UdpSocket) -> io::Result<()> {
        receiver.set_recv_tos_v4(true)?;
        receiver.set_recv_pktinfo_v4(true)
    }

    #[inline(always)]
    fn add_ecn_and_source(ancillary: &mut AncillaryData<'_>) {
        ancillary.add_control_message(&IpTosSend::from_ecn(Ecn::Ect0));
        ancillary.add_control_message(&InPktinfo::from_source(Ipv4Addr::LOCALHOST));
    }

    #[inline(always)]
    fn read_tuned(messages: &ControlMessages, from: SocketAddr, len: usize) -> Meta {
        let mut meta = Meta::new(from, len);
        for message in messages.parse::<Udp>() {
            match message {
                Ok(Udp::Gro(gro)) => meta.stride = usize::from(gro.segment_size()),
                Ok(Udp::Tos(tos)) => meta.ecn = tos.ecn().bits(),
                Ok(Udp::Dst(info)) => meta.dst = Some(IpAddr::V4(info.addr())),
                Ok(Udp::Time(time)) => meta.time = time.since_epoch(),
                Err(_) => {}
            }
        }
        meta
    }
}

impl Family for V6 {
    const SUFFIX: &'static str = "-v6";
    const LOCALHOST: IpAddr = IpAddr::V6(Ipv6Addr::LOCALHOST);
    const UNSPECIFIED: IpAddr = IpAddr::V6(Ipv6Addr::UNSPECIFIED);
    const SEND_ROOM: usize = UdpSegment::SPACE + Ipv6Tclass::SPACE + In6Pktinfo::SPACE;
    const RECV_ROOM: usize =
        UdpGro::SPACE + Ipv6Tclass::SPACE + In6Pktinfo::SPACE + TimestampNs::SPACE;
    type SendStorage = AncillaryStorage<{ V6::SEND_ROOM }>;
    type RecvStorage = AncillaryStorage<{ V6::RECV_ROOM }>;

    fn receive_ecn_and_destination(receiver: &UdpSocket) -> io::Result<()> {
        receiver.set_recv_tclass_v6(true)?;
        receiver.set_recv_pktinfo_v6(true)
    }

    #[inline(always)]
    fn add_ecn_and_source(ancillary: &mut AncillaryData<'_>) {
        ancillary.add_control_message(&Ipv6Tclass::from_ecn(Ecn::Ect0));
        ancillary.add_control_message(&In6Pktinfo::from_source(Ipv6Addr::LOCALHOST));
    }

    #[inline(always)]
    fn read_tuned(messages: &ControlMessages, from: SocketAddr, len: usize) -> Meta {
        let mut meta = Meta::new(from, len);
        for message in messages.parse::<Udp6>() {
            match message {
                Ok(Udp6::Gro(gro)) => meta.stride = usize::from(gro.segment_size()),
                Ok(Udp6::Tclass(class)) => meta.ecn = class.ecn().bits(),
                Ok(Udp6::Dst(info)) => meta.dst = Some(IpAddr::V6(info.addr())),
                Ok(Udp6::Time(time)) => meta.time = time.since_epoch(),
                Err(_) => {}
            }
        }
        meta
    }
}

/// One implementation of a round, in one address family.
trait Round {
    /// The implementation's name, without its family's suffix.
    const NAME: &'static str;
    type Family: Family;
    /// Whether the ECN bits are lost on this round's receive: quinn-udp 0.6.3's control
    /// buffer (96 bytes) is too small for `UDP_GRO`, `SO_TIMESTAMPNS`, the destination
    /// address and the ECN bits together (112 bytes on 64-bit Linux with IPv4, 120 with
    /// IPv6), so the kernel cuts the last one, `IP_TOS` or `IPV6_TCLASS` (`MSG_CTRUNC`).
    const LOSES_ECN: bool = false;
    fn new() -> Self;
    /// Sends one GSO batch and receives it; returns what the receiver read.
    fn round(&mut self, payload: &[u8], buf: &mut [u8]) -> Meta;
}

/// The implementation's name with its family's suffix, as `list` prints it.
fn name<R: Round>() -> String {
    format!("{}{}", R::NAME, <R::Family as Family>::SUFFIX)
}

/// A sender and a receiver on the family's loopback address; the sender's address is
/// unspecified, so the source address of each send is chosen with `IP_PKTINFO` or
/// `IPV6_PKTINFO`.
fn sockets<F: Family>() -> (UdpSocket, UdpSocket) {
    let receiver = UdpSocket::bind((F::LOCALHOST, 0)).expect("bind the receiver");
    let sender = UdpSocket::bind((F::UNSPECIFIED, 0)).expect("bind the sender");
    (sender, receiver)
}

/// Retries `f` while it fails with `WouldBlock` (quinn-udp's sockets are non-blocking,
/// and a datagram on loopback is queued by the time `sendmsg` returns, so this loops at
/// most rarely).
fn retry<T>(mut f: impl FnMut() -> io::Result<T>) -> T {
    loop {
        match f() {
            Ok(value) => return value,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => std::thread::yield_now(),
            Err(e) => panic!("{e}"),
        }
    }
}

struct Ours<F> {
    sender: UdpSocket,
    receiver: UdpSocket,
    to: SocketAddr,
    family: PhantomData<F>,
}

/// What our IPv4 receiver reads, in one match. The variants are tried in order, so they
/// are listed in the order Linux writes the messages.
#[derive(ancillary::ControlMessages)]
enum Udp {
    Time(TimestampNs),
    Gro(UdpGro),
    Dst(InPktinfo),
    Tos(IpTos),
}

/// [`Udp`] for IPv6.
#[derive(ancillary::ControlMessages)]
enum Udp6 {
    Time(TimestampNs),
    Gro(UdpGro),
    Dst(In6Pktinfo),
    Tclass(Ipv6Tclass),
}

/// What the guide's receiver reads: every message a QUIC receive may get, in one match,
/// and a catch-all for any other. The same enum for both families.
#[derive(ancillary::ControlMessages)]
enum GuideUdp<'a> {
    Gro(UdpGro),
    Tos(IpTos),
    Tclass(Ipv6Tclass),
    Dst4(InPktinfo),
    Dst6(In6Pktinfo),
    Time(TimestampNs),
    Other(ControlMessage<'a>),
}

/// Adds what every send carries: the GSO segment size, ECT(0) and the source address.
#[inline(always)]
fn add_send_messages<F: Family>(ancillary: &mut AncillaryData<'_>) {
    ancillary.add_control_message(&UdpSegment::new(DATAGRAM as u16));
    F::add_ecn_and_source(ancillary);
}

impl<F: Family> Round for Ours<F> {
    const NAME: &'static str = "ours";
    type Family = F;

    fn new() -> Self {
        let (sender, receiver) = sockets::<F>();
        F::receive_ecn_and_destination(&receiver).expect("ECN and destination options");
        receiver.set_udp_gro(true).expect("UDP_GRO");
        // quinn-udp turns timestamps on: the same work here.
        receiver.set_timestamp_ns(true).expect("SO_TIMESTAMPNS");
        sender.set_nonblocking(true).expect("non-blocking");
        receiver.set_nonblocking(true).expect("non-blocking");
        let to = receiver.local_addr().expect("local address");
        Ours {
            sender,
            receiver,
            to,
            family: PhantomData,
        }
    }

    #[inline(never)]
    fn round(&mut self, payload: &[u8], buf: &mut [u8]) -> Meta {
        self.exchange(payload, buf, |messages, from, len| {
            F::read_tuned(messages, from, len)
        })
    }
}

impl<F: Family> Ours<F> {
    /// One round, the receive read by `read`. Give it a closure, not a function: the
    /// `FnOnce` shim of a function, shared by both families' rounds, is not inlined
    /// (2 to 3 instructions more per datagram).
    #[inline(always)]
    fn exchange(
        &mut self,
        payload: &[u8],
        buf: &mut [u8],
        read: impl FnOnce(&ControlMessages, SocketAddr, usize) -> Meta,
    ) -> Meta {
        let mut storage = F::SendStorage::default();
        let mut ancillary = AncillaryData::with_storage(&mut storage);
        add_send_messages::<F>(&mut ancillary);
        retry(|| {
            MessageSender::new(&self.sender, payload)
                .ancillary_data(&mut ancillary)
                .send_to(&self.to)
        });

        let mut storage = F::RecvStorage::default();
        let mut ancillary = AncillaryData::with_storage(&mut storage);
        let (len, _, from) = retry(|| {
            MessageReceiver::new(&self.receiver, buf)
                .ancillary_data(&mut ancillary)
                .recv_from()
        });
        read(ancillary.control_messages(), from, len)
    }
}

/// Ours as the guide writes the receive (see [`GuideUdp`]).
struct OursGuide<F>(Ours<F>);

impl<F: Family> Round for OursGuide<F> {
    const NAME: &'static str = "ours-guide";
    type Family = F;

    fn new() -> Self {
        OursGuide(Ours::new())
    }

    #[inline(never)]
    fn round(&mut self, payload: &[u8], buf: &mut [u8]) -> Meta {
        self.0.exchange(payload, buf, |messages, from, len| {
            read_guide(messages, from, len).expect("well-formed control data")
        })
    }
}

/// Reads a receive with [`GuideUdp`], as the guide and `examples/quic_echo.rs` write it: a
/// malformed message is an error (`?`). Inlined into the round, as are the tuned reads, as
/// a receive loop written in place would be.
#[inline(always)]
fn read_guide(messages: &ControlMessages, from: SocketAddr, len: usize) -> io::Result<Meta> {
    let mut meta = Meta::new(from, len);
    for message in messages.parse::<GuideUdp>() {
        match message? {
            GuideUdp::Gro(gro) => meta.stride = usize::from(gro.segment_size()),
            GuideUdp::Tos(tos) => meta.ecn = tos.ecn().bits(),
            GuideUdp::Tclass(class) => meta.ecn = class.ecn().bits(),
            GuideUdp::Dst4(info) => meta.dst = Some(IpAddr::V4(info.addr())),
            GuideUdp::Dst6(info) => meta.dst = Some(IpAddr::V6(info.addr())),
            GuideUdp::Time(time) => meta.time = time.since_epoch(),
            // What a receiver does with a message it did not expect: here, looks at it.
            GuideUdp::Other(other) => {
                black_box(other.cmsg_type());
            }
        }
    }
    Ok(meta)
}

/// Ours as a QUIC endpoint would keep it per path: the send's control data (GSO size,
/// ECN, source address) built once and reused for every send to that path, and one receive
/// buffer reused for every receive. quinn-udp's API rebuilds both on every call.
struct OursReused<F> {
    ours: Ours<F>,
    send: AncillaryData<'static>,
    recv: AncillaryData<'static>,
}

impl<F: Family> Round for OursReused<F> {
    const NAME: &'static str = "ours-reused";
    type Family = F;

    fn new() -> Self {
        let mut send = AncillaryData::with_capacity(F::SEND_ROOM);
        add_send_messages::<F>(&mut send);
        OursReused {
            ours: Ours::new(),
            send,
            recv: AncillaryData::with_capacity(F::RECV_ROOM),
        }
    }

    #[inline(never)]
    fn round(&mut self, payload: &[u8], buf: &mut [u8]) -> Meta {
        let ours = &self.ours;
        retry(|| {
            MessageSender::new(&ours.sender, payload)
                .ancillary_data(&mut self.send)
                .send_to(&ours.to)
        });
        let (len, _, from) = retry(|| {
            MessageReceiver::new(&ours.receiver, buf)
                .ancillary_data(&mut self.recv)
                .recv_from()
        });
        F::read_tuned(self.recv.control_messages(), from, len)
    }
}

struct Quinn<F> {
    sender: UdpSocket,
    receiver: UdpSocket,
    send_state: quinn_udp::UdpSocketState,
    recv_state: quinn_udp::UdpSocketState,
    to: SocketAddr,
    family: PhantomData<F>,
}

impl<F: Family> Round for Quinn<F> {
    const NAME: &'static str = "quinn";
    type Family = F;
    const LOSES_ECN: bool = true;

    fn new() -> Self {
        let (sender, receiver) = sockets::<F>();
        // `UdpSocketState::new` turns on what quinn-udp receives (IPv4: IP_RECVTOS,
        // IP_PKTINFO; IPv6: IPV6_RECVTCLASS, IPV6_RECVPKTINFO, and IP_RECVTOS for
        // IPv4-mapped peers), UDP_GRO and SO_TIMESTAMPNS, and makes the socket
        // non-blocking.
        let send_state =
            quinn_udp::UdpSocketState::new((&sender).into()).expect("quinn-udp sender");
        let recv_state =
            quinn_udp::UdpSocketState::new((&receiver).into()).expect("quinn-udp receiver");
        let to = receiver.local_addr().expect("local address");
        Quinn {
            sender,
            receiver,
            send_state,
            recv_state,
            to,
            family: PhantomData,
        }
    }

    #[inline(never)]
    fn round(&mut self, payload: &[u8], buf: &mut [u8]) -> Meta {
        let transmit = quinn_udp::Transmit {
            destination: self.to,
            ecn: Some(quinn_udp::EcnCodepoint::Ect0),
            contents: payload,
            segment_size: Some(DATAGRAM),
            src_ip: Some(F::LOCALHOST),
        };
        retry(|| self.send_state.try_send((&self.sender).into(), &transmit));

        let mut meta = [quinn_udp::RecvMeta::default()];
        retry(|| {
            self.recv_state.recv(
                (&self.receiver).into(),
                &mut [IoSliceMut::new(buf)],
                &mut meta,
            )
        });
        let [meta] = meta;
        Meta {
            from: meta.addr,
            len: meta.len,
            stride: meta.stride,
            ecn: meta.ecn.map_or(0, |ecn| ecn as u8),
            dst: meta.dst_ip,
            time: meta.timestamp,
        }
    }
}

/// The payload of one round: datagram `i` is filled with `i`.
fn payload() -> Vec<u8> {
    (0..ROUND_BYTES).map(|i| (i / DATAGRAM) as u8).collect()
}

/// Checks one round: everything arrived, coalesced, with its metadata.
fn check<R: Round>(round: &mut R, payload: &[u8], buf: &mut [u8]) {
    let name = name::<R>();
    let localhost = <R::Family as Family>::LOCALHOST;
    let meta = round.round(payload, buf);
    assert_eq!(meta.len, ROUND_BYTES, "{name}: {meta:?}");
    assert_eq!(meta.stride, DATAGRAM, "{name}: GRO segment size {meta:?}");
    if R::LOSES_ECN && meta.ecn == 0 {
        println!("{name}: the ECN bits were lost (control data truncated)");
    } else {
        assert_eq!(meta.ecn, Ecn::Ect0.bits(), "{name}: ECN {meta:?}");
    }
    assert!(meta.time.is_some(), "{name}: timestamp {meta:?}");
    assert_eq!(meta.dst, Some(localhost), "{name}: destination {meta:?}");
    assert_eq!(meta.from.ip(), localhost, "{name}: source {meta:?}");
    assert_eq!(&buf[..ROUND_BYTES], payload, "{name}: contents");
}

/// Runs `n` rounds; returns the heap allocations per datagram.
fn instr<R: Round>(n: u64) -> f64 {
    let payload = payload();
    let mut buf = vec![0u8; 65536];
    let mut round = R::new();
    check(&mut round, &payload, &mut buf);
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for _ in 0..n {
        black_box(round.round(black_box(&payload), &mut buf));
    }
    let after = ALLOCATIONS.load(Ordering::Relaxed);
    (after - before) as f64 / (n.max(1) as usize * BATCH) as f64
}

/// The implementations, by name without the family's suffix, in `list`'s order.
const IMPLEMENTATIONS: [&str; 4] = ["ours", "ours-guide", "ours-reused", "quinn"];

/// [`instr`] of the implementation `base` in family `F`.
fn instr_named<F: Family>(base: &str, n: u64) -> f64 {
    match base {
        "ours" => instr::<Ours<F>>(n),
        "ours-guide" => instr::<OursGuide<F>>(n),
        "ours-reused" => instr::<OursReused<F>>(n),
        "quinn" => instr::<Quinn<F>>(n),
        other => panic!("unknown implementation {other}{}", F::SUFFIX),
    }
}

/// [`instr`] of the implementation `name`, suffix included.
fn instr_any(name: &str, n: u64) -> f64 {
    match name.strip_suffix(V6::SUFFIX) {
        Some(base) => instr_named::<V6>(base, n),
        None => instr_named::<V4>(name, n),
    }
}

/// Datagrams per second over `time`.
fn rate<R: Round>(round: &mut R, time: Duration) -> f64 {
    let payload = payload();
    let mut buf = vec![0u8; 65536];
    let start = Instant::now();
    let mut rounds = 0u64;
    while start.elapsed() < time {
        for _ in 0..64 {
            black_box(round.round(&payload, &mut buf));
        }
        rounds += 64;
    }
    (rounds as usize * BATCH) as f64 / start.elapsed().as_secs_f64()
}

/// Datagrams per second of each implementation in family `F`, interleaved so that all
/// see the same machine: the best of 5 each, as `(name, rate)` in `list`'s order.
fn rates<F: Family>() -> Vec<(String, f64)> {
    let (mut ours, mut guide) = (Ours::<F>::new(), OursGuide::<F>::new());
    let (mut reused, mut quinn) = (OursReused::<F>::new(), Quinn::<F>::new());
    let mut best = [0f64; 4];
    let time = Duration::from_millis(400);
    for _ in 0..5 {
        best[0] = best[0].max(rate(&mut ours, time));
        best[1] = best[1].max(rate(&mut guide, time));
        best[2] = best[2].max(rate(&mut reused, time));
        best[3] = best[3].max(rate(&mut quinn, time));
    }
    let names = IMPLEMENTATIONS.map(|base| format!("{base}{}", F::SUFFIX));
    names.into_iter().zip(best).collect()
}

/// A few rounds of each implementation in family `F`, checked; ours must not allocate.
fn smoke<F: Family>() {
    for base in IMPLEMENTATIONS {
        let allocs = instr_named::<F>(base, 50);
        let name = format!("{base}{}", F::SUFFIX);
        if base.starts_with("ours") {
            assert_eq!(allocs, 0.0, "{name} allocates {allocs} times per datagram");
        } else {
            println!("quic: {name}: {allocs} allocations per datagram");
        }
    }
}

/// Whether an IPv6 loopback socket can be bound here (some containers have none).
fn have_ipv6() -> bool {
    match UdpSocket::bind((Ipv6Addr::LOCALHOST, 0)) {
        Ok(_) => true,
        Err(err) => {
            println!("quic: skipped: the IPv6 rounds: no IPv6 loopback here ({err})");
            false
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let positional: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with("--"))
        .collect();
    match positional.as_slice() {
        ["list"] => {
            let names = [V4::SUFFIX, V6::SUFFIX]
                .iter()
                .flat_map(|suffix| IMPLEMENTATIONS.map(|base| format!("{base}{suffix}")));
            println!("{}", names.collect::<Vec<_>>().join(" "));
        }
        ["instr", name, n] => {
            let n: u64 = n.parse().expect("N: a number of rounds");
            let allocs = instr_any(name, n);
            println!("{name} {n} rounds of {BATCH} datagrams: allocs/datagram={allocs}");
        }
        ["rate"] => {
            for (name, rate) in rates::<V4>().into_iter().chain(rates::<V6>()) {
                println!("{name}\t{rate:.0}");
            }
        }
        [] => {
            // Smoke test (cargo test --benches): all correct, ours allocation-free.
            smoke::<V4>();
            let families = if have_ipv6() {
                smoke::<V6>();
                2
            } else {
                1
            };
            let passed = families * IMPLEMENTATIONS.len();
            println!("quic: {passed} passed, 0 failed");
        }
        _ => {
            eprintln!("usage: quic [list | instr IMPL N | rate]");
            std::process::exit(2);
        }
    }
}
