//! What a QUIC endpoint does with UDP, as an echo server over IPv4 and IPv6 on loopback.
//!
//! * The client sends batches of 1200-byte datagrams, each batch one `sendmsg` with a GSO
//!   segment size (`UdpSegment`) and the ECN codepoint ECT(0) (`IpTosSend`,
//!   `Ipv6Tclass`), to an address the server is not bound to by name (127.0.0.2 and ::1 on
//!   servers bound to 0.0.0.0 and ::).
//! * The server receives with `recv_mmsg`, a batch per system call, with GRO (`UdpGro`:
//!   one coalesced buffer per batch), the ECN bits and the destination address
//!   (`InPktinfo`, `In6Pktinfo`): one `match` per control message over a
//!   `#[derive(ControlMessages)]` enum.
//! * It echoes each coalesced buffer back in one `send_mmsg_to` with GSO again, the same
//!   ECN bits, and the source address set to the destination the client used, so the
//!   answer comes from the address the client sent to (a wildcard socket would otherwise
//!   answer from 127.0.0.1).
//!
//! No `unsafe`, no `libc` struct by hand, and the receive and send paths allocate nothing
//! per datagram (the buffers are made once). It exits by itself:
//! `cargo run -p examples --example quic_echo` (Linux; elsewhere it says so and exits).

#[cfg(target_os = "linux")]
mod echo {
    use std::io;
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
    use std::os::fd::AsFd;
    use std::thread;
    use std::time::Duration;

    use ancillary::os::linux::{
        recv_mmsg, send_mmsg_to, Ecn, In6Pktinfo, InPktinfo, IpTos, IpTosSend, Ipv6Tclass,
        RecvMmsg, RecvOptionsExt, SendMmsg, SocketOptionsExt, UdpGro, UdpSegment,
    };
    use ancillary::{
        AncillaryData, ControlMessage, ControlMessagePayload, ControlMessages, MessageReceiver,
        MessageSender, RecvOptions, SendOptions,
    };

    /// A QUIC-sized datagram.
    const DATAGRAM: usize = 1200;
    /// Datagrams per GSO send.
    const PER_BATCH: usize = 8;
    /// Batches per address family.
    const BATCHES: usize = 4;
    /// Receive slots per `recv_mmsg`.
    const SLOTS: usize = 8;
    /// Room for one coalesced batch in each slot (GRO merges up to 64 segments).
    const SLOT_BYTES: usize = 64 * 1024;
    /// Control room per received message: GRO, ECN and the destination of either family.
    const CONTROL: usize = UdpGro::SPACE + IpTos::SPACE + Ipv6Tclass::SPACE + In6Pktinfo::SPACE;

    /// What the server reads of each received message's control data, in one match.
    #[derive(ControlMessages)]
    enum Meta<'a> {
        Gro(UdpGro),
        Tos(IpTos),
        Tclass(Ipv6Tclass),
        Dst4(InPktinfo),
        Dst6(In6Pktinfo),
        Other(ControlMessage<'a>),
    }

    /// One received message: where from, to which address, how long, its segment size
    /// (the whole length if it was not coalesced) and its ECN bits.
    #[derive(Clone, Copy, Debug)]
    struct Received {
        from: SocketAddr,
        dst: Option<IpAddr>,
        len: usize,
        stride: usize,
        ecn: Ecn,
    }

    fn read_meta(messages: &ControlMessages, from: SocketAddr, len: usize) -> io::Result<Received> {
        let mut received = Received {
            from,
            dst: None,
            len,
            stride: len,
            ecn: Ecn::NotEct,
        };
        for meta in messages.parse::<Meta>() {
            match meta? {
                Meta::Gro(gro) => received.stride = usize::from(gro.segment_size()),
                Meta::Tos(tos) => received.ecn = tos.ecn(),
                Meta::Tclass(tclass) => received.ecn = tclass.ecn(),
                Meta::Dst4(info) => received.dst = Some(info.addr().into()),
                Meta::Dst6(info) => received.dst = Some(info.addr().into()),
                Meta::Other(other) => eprintln!("server: unexpected control message {other:?}"),
            }
        }
        Ok(received)
    }

    /// A socket bound to the wildcard address of `family_of`, with everything a QUIC
    /// server turns on; GRO only where the kernel has it.
    fn server_socket(wildcard: IpAddr) -> io::Result<(UdpSocket, bool)> {
        let socket = UdpSocket::bind((wildcard, 0))?;
        socket.set_read_timeout(Some(Duration::from_secs(5)))?;
        if wildcard.is_ipv4() {
            socket.set_recv_tos_v4(true)?;
            socket.set_recv_pktinfo_v4(true)?;
        } else {
            socket.set_recv_tclass_v6(true)?;
            socket.set_recv_pktinfo_v6(true)?;
        }
        let gro = socket.set_udp_gro(true).is_ok();
        Ok((socket, gro))
    }

    /// Receives and echoes until `expected` bytes went back (or a receive times out).
    fn serve(socket: &UdpSocket, expected: usize) -> io::Result<usize> {
        let mut bufs = vec![[0u8; SLOT_BYTES]; SLOTS];
        let mut controls: Vec<AncillaryData<'static>> = (0..SLOTS)
            .map(|_| AncillaryData::with_capacity(CONTROL))
            .collect();
        let mut replies: Vec<AncillaryData<'static>> = (0..SLOTS)
            .map(|_| AncillaryData::with_capacity(CONTROL + UdpSegment::SPACE))
            .collect();
        let mut echoed = 0;
        let mut calls = 0;
        while echoed < expected {
            // Receive a batch: one system call for up to SLOTS messages.
            let mut got = [None::<Received>; SLOTS];
            let count = {
                let mut messages: [RecvMmsg<'_, 'static>; SLOTS] = {
                    let mut bufs = bufs.iter_mut();
                    let mut controls = controls.iter_mut();
                    core::array::from_fn(|_| {
                        RecvMmsg::new(bufs.next().unwrap()).ancillary_data(controls.next().unwrap())
                    })
                };
                let options = *RecvOptions::new().wait_for_one(true);
                let count = recv_mmsg(socket.as_fd(), &mut messages, options)?;
                for (slot, message) in got.iter_mut().zip(&mut messages[..count]) {
                    let from = message.addr::<SocketAddr>()?;
                    let len = message.len();
                    let control = message.ancillary_data_mut().expect("given above");
                    *slot = Some(read_meta(control.control_messages(), from, len)?);
                }
                count
            };
            calls += 1;

            // Echo the batch: one system call, each reply with GSO, ECN and its source.
            let mut addrs = [SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)); SLOTS];
            for ((reply, received), addr) in replies.iter_mut().zip(&got[..count]).zip(&mut addrs) {
                let received = received.expect("filled for each received message");
                *addr = received.from;
                reply.clear();
                if received.len > received.stride {
                    reply.add_control_message(&UdpSegment::new(received.stride as u16));
                }
                match received.dst {
                    Some(IpAddr::V4(dst)) => {
                        reply.add_control_message(&IpTosSend::from_ecn(received.ecn));
                        reply.add_control_message(&InPktinfo::from_source(dst));
                    }
                    Some(IpAddr::V6(dst)) => {
                        reply.add_control_message(&Ipv6Tclass::from_ecn(received.ecn));
                        reply.add_control_message(&In6Pktinfo::from_source(dst));
                    }
                    None => {}
                }
            }
            let mut sends: [SendMmsg<'_, 'static>; SLOTS] = {
                let mut i = 0;
                core::array::from_fn(|_| {
                    let n = got[i].map_or(0, |r| r.len);
                    let send = SendMmsg::new(&bufs[i][..n]).ancillary_data(&replies[i]);
                    i += 1;
                    send
                })
            };
            let sent = send_mmsg_to(
                socket.as_fd(),
                &mut sends[..count],
                &addrs[..count],
                SendOptions::new(),
            )?;
            assert_eq!(sent, count, "every reply of the batch was sent");
            echoed += sends[..count].iter().map(SendMmsg::sent).sum::<usize>();
            for received in got[..count].iter().flatten() {
                println!(
                    "server: {} bytes from {} to {:?} in {} datagram(s) of {}, ECN {:?}",
                    received.len,
                    received.from,
                    received.dst,
                    received.len.div_ceil(received.stride),
                    received.stride,
                    received.ecn,
                );
            }
        }
        println!("server: echoed {echoed} bytes in {calls} recv_mmsg calls");
        Ok(echoed)
    }

    /// Sends `BATCHES` GSO batches to `to`, then reads the echoes: checks that each came
    /// from `to` and kept its ECN bits. Returns the bytes echoed.
    fn client(to: SocketAddr, gso: bool) -> io::Result<usize> {
        let wildcard: IpAddr = if to.is_ipv4() {
            Ipv4Addr::UNSPECIFIED.into()
        } else {
            Ipv6Addr::UNSPECIFIED.into()
        };
        let socket = UdpSocket::bind((wildcard, 0))?;
        socket.set_read_timeout(Some(Duration::from_secs(5)))?;
        if to.is_ipv4() {
            socket.set_recv_tos_v4(true)?;
        } else {
            socket.set_recv_tclass_v6(true)?;
        }
        let _ = socket.set_udp_gro(true);

        let payload: Vec<u8> = (0..DATAGRAM * PER_BATCH)
            .map(|i| (i / DATAGRAM) as u8)
            .collect();
        let mut ancillary = AncillaryData::with_capacity(UdpSegment::SPACE + IpTosSend::SPACE);
        if to.is_ipv4() {
            ancillary.add_control_message(&IpTosSend::from_ecn(Ecn::Ect0));
        } else {
            ancillary.add_control_message(&Ipv6Tclass::from_ecn(Ecn::Ect0));
        }
        if gso {
            ancillary.add_control_message(&UdpSegment::new(DATAGRAM as u16));
        }
        for _ in 0..BATCHES {
            if gso {
                MessageSender::new(&socket, &payload)
                    .ancillary_data(&mut ancillary)
                    .send_to(&to)?;
            } else {
                for datagram in payload.chunks(DATAGRAM) {
                    MessageSender::new(&socket, datagram)
                        .ancillary_data(&mut ancillary)
                        .send_to(&to)?;
                }
            }
        }

        let expected = BATCHES * payload.len();
        let mut buf = vec![0u8; SLOT_BYTES];
        let mut control = AncillaryData::with_capacity(CONTROL);
        let mut total = 0;
        while total < expected {
            let (n, result, from) = MessageReceiver::new(&socket, &mut buf)
                .ancillary_data(&mut control)
                .recv_from()?;
            assert!(!result.normal_data_truncated());
            assert_eq!(
                from.ip(),
                to.ip(),
                "the echo comes from the address sent to"
            );
            let meta = read_meta(control.control_messages(), from, n)?;
            assert_eq!(meta.ecn, Ecn::Ect0, "the echo keeps its ECN bits");
            assert!(buf[..n]
                .chunks(DATAGRAM)
                .all(|d| d.iter().all(|&b| b == d[0])));
            total += n;
        }
        println!("client: {total} bytes echoed from {to}");
        Ok(total)
    }

    /// One address family: a server thread and the client.
    fn run(wildcard: IpAddr, target: IpAddr) -> io::Result<()> {
        let (server, gro) = server_socket(wildcard)?;
        let to = SocketAddr::new(target, server.local_addr()?.port());
        let expected = BATCHES * PER_BATCH * DATAGRAM;
        println!(
            "--- {to} (GRO {})",
            if gro { "on" } else { "not available" }
        );
        let handle = thread::spawn(move || serve(&server, expected));
        let gso = gso_works(to)?;
        let echoed = client(to, gso)?;
        let served = handle.join().expect("the server thread")?;
        assert_eq!((echoed, served), (expected, expected));
        Ok(())
    }

    /// Whether a GSO send works here (Linux 4.18+, and not every emulator): one probe
    /// to a socket nobody reads.
    fn gso_works(like: SocketAddr) -> io::Result<bool> {
        let sink = UdpSocket::bind((like.ip(), 0))?;
        let probe = UdpSocket::bind((like.ip(), 0))?;
        let mut ancillary = AncillaryData::with_capacity(UdpSegment::SPACE);
        ancillary.add_control_message(&UdpSegment::new(DATAGRAM as u16));
        let sent = MessageSender::new(&probe, &[0u8; 2 * DATAGRAM])
            .ancillary_data(&mut ancillary)
            .send_to(&sink.local_addr()?);
        match sent {
            Ok(_) => Ok(true),
            Err(e) if matches!(e.raw_os_error(), Some(libc::EINVAL | libc::EIO)) => {
                println!("GSO not available here ({e}): one sendmsg per datagram instead");
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    pub fn main() -> io::Result<()> {
        // 127.0.0.2 is as local as 127.0.0.1, but the server must be told to answer from it.
        run(
            Ipv4Addr::UNSPECIFIED.into(),
            Ipv4Addr::new(127, 0, 0, 2).into(),
        )?;
        if UdpSocket::bind((Ipv6Addr::LOCALHOST, 0)).is_ok() {
            run(Ipv6Addr::UNSPECIFIED.into(), Ipv6Addr::LOCALHOST.into())?;
        } else {
            println!("--- no IPv6 loopback here: the IPv6 half is skipped");
        }
        println!("done");
        Ok(())
    }
}

#[cfg(target_os = "linux")]
fn main() -> std::io::Result<()> {
    echo::main()
}

#[cfg(not(target_os = "linux"))]
fn main() {
    println!("this example uses Linux's UDP GSO/GRO and recvmmsg; it does nothing here");
}
