//! Receiving 32 datagrams in one `recvmmsg` into buffers lent for the call, as quinn's
//! `AsyncUdpSocket::poll_recv` is lent a fresh `&mut [IoSliceMut]` on every poll (issue
//! 23): what each way of holding the batch costs per datagram. Linux only.
//!
//! Every receive reads each datagram's sender, length, GRO segment size, ECN bits,
//! destination and timestamp, the contents of quinn-udp's `RecvMeta`, on a socket that
//! quinn-udp's `UdpSocketState` set up (so that the kernel sends the same control
//! messages to all):
//!
//! * `batch`: one `RecvBatch` made once, and `recv_batch` into the lent buffers.
//! * `mmsg-heap`: a `[RecvMmsg; 32]` rebuilt per call over the lent buffers, each with a
//!   heap `AncillaryData` made once.
//! * `mmsg-stack`: the same, with an `AncillaryStorage` per message on the stack of the
//!   call (the guide's advice for one message).
//! * `quinn`: quinn-udp's `UdpSocketState::recv`.
//!
//! Commands:
//! * `batch instr IMPL N`: checks one round, runs `N` more. Under
//!   `valgrind --tool=callgrind --toggle-collect='*measured::*'` for two `N`s, the
//!   difference of the totals divided by `32 ×` the difference of the `N`s is the
//!   user-space instructions per datagram of the receive alone (the sends are not
//!   counted).
//! * `batch list`: the implementations.
//! * no arguments (or `cargo test`/`cargo bench`'s flags): a few rounds of each, checked.

#[cfg(target_os = "linux")]
fn main() {
    linux::main();
}

#[cfg(not(target_os = "linux"))]
fn main() {}

#[cfg(target_os = "linux")]
mod linux {
    use std::io::{self, IoSliceMut};
    use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
    use std::os::fd::AsFd;

    use ancillary::os::linux::{send_mmsg_to, SendMmsg};
    use ancillary::SendOptions;

    use super::measured::{Batch, MmsgHeap, MmsgStack, Quinn, Recv};

    pub const BATCH: usize = 32;
    const DATAGRAM: usize = 1200;

    /// What a receiver learns about one datagram, the same for all.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Meta {
        pub from: SocketAddr,
        pub len: usize,
        pub stride: usize,
        pub ecn: u8,
        pub dst: Option<IpAddr>,
        pub time: bool,
    }

    impl Default for Meta {
        fn default() -> Self {
            Meta {
                from: SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)),
                len: 0,
                stride: 0,
                ecn: 0,
                dst: None,
                time: false,
            }
        }
    }

    struct Fixture {
        sender: UdpSocket,
        receiver: UdpSocket,
        bufs: Vec<[u8; 1500]>,
        metas: [Meta; BATCH],
    }

    impl Fixture {
        fn new() -> Fixture {
            let receiver = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
            let sender = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
            quinn_udp::UdpSocketState::new((&receiver).into()).expect("quinn-udp's set-up");
            receiver.set_nonblocking(true).expect("non-blocking");
            Fixture {
                sender,
                receiver,
                bufs: vec![[0; 1500]; BATCH],
                metas: [Meta::default(); BATCH],
            }
        }

        /// Sends a batch, receives it with `imp`; returns the first and last metas.
        fn round<R: Recv>(&mut self, imp: &mut R) -> (Meta, Meta) {
            let payload = [7u8; DATAGRAM];
            let mut out: [SendMmsg<'_, '_>; BATCH] =
                core::array::from_fn(|_| SendMmsg::new(&payload));
            let to = [self.receiver.local_addr().expect("address"); BATCH];
            let sent = send_mmsg_to(self.sender.as_fd(), &mut out, &to, SendOptions::new());
            assert_eq!(sent.expect("sendmmsg"), BATCH);
            // A fresh `IoSliceMut` per buffer, as quinn lends them.
            let mut slices: [IoSliceMut<'_>; BATCH] = {
                let mut bufs = self.bufs.iter_mut();
                core::array::from_fn(|_| IoSliceMut::new(bufs.next().expect("a buffer")))
            };
            let mut got = 0;
            while got < BATCH {
                match imp.recv(&self.receiver, &mut slices[got..], &mut self.metas[got..]) {
                    Ok(n) => got += n,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => std::thread::yield_now(),
                    Err(e) => panic!("{e}"),
                }
            }
            (self.metas[0], self.metas[BATCH - 1])
        }
    }

    fn check<R: Recv>(fixture: &mut Fixture, imp: &mut R) {
        let (first, last) = fixture.round(imp);
        let from = fixture.sender.local_addr().expect("address");
        for meta in [first, last] {
            assert_eq!(
                (meta.from, meta.len, meta.stride),
                (from, DATAGRAM, DATAGRAM),
                "{}",
                R::NAME
            );
            assert_eq!(
                meta.dst,
                Some(IpAddr::V4(Ipv4Addr::LOCALHOST)),
                "{}",
                R::NAME
            );
            assert!(meta.time, "{}: a timestamp", R::NAME);
        }
    }

    fn run<R: Recv>(rounds: u64) {
        let mut fixture = Fixture::new();
        let mut imp = R::new();
        check(&mut fixture, &mut imp);
        for _ in 0..rounds {
            std::hint::black_box(fixture.round(&mut imp));
        }
    }

    fn run_named(name: &str, rounds: u64) -> bool {
        match name {
            Batch::NAME => run::<Batch>(rounds),
            MmsgHeap::NAME => run::<MmsgHeap>(rounds),
            MmsgStack::NAME => run::<MmsgStack>(rounds),
            Quinn::NAME => run::<Quinn>(rounds),
            _ => return false,
        }
        true
    }

    const ALL: [&str; 4] = [Batch::NAME, MmsgHeap::NAME, MmsgStack::NAME, Quinn::NAME];

    pub fn main() {
        let args: Vec<String> = std::env::args().skip(1).collect();
        match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
            ["list"] => println!("{}", ALL.join(" ")),
            ["instr", name, rounds] => {
                let rounds = rounds.parse().expect("a number of rounds");
                assert!(run_named(name, rounds), "unknown implementation {name}");
                println!("{name} {rounds} rounds of {BATCH} datagrams");
            }
            _ => {
                for name in ALL {
                    assert!(run_named(name, 3));
                }
            }
        }
    }
}

/// The receives under measurement, each in a function of its own that callgrind collects.
#[cfg(target_os = "linux")]
mod measured {
    use std::io::{self, IoSliceMut};
    use std::net::{IpAddr, SocketAddr, UdpSocket};
    use std::os::fd::AsFd;

    use ancillary::os::linux::{
        recv_batch, recv_mmsg, InPktinfo, IpTos, RecvBatch, RecvMmsg, TimestampNs, UdpGro,
    };
    use ancillary::{
        AncillaryData, AncillaryStorage, ControlMessagePayload, ControlMessages, RecvOptions,
    };

    use super::linux::{Meta, BATCH};

    pub trait Recv {
        const NAME: &'static str;
        fn new() -> Self;
        fn recv(
            &mut self,
            socket: &UdpSocket,
            bufs: &mut [IoSliceMut<'_>],
            metas: &mut [Meta],
        ) -> io::Result<usize>;
    }

    const ROOM: usize = UdpGro::SPACE + IpTos::SPACE + InPktinfo::SPACE + TimestampNs::SPACE;

    #[derive(ancillary::ControlMessages)]
    enum Udp {
        Time(TimestampNs),
        Gro(UdpGro),
        Dst(InPktinfo),
        Tos(IpTos),
    }

    #[inline(always)]
    fn read(messages: &ControlMessages, from: SocketAddr, len: usize) -> Meta {
        let mut meta = Meta {
            from,
            len,
            stride: len,
            ..Meta::default()
        };
        for message in messages.parse::<Udp>() {
            match message {
                Ok(Udp::Gro(gro)) => meta.stride = usize::from(gro.segment_size()),
                Ok(Udp::Tos(tos)) => meta.ecn = tos.ecn().bits(),
                Ok(Udp::Dst(info)) => meta.dst = Some(IpAddr::V4(info.addr())),
                Ok(Udp::Time(time)) => meta.time = time.since_epoch().is_some(),
                Err(_) => {}
            }
        }
        meta
    }

    pub struct Batch(RecvBatch<'static>);

    impl Recv for Batch {
        const NAME: &'static str = "batch";

        fn new() -> Self {
            Batch(RecvBatch::new(BATCH, ROOM))
        }

        #[inline(never)]
        fn recv(
            &mut self,
            socket: &UdpSocket,
            bufs: &mut [IoSliceMut<'_>],
            metas: &mut [Meta],
        ) -> io::Result<usize> {
            let n = recv_batch(socket.as_fd(), &mut self.0, bufs, RecvOptions::new())?;
            for (message, meta) in self.0.messages().iter().zip(metas.iter_mut()) {
                let from = message.addr()?;
                *meta = read(
                    message.ancillary_data().control_messages(),
                    from,
                    message.len(),
                );
            }
            Ok(n)
        }
    }

    /// Rebuilds `[RecvMmsg; BATCH]` over `bufs` and `ancillary`, receives, reads.
    #[inline(always)]
    fn mmsg(
        socket: &UdpSocket,
        bufs: &mut [IoSliceMut<'_>],
        ancillary: &mut [AncillaryData<'_>; BATCH],
        metas: &mut [Meta],
    ) -> io::Result<usize> {
        let mut bufs = bufs.iter_mut();
        let mut ancillary = ancillary.iter_mut();
        let mut messages: [RecvMmsg<'_, '_>; BATCH] = core::array::from_fn(|_| {
            let control = ancillary.next().expect("one per message");
            match bufs.next() {
                Some(buf) => RecvMmsg::new(buf).ancillary_data(control),
                None => RecvMmsg::new(&mut []),
            }
        });
        let count = BATCH.min(metas.len());
        let n = recv_mmsg(socket.as_fd(), &mut messages[..count], RecvOptions::new())?;
        for (message, meta) in messages.iter_mut().zip(metas.iter_mut()).take(n) {
            let from = message.addr()?;
            let len = message.len();
            let control = message.ancillary_data_mut().expect("given");
            *meta = read(control.control_messages(), from, len);
        }
        Ok(n)
    }

    pub struct MmsgHeap(Box<[AncillaryData<'static>; BATCH]>);

    impl Recv for MmsgHeap {
        const NAME: &'static str = "mmsg-heap";

        fn new() -> Self {
            MmsgHeap(Box::new(core::array::from_fn(|_| {
                AncillaryData::with_capacity(ROOM)
            })))
        }

        #[inline(never)]
        fn recv(
            &mut self,
            socket: &UdpSocket,
            bufs: &mut [IoSliceMut<'_>],
            metas: &mut [Meta],
        ) -> io::Result<usize> {
            mmsg(socket, bufs, &mut self.0, metas)
        }
    }

    pub struct MmsgStack;

    impl Recv for MmsgStack {
        const NAME: &'static str = "mmsg-stack";

        fn new() -> Self {
            MmsgStack
        }

        #[inline(never)]
        fn recv(
            &mut self,
            socket: &UdpSocket,
            bufs: &mut [IoSliceMut<'_>],
            metas: &mut [Meta],
        ) -> io::Result<usize> {
            let mut storage = [const { AncillaryStorage::<ROOM>::new() }; BATCH];
            let mut storage = storage.iter_mut();
            let mut ancillary: [AncillaryData<'_>; BATCH] = core::array::from_fn(|_| {
                AncillaryData::with_storage(storage.next().expect("one per message"))
            });
            mmsg(socket, bufs, &mut ancillary, metas)
        }
    }

    pub struct Quinn {
        state: Option<quinn_udp::UdpSocketState>,
        metas: [quinn_udp::RecvMeta; BATCH],
    }

    impl Recv for Quinn {
        const NAME: &'static str = "quinn";

        fn new() -> Self {
            Quinn {
                state: None,
                metas: [quinn_udp::RecvMeta::default(); BATCH],
            }
        }

        #[inline(never)]
        fn recv(
            &mut self,
            socket: &UdpSocket,
            bufs: &mut [IoSliceMut<'_>],
            metas: &mut [Meta],
        ) -> io::Result<usize> {
            let state = match &mut self.state {
                Some(state) => state,
                None => self
                    .state
                    .insert(quinn_udp::UdpSocketState::new(socket.into())?),
            };
            let n = state.recv(socket.into(), bufs, &mut self.metas)?;
            for (theirs, meta) in self.metas.iter().zip(metas.iter_mut()).take(n) {
                *meta = Meta {
                    from: theirs.addr,
                    len: theirs.len,
                    stride: theirs.stride,
                    ecn: theirs.ecn.map_or(0, |ecn| ecn as u8),
                    dst: theirs.dst_ip,
                    time: theirs.timestamp.is_some(),
                };
            }
            Ok(n)
        }
    }
}
