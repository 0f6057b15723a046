//! What a QUIC endpoint pays per datagram, ours against quinn-udp (issue 15).
//!
//! One round: the client sends `BATCH` datagrams of 1200 bytes in one `sendmsg` with a GSO
//! segment size, the ECN codepoint ECT(0) and a source address (`IP_PKTINFO`); the server,
//! with GRO, ECN and destination addresses turned on, receives them as one coalesced
//! buffer and reads its segment size, ECN bits, destination and sender. Both
//! implementations do exactly that on their own pair of loopback sockets:
//!
//! * `ours`: `MessageSender` with `UdpSegment`, `IpTosSend` and `InPktinfo` in stack
//!   storage; `MessageReceiver::recv_from` into stack storage, read with one `match` over
//!   a `#[derive(ControlMessages)]` enum.
//! * `ours-guide`: the same, read as the guide and `examples/quic_echo.rs` write it: an
//!   enum of every message a QUIC receive may get, IPv6 ones included, and a catch-all
//!   `Other(ControlMessage<'a>)` variant.
//! * `quinn`: `quinn_udp::UdpSocketState::send` with a `Transmit` of the same contents,
//!   and `UdpSocketState::recv` (one buffer) into a `RecvMeta`.
//!
//! Commands:
//! * `quic instr IMPL N`: checks one round, runs `N` more, prints the heap allocations per
//!   datagram. Under `valgrind --tool=callgrind` for two `N`s, the difference gives the
//!   user-space instructions per datagram (`bench/quic.sh` does this).
//! * `quic rate`: datagrams per second of each, interleaved in one run, as TSV.
//! * `quic list`: the implementations.
//! * no arguments (or `cargo test`/`cargo bench`'s flags): a few rounds of each, checked,
//!   and ours checked to allocate nothing.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::io::{self, IoSliceMut};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
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

/// One implementation of a round.
trait Round {
    const NAME: &'static str;
    /// Whether the ECN bits are lost on this round's receive: quinn-udp 0.6.3's control
    /// buffer (96 bytes) is too small for `UDP_GRO`, `SO_TIMESTAMPNS`, `IP_PKTINFO` and
    /// `IP_TOS` together (112 bytes on 64-bit Linux), so the kernel cuts the last one,
    /// `IP_TOS` (`MSG_CTRUNC`).
    const LOSES_ECN: bool = false;
    fn new() -> Self;
    /// Sends one GSO batch and receives it; returns what the receiver read.
    fn round(&mut self, payload: &[u8], buf: &mut [u8]) -> Meta;
}

/// A sender and a receiver on 127.0.0.1; the sender's address is unspecified, so the
/// source address of each send is chosen with `IP_PKTINFO`.
fn sockets() -> (UdpSocket, UdpSocket) {
    let receiver = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind the receiver");
    let sender = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).expect("bind the sender");
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

struct Ours {
    sender: UdpSocket,
    receiver: UdpSocket,
    to: SocketAddr,
}

/// What our receiver reads, in one match. The variants are tried in order, so they are
/// listed in the order Linux writes the messages.
#[derive(ancillary::ControlMessages)]
enum Udp {
    Time(TimestampNs),
    Gro(UdpGro),
    Dst(InPktinfo),
    Tos(IpTos),
}

/// What the guide's receiver reads: every message a QUIC receive may get, in one match,
/// and a catch-all for any other.
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

const SEND_ROOM: usize = UdpSegment::SPACE + IpTosSend::SPACE + InPktinfo::SPACE;
const RECV_ROOM: usize = UdpGro::SPACE + IpTos::SPACE + InPktinfo::SPACE + TimestampNs::SPACE;

impl Round for Ours {
    const NAME: &'static str = "ours";

    fn new() -> Self {
        let (sender, receiver) = sockets();
        receiver.set_recv_tos_v4(true).expect("IP_RECVTOS");
        receiver.set_recv_pktinfo_v4(true).expect("IP_PKTINFO");
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
        }
    }

    #[inline(never)]
    fn round(&mut self, payload: &[u8], buf: &mut [u8]) -> Meta {
        self.exchange(payload, buf, read_ours)
    }
}

impl Ours {
    /// One round, the receive read by `read`.
    #[inline(always)]
    fn exchange(
        &mut self,
        payload: &[u8],
        buf: &mut [u8],
        read: impl FnOnce(&ControlMessages, SocketAddr, usize) -> Meta,
    ) -> Meta {
        let mut storage = AncillaryStorage::<SEND_ROOM>::new();
        let mut ancillary = AncillaryData::with_storage(&mut storage);
        ancillary.add_control_message(&UdpSegment::new(DATAGRAM as u16));
        ancillary.add_control_message(&IpTosSend::from_ecn(Ecn::Ect0));
        ancillary.add_control_message(&InPktinfo::from_source(Ipv4Addr::LOCALHOST));
        retry(|| {
            MessageSender::new(&self.sender, payload)
                .ancillary_data(&mut ancillary)
                .send_to(&self.to)
        });

        let mut storage = AncillaryStorage::<RECV_ROOM>::new();
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
struct OursGuide(Ours);

impl Round for OursGuide {
    const NAME: &'static str = "ours-guide";

    fn new() -> Self {
        OursGuide(Ours::new())
    }

    #[inline(never)]
    fn round(&mut self, payload: &[u8], buf: &mut [u8]) -> Meta {
        self.0.exchange(payload, buf, read_guide)
    }
}

#[inline]
fn read_guide(messages: &ControlMessages, from: SocketAddr, len: usize) -> Meta {
    let mut meta = Meta::new(from, len);
    for message in messages.parse::<GuideUdp>() {
        match message {
            Ok(GuideUdp::Gro(gro)) => meta.stride = usize::from(gro.segment_size()),
            Ok(GuideUdp::Tos(tos)) => meta.ecn = tos.ecn().bits(),
            Ok(GuideUdp::Tclass(class)) => meta.ecn = class.ecn().bits(),
            Ok(GuideUdp::Dst4(info)) => meta.dst = Some(IpAddr::V4(info.addr())),
            Ok(GuideUdp::Dst6(info)) => meta.dst = Some(IpAddr::V6(info.addr())),
            Ok(GuideUdp::Time(time)) => meta.time = time.since_epoch(),
            // What a receiver does with a message it did not expect: here, looks at it.
            Ok(GuideUdp::Other(other)) => {
                black_box(other.cmsg_type());
            }
            Err(_) => {}
        }
    }
    meta
}

#[inline]
fn read_ours(messages: &ControlMessages, from: SocketAddr, len: usize) -> Meta {
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

/// Ours as a QUIC endpoint would keep it per path: the send's control data (GSO size,
/// ECN, source address) built once and reused for every send to that path, and one receive
/// buffer reused for every receive. quinn-udp's API rebuilds both on every call.
struct OursReused {
    ours: Ours,
    send: AncillaryData<'static>,
    recv: AncillaryData<'static>,
}

impl Round for OursReused {
    const NAME: &'static str = "ours-reused";

    fn new() -> Self {
        let mut send = AncillaryData::with_capacity(SEND_ROOM);
        send.add_control_message(&UdpSegment::new(DATAGRAM as u16));
        send.add_control_message(&IpTosSend::from_ecn(Ecn::Ect0));
        send.add_control_message(&InPktinfo::from_source(Ipv4Addr::LOCALHOST));
        OursReused {
            ours: Ours::new(),
            send,
            recv: AncillaryData::with_capacity(RECV_ROOM),
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
        read_ours(self.recv.control_messages(), from, len)
    }
}

struct Quinn {
    sender: UdpSocket,
    receiver: UdpSocket,
    send_state: quinn_udp::UdpSocketState,
    recv_state: quinn_udp::UdpSocketState,
    to: SocketAddr,
}

impl Round for Quinn {
    const NAME: &'static str = "quinn";
    const LOSES_ECN: bool = true;

    fn new() -> Self {
        let (sender, receiver) = sockets();
        // `UdpSocketState::new` turns on what quinn-udp receives: IP_RECVTOS, IP_PKTINFO,
        // UDP_GRO, and makes the socket non-blocking.
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
        }
    }

    #[inline(never)]
    fn round(&mut self, payload: &[u8], buf: &mut [u8]) -> Meta {
        let transmit = quinn_udp::Transmit {
            destination: self.to,
            ecn: Some(quinn_udp::EcnCodepoint::Ect0),
            contents: payload,
            segment_size: Some(DATAGRAM),
            src_ip: Some(IpAddr::V4(Ipv4Addr::LOCALHOST)),
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
    let meta = round.round(payload, buf);
    assert_eq!(meta.len, ROUND_BYTES, "{}: {meta:?}", R::NAME);
    assert_eq!(
        meta.stride,
        DATAGRAM,
        "{}: GRO segment size {meta:?}",
        R::NAME
    );
    if R::LOSES_ECN && meta.ecn == 0 {
        println!(
            "{}: the ECN bits were lost (control data truncated)",
            R::NAME
        );
    } else {
        assert_eq!(meta.ecn, Ecn::Ect0.bits(), "{}: ECN {meta:?}", R::NAME);
    }
    assert!(meta.time.is_some(), "{}: timestamp {meta:?}", R::NAME);
    assert_eq!(meta.dst, Some(Ipv4Addr::LOCALHOST.into()), "{}", R::NAME);
    assert_eq!(
        meta.from.ip(),
        Ipv4Addr::LOCALHOST,
        "{}: source {meta:?}",
        R::NAME
    );
    assert_eq!(&buf[..ROUND_BYTES], payload, "{}: contents", R::NAME);
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

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let positional: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with("--"))
        .collect();
    match positional.as_slice() {
        ["list"] => println!(
            "{} {} {} {}",
            Ours::NAME,
            OursGuide::NAME,
            OursReused::NAME,
            Quinn::NAME
        ),
        ["instr", name, n] => {
            let n: u64 = n.parse().expect("N: a number of rounds");
            let allocs = match *name {
                "ours" => instr::<Ours>(n),
                "ours-guide" => instr::<OursGuide>(n),
                "ours-reused" => instr::<OursReused>(n),
                "quinn" => instr::<Quinn>(n),
                other => panic!("unknown implementation {other}"),
            };
            println!("{name} {n} rounds of {BATCH} datagrams: allocs/datagram={allocs}");
        }
        ["rate"] => {
            // Interleaved, so that both see the same machine; the best of 5 each.
            let (mut ours, mut guide) = (Ours::new(), OursGuide::new());
            let (mut reused, mut quinn) = (OursReused::new(), Quinn::new());
            let mut best = [0f64; 4];
            let time = Duration::from_millis(400);
            for _ in 0..5 {
                best[0] = best[0].max(rate(&mut ours, time));
                best[1] = best[1].max(rate(&mut guide, time));
                best[2] = best[2].max(rate(&mut reused, time));
                best[3] = best[3].max(rate(&mut quinn, time));
            }
            let names = [Ours::NAME, OursGuide::NAME, OursReused::NAME, Quinn::NAME];
            for (name, rate) in names.iter().zip(best) {
                println!("{name}\t{rate:.0}");
            }
        }
        [] => {
            // Smoke test (cargo test --benches): both correct, ours allocation-free.
            let ours = instr::<Ours>(50);
            assert_eq!(ours, 0.0, "ours allocates {ours} times per datagram");
            let guide = instr::<OursGuide>(50);
            assert_eq!(
                guide, 0.0,
                "ours-guide allocates {guide} times per datagram"
            );
            let reused = instr::<OursReused>(50);
            assert_eq!(
                reused, 0.0,
                "ours-reused allocates {reused} times per datagram"
            );
            let quinn = instr::<Quinn>(50);
            println!("quic: ours {ours} and quinn {quinn} allocations per datagram");
            println!("quic: 4 passed, 0 failed");
        }
        _ => {
            eprintln!("usage: quic [list | instr IMPL N | rate]");
            std::process::exit(2);
        }
    }
}
