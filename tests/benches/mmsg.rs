//! `sendmmsg`/`recvmmsg` against one `sendmsg`/`recvmsg` per datagram: 32 UDP datagrams
//! over loopback, each with its own `IP_TTL` control message, received with `IP_RECVTTL`.
//! One iteration sends and receives the whole batch. Linux only.

use criterion::{criterion_group, criterion_main, Criterion};

#[cfg(any(target_os = "linux", target_os = "android"))]
fn benches(criterion: &mut Criterion) {
    linux::benches(criterion);
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn benches(_: &mut Criterion) {}

criterion_group!(all, benches);
criterion_main!(all);

#[cfg(any(target_os = "linux", target_os = "android"))]
mod linux {
    use std::net::{SocketAddr, UdpSocket};
    use std::os::fd::AsFd;

    use ancillary::os::linux::{recv_mmsg, send_mmsg_to, RecvMmsg, RecvOptionsExt, SendMmsg};
    use ancillary::{AncillaryData, ControlMessage, MessageReceiver, MessageSender};
    use ancillary::{RecvOptions, SendOptions};
    use criterion::Criterion;

    const BATCH: usize = 32;
    const PAYLOAD: usize = 64;

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

    /// The TTL a receive carried, to check that each datagram got its own.
    fn ttl(ancillary: &AncillaryData<'_>) -> Option<libc::c_int> {
        ancillary
            .control_messages()
            .iter()
            .find(|m| m.cmsg_level() == libc::IPPROTO_IP && m.cmsg_type() == libc::IP_TTL)
            .map(|m| libc::c_int::from_ne_bytes(m.data()[..4].try_into().unwrap()))
    }

    pub fn benches(criterion: &mut Criterion) {
        let mut group = criterion.benchmark_group("udp_32_datagrams_each_with_ttl");
        let payload = [7u8; PAYLOAD];

        // One call each way for the whole batch.
        let f = fixture();
        let mut out: Vec<SendMmsg<'_, '_>> = f
            .controls
            .iter()
            .map(|control| SendMmsg::new(&payload).ancillary_data(control))
            .collect();
        let addrs = [f.to; BATCH];
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
            let sent = send_mmsg_to(f.sender.as_fd(), &mut out, &addrs, SendOptions::new());
            assert_eq!(sent.unwrap(), BATCH);
            let mut got = 0;
            while got < BATCH {
                got += recv_mmsg(f.receiver.as_fd(), &mut inbound[got..], wait_for_one).unwrap();
            }
        };
        batched(&mut inbound);
        for (i, message) in inbound.iter_mut().enumerate() {
            assert_eq!(
                ttl(message.ancillary_data_mut().unwrap()),
                Some(i as i32 + 1)
            );
        }
        group.bench_function("sendmmsg+recvmmsg", |b| b.iter(|| batched(&mut inbound)));

        // One `sendmsg` and one `recvmsg` per datagram.
        let f = fixture();
        let mut buf = [0u8; PAYLOAD];
        let mut received = AncillaryData::with_capacity(64);
        let mut controls = f.controls;
        let mut one_by_one = |check: bool| {
            for control in &mut controls {
                MessageSender::new(&f.sender, &payload)
                    .ancillary_data(control)
                    .send_to(&f.to)
                    .unwrap();
            }
            for i in 0..BATCH {
                MessageReceiver::new(&f.receiver, &mut buf)
                    .ancillary_data(&mut received)
                    .recv()
                    .unwrap();
                if check {
                    assert_eq!(ttl(&received), Some(i as i32 + 1));
                }
            }
        };
        one_by_one(true);
        group.bench_function("sendmsg+recvmsg_x32", |b| b.iter(|| one_by_one(false)));
        group.finish();
    }
}
