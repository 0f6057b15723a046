//! Receiving 32 UDP datagrams, each with its own `IP_TTL` control message (received with
//! `IP_RECVTTL`), three ways: one multishot io_uring `recvmsg` over a registered buffer
//! ring (`ancillary::io_uring::RecvMsgMulti`, each buffer parsed and its control data read
//! in place, owning any descriptors, with `take_in_place`), `recv_mmsg`, and one `recvmsg`
//! per datagram. Every iteration sends the batch with one `send_mmsg_to` and receives all
//! of it (the first iteration checks each TTL). Linux only; without io_uring (a sandbox)
//! the multishot case is left out with a `skipped:` line.

use criterion::{criterion_group, criterion_main, Criterion};

#[cfg(io_uring_target)]
fn benches(criterion: &mut Criterion) {
    linux::benches(criterion);
}

#[cfg(not(io_uring_target))]
fn benches(_: &mut Criterion) {}

criterion_group!(all, benches);
criterion_main!(all);

#[cfg(io_uring_target)]
mod linux {
    use std::alloc::{alloc_zeroed, dealloc, Layout};
    use std::net::{SocketAddr, UdpSocket};
    use std::os::fd::AsFd;
    use std::sync::atomic::{AtomicU16, Ordering};

    use ancillary::io_uring::RecvMsgMulti;
    use ancillary::os::linux::{recv_mmsg, send_mmsg_to, RecvMmsg, RecvOptionsExt, SendMmsg};
    use ancillary::{
        AncillaryData, ControlMessage, ControlMessages, MessageReceiver, RecvOptions, SendOptions,
    };
    use criterion::measurement::WallTime;
    use criterion::{BenchmarkGroup, Criterion};
    use io_uring::types::BufRingEntry;
    use io_uring::{cqueue, IoUring};

    const BATCH: usize = 32;
    const PAYLOAD: usize = 64;
    /// Twice the batch, so that the kernel never runs out before buffers are given back
    /// (a power of two, as a buffer ring's size must be).
    const BUFFERS: u16 = 64;
    const GROUP: u16 = 3;
    const MULTI: u64 = 1;

    struct Fixture {
        sender: UdpSocket,
        receiver: UdpSocket,
        to: SocketAddr,
        controls: Vec<AncillaryData<'static>>,
    }

    fn fixture() -> Fixture {
        let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
        let receiver = UdpSocket::bind("127.0.0.1:0").unwrap();
        ancillary::os::linux::SocketOptionsExt::set_recv_ttl_v4(&receiver, true).unwrap();
        let to = receiver.local_addr().unwrap();
        let controls = (0..BATCH)
            .map(|i| {
                let ttl = (i as libc::c_int + 1).to_ne_bytes();
                let mut ancillary = AncillaryData::with_capacity(64);
                ancillary.add_control_message(ControlMessage::new(
                    libc::IPPROTO_IP,
                    libc::IP_TTL,
                    &ttl,
                ));
                ancillary
            })
            .collect();
        Fixture {
            sender,
            receiver,
            to,
            controls,
        }
    }

    fn ttl(messages: &ControlMessages) -> Option<libc::c_int> {
        messages
            .iter()
            .find(|m| m.cmsg_level() == libc::IPPROTO_IP && m.cmsg_type() == libc::IP_TTL)
            .map(|m| libc::c_int::from_ne_bytes(m.data()[..4].try_into().unwrap()))
    }

    /// Sends the batch with one `sendmmsg`.
    fn send_batch(f: &Fixture, out: &mut [SendMmsg<'_, '_>]) {
        let addrs = [f.to; BATCH];
        let sent = send_mmsg_to(f.sender.as_fd(), out, &addrs, SendOptions::new());
        assert_eq!(sent.unwrap(), BATCH);
    }

    /// Runs `f` under criterion, or, with `URING_BENCH_ONLY=<name>` set, only the case of
    /// that name `URING_BENCH_ITERS` times (default 1000) without criterion: for counting
    /// system calls (`strace -c -f`) or instructions (`perf stat -e instructions:u`) of
    /// two runs whose difference cancels the set-up.
    fn bench(group: &mut BenchmarkGroup<'_, WallTime>, name: &str, f: &mut dyn FnMut()) {
        if let Ok(only) = std::env::var("URING_BENCH_ONLY") {
            if only == name {
                let iters = std::env::var("URING_BENCH_ITERS")
                    .map_or(1000, |v| v.parse().expect("URING_BENCH_ITERS: a number"));
                for _ in 0..iters {
                    f();
                }
            }
            return;
        }
        group.bench_function(name, |b| b.iter(&mut *f));
    }

    /// A buffer ring registered for group [`GROUP`]: [`BUFFERS`] entries in page-aligned
    /// memory that the kernel reads, naming buffers of `len` bytes from `base` on.
    struct BufRing {
        entries: *mut BufRingEntry,
        layout: Layout,
        tail: u16,
        base: *mut u8,
        len: usize,
    }

    impl BufRing {
        /// `None` if the kernel has no buffer rings (before 5.19).
        fn register(ring: &IoUring, base: *mut u8, len: usize) -> Option<BufRing> {
            let layout =
                Layout::from_size_align(usize::from(BUFFERS) * size_of::<BufRingEntry>(), 4096)
                    .unwrap();
            // SAFETY: the layout has a non-zero size.
            let entries = unsafe { alloc_zeroed(layout) }.cast::<BufRingEntry>();
            assert!(!entries.is_null(), "allocation failed");
            // SAFETY: page-aligned memory for `BUFFERS` entries (a power of two), which
            // outlives the registration: `Drop` frees it only after the ring is dropped
            // (the benchmark drops the ring first), and the ring is unregistered with it.
            let registered = unsafe {
                ring.submitter()
                    .register_buf_ring_with_flags(entries as u64, BUFFERS, GROUP, 0)
            };
            if registered.is_err() {
                // SAFETY: allocated just above with this layout, never registered.
                unsafe { dealloc(entries.cast(), layout) };
                return None;
            }
            Some(BufRing {
                entries,
                layout,
                tail: 0,
                base,
                len,
            })
        }

        /// Puts buffer `bid` in the next entry (the kernel sees it after `publish`).
        fn push(&mut self, bid: u16) {
            let slot = usize::from(self.tail & (BUFFERS - 1));
            // SAFETY: `slot` is below `BUFFERS`, inside the allocation; the kernel reads
            // only entries before the published tail, and this one is past it.
            let entry = unsafe { &mut *self.entries.add(slot) };
            // SAFETY: buffer `bid` lies inside the caller's storage (`bid < BUFFERS`).
            entry.set_addr(unsafe { self.base.add(usize::from(bid) * self.len) } as u64);
            entry.set_len(self.len as u32);
            entry.set_bid(bid);
            self.tail = self.tail.wrapping_add(1);
        }

        /// Makes the pushed entries visible to the kernel.
        fn publish(&self) {
            // SAFETY: the tail field of the ring's first entry, which the kernel reads
            // atomically; it is a `u16` aligned to 2 in memory this value owns.
            let tail = unsafe { AtomicU16::from_ptr(BufRingEntry::tail(self.entries).cast_mut()) };
            tail.store(self.tail, Ordering::Release);
        }
    }

    impl Drop for BufRing {
        fn drop(&mut self) {
            // SAFETY: allocated in `register` with this layout; the ring that read it is
            // gone (dropped before this value).
            unsafe { dealloc(self.entries.cast(), self.layout) };
        }
    }

    pub fn benches(criterion: &mut Criterion) {
        let mut group = criterion.benchmark_group("udp_recv_32_datagrams_each_with_ttl");
        let payload = [7u8; PAYLOAD];

        // Multishot io_uring receive.
        let f = fixture();
        let mut out: Vec<SendMmsg<'_, '_>> = f
            .controls
            .iter()
            .map(|control| SendMmsg::new(&payload).ancillary_data(control))
            .collect();
        match IoUring::new(256) {
            Err(err) => tests::skipped("io_uring multishot", &format!("io_uring_setup: {err}")),
            Ok(mut ring) => {
                let multi = RecvMsgMulti::new(0, 64).unwrap();
                let len = multi.buffer_len(PAYLOAD);
                let mut storage = vec![0u8; len * usize::from(BUFFERS)];
                // The buffers are handed to the kernel through a registered buffer ring:
                // giving one back is three stores and a release of the tail, no entry.
                let Some(mut buffers) = BufRing::register(&ring, storage.as_mut_ptr(), len) else {
                    tests::skipped("io_uring multishot", "no buffer rings on this kernel");
                    return;
                };
                for bid in 0..BUFFERS {
                    buffers.push(bid);
                }
                buffers.publish();
                let arm = |ring: &mut IoUring| {
                    let entry = multi.entry(f.receiver.as_fd(), GROUP).user_data(MULTI);
                    // SAFETY: the entry points at `multi`'s header, which is never freed.
                    unsafe { ring.submission().push(&entry) }.unwrap();
                };
                arm(&mut ring);
                ring.submit().unwrap();
                let mut multishot = |check: bool| {
                    send_batch(&f, &mut out);
                    let mut got = 0;
                    let mut rearm = false;
                    while got < BATCH {
                        ring.submit_and_wait(1).unwrap();
                        for cqe in ring.completion() {
                            // Ended (say, ENOBUFS): armed again below.
                            rearm |= !cqueue::more(cqe.flags());
                            if cqe.result() < 0 {
                                assert_eq!(-cqe.result(), libc::ENOBUFS, "multishot error");
                                continue;
                            }
                            let bid = cqueue::buffer_select(cqe.flags()).unwrap();
                            let start = usize::from(bid) * len;
                            let bytes = &storage[start..start + cqe.result() as usize];
                            // SAFETY: the kernel filled buffer `bid` for this completion,
                            // taken once before it is given back.
                            let (msg, control) = unsafe { multi.take_in_place(bytes) }.unwrap();
                            assert_eq!(msg.payload().len(), PAYLOAD);
                            if check {
                                let ttl = ttl(control.control_messages());
                                assert_eq!(ttl, Some(got as i32 + 1));
                            }
                            drop(control);
                            buffers.push(bid);
                            got += 1;
                        }
                        buffers.publish();
                        if rearm {
                            arm(&mut ring);
                            rearm = false;
                        }
                    }
                };
                multishot(true);
                bench(&mut group, "io_uring_multishot", &mut || multishot(false));
                drop(ring);
                drop(buffers);
                drop(storage);
            }
        }

        // recv_mmsg: one call for the batch (or a few, with MSG_WAITFORONE).
        let f = fixture();
        let mut out: Vec<SendMmsg<'_, '_>> = f
            .controls
            .iter()
            .map(|control| SendMmsg::new(&payload).ancillary_data(control))
            .collect();
        let mut bufs = vec![[0u8; PAYLOAD]; BATCH];
        let mut received: Vec<AncillaryData<'static>> = (0..BATCH)
            .map(|_| AncillaryData::with_capacity(64))
            .collect();
        let mut inbound: Vec<RecvMmsg<'_, '_>> = bufs
            .iter_mut()
            .zip(received.iter_mut())
            .map(|(buf, ancillary)| RecvMmsg::new(buf).ancillary_data(ancillary))
            .collect();
        let wait_for_one = *RecvOptions::new().wait_for_one(true);
        let mut batched = |inbound: &mut [RecvMmsg<'_, '_>]| {
            send_batch(&f, &mut out);
            let mut got = 0;
            while got < BATCH {
                got += recv_mmsg(f.receiver.as_fd(), &mut inbound[got..], wait_for_one).unwrap();
            }
        };
        batched(&mut inbound);
        for (i, message) in inbound.iter_mut().enumerate() {
            assert_eq!(
                ttl(message.ancillary_data_mut().unwrap().control_messages()),
                Some(i as i32 + 1)
            );
        }
        bench(&mut group, "recv_mmsg", &mut || batched(&mut inbound));

        // One `recvmsg` per datagram.
        let f = fixture();
        let mut out: Vec<SendMmsg<'_, '_>> = f
            .controls
            .iter()
            .map(|control| SendMmsg::new(&payload).ancillary_data(control))
            .collect();
        let mut buf = [0u8; PAYLOAD];
        let mut received = AncillaryData::with_capacity(64);
        let mut one_by_one = |check: bool| {
            send_batch(&f, &mut out);
            for i in 0..BATCH {
                MessageReceiver::new(&f.receiver, &mut buf)
                    .ancillary_data(&mut received)
                    .recv()
                    .unwrap();
                if check {
                    assert_eq!(ttl(received.control_messages()), Some(i as i32 + 1));
                }
            }
        };
        one_by_one(true);
        bench(&mut group, "recvmsg_x32", &mut || one_by_one(false));
        group.finish();
    }
}
