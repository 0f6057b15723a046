//! Receiving 32 UDP datagrams, each with its own `IP_TTL` control message (received with
//! `IP_RECVTTL`), three ways: one multishot io_uring `recvmsg` over provided buffers
//! (`ancillary::io_uring::RecvMsgMulti`, each buffer parsed and its control data read in
//! place, owning any descriptors, with `take_in_place`), `recv_mmsg`, and one `recvmsg`
//! per datagram. Every iteration
//! sends the batch with one `sendmmsg` and receives all of it, checking each TTL. Linux
//! only; without io_uring (a sandbox) the multishot case is left out with a `skipped:`
//! line.

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
    use std::net::{SocketAddr, UdpSocket};
    use std::os::fd::AsFd;

    use ancillary::io_uring::RecvMsgMulti;
    use ancillary::os::linux::{recv_mmsg, send_mmsg_to, RecvMmsg, RecvOptionsExt, SendMmsg};
    use ancillary::{
        AncillaryData, ControlMessage, ControlMessages, MessageReceiver, RecvOptions, SendOptions,
    };
    use criterion::measurement::WallTime;
    use criterion::{BenchmarkGroup, Criterion};
    use io_uring::{cqueue, opcode, IoUring};

    const BATCH: usize = 32;
    const PAYLOAD: usize = 64;
    /// Twice the batch, so that the kernel never runs out between re-provisions.
    const BUFFERS: u16 = 64;
    const GROUP: u16 = 3;
    const MULTI: u64 = 1;
    const PROVIDE: u64 = 2;

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
                let base = storage.as_mut_ptr();
                let provide = |ring: &mut IoUring, bid: u16, count: u16| {
                    // SAFETY: `base` points into `storage`, which outlives the ring (the
                    // ring is dropped first at the end of this arm); buffer `bid` and the
                    // `count - 1` after it lie inside it.
                    let entry = opcode::ProvideBuffers::new(
                        unsafe { base.add(usize::from(bid) * len) },
                        len as i32,
                        count,
                        GROUP,
                        bid,
                    )
                    .build()
                    .user_data(PROVIDE);
                    // SAFETY: as above: the buffers stay valid for the ring's life.
                    unsafe { ring.submission().push(&entry) }.unwrap();
                };
                provide(&mut ring, 0, BUFFERS);
                let arm = |ring: &mut IoUring| {
                    let entry = multi.entry(f.receiver.as_fd(), GROUP).user_data(MULTI);
                    // SAFETY: the entry points at `multi`'s header, which is never freed.
                    unsafe { ring.submission().push(&entry) }.unwrap();
                };
                arm(&mut ring);
                ring.submit().unwrap();
                let mut used: Vec<u16> = Vec::with_capacity(usize::from(BUFFERS));
                let mut multishot = |check: bool| {
                    send_batch(&f, &mut out);
                    let mut got = 0;
                    let mut rearm = false;
                    while got < BATCH {
                        ring.submit_and_wait(1).unwrap();
                        for cqe in ring.completion() {
                            if cqe.user_data() != MULTI {
                                continue;
                            }
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
                            // taken once before it is provided again.
                            let (msg, control) = unsafe { multi.take_in_place(bytes) }.unwrap();
                            assert_eq!(msg.payload().len(), PAYLOAD);
                            if check {
                                let ttl = ttl(control.control_messages());
                                assert_eq!(ttl, Some(got as i32 + 1));
                            }
                            got += 1;
                            used.push(bid);
                        }
                        if rearm {
                            arm(&mut ring);
                            rearm = false;
                        }
                    }
                    // The used buffers go back in runs of consecutive ids: usually one
                    // entry for the whole batch.
                    used.sort_unstable();
                    let mut run = 0;
                    while run < used.len() {
                        let mut end = run + 1;
                        while end < used.len() && used[end] == used[end - 1] + 1 {
                            end += 1;
                        }
                        provide(&mut ring, used[run], (end - run) as u16);
                        run = end;
                    }
                    used.clear();
                    ring.submit().unwrap();
                };
                multishot(true);
                bench(&mut group, "io_uring_multishot", &mut || multishot(false));
                drop(ring);
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
