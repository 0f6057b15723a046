//! One multishot io_uring `recvmsg` receiving UDP datagrams with their ECN bits and
//! destination address (`IP_RECVTOS`, `IP_PKTINFO`) into provided buffers, parsed with
//! `ancillary::io_uring::RecvMsgMulti`. Linux only; prints why if io_uring is refused.
//!
//! `cargo run -p examples --example uring_multishot`

#[cfg(io_uring_target)]
fn main() -> std::io::Result<()> {
    use std::net::{SocketAddr, UdpSocket};
    use std::os::fd::AsFd;

    use ancillary::io_uring::RecvMsgMulti;
    use ancillary::os::linux::sockopt::{IpPktinfo, IpRecvTos};
    use ancillary::{set_socket_option, AncillaryData, SocketOption};
    use io_uring::{cqueue, opcode, IoUring};

    const GROUP: u16 = 1;
    const BUFFERS: u16 = 8;

    /// `IP_TOS`: the TOS byte of the datagrams a socket sends (the crate has no type for
    /// it, so the example derives one).
    #[derive(SocketOption, Clone, Copy)]
    #[sockopt(level = libc::IPPROTO_IP, name = libc::IP_TOS)]
    #[repr(transparent)]
    struct IpTos(libc::c_int);

    let mut ring = match IoUring::new(16) {
        Ok(ring) => ring,
        Err(err) => {
            println!("io_uring unavailable here: {err}");
            return Ok(());
        }
    };
    let receiver = UdpSocket::bind("127.0.0.1:0")?;
    let sender = UdpSocket::bind("127.0.0.1:0")?;
    set_socket_option(&receiver, &IpRecvTos(true))?;
    set_socket_option(&receiver, &IpPktinfo(true))?;
    set_socket_option(&sender, &IpTos(0x01))?; // ECT(1)

    // Each buffer: the io_uring_recvmsg_out header, a sockaddr_storage, 64 bytes of
    // control data, 1500 bytes of payload.
    let multi = RecvMsgMulti::new(size_of::<libc::sockaddr_storage>(), 64)?;
    let len = multi.buffer_len(1500);
    let mut storage = vec![0u8; len * usize::from(BUFFERS)];
    let provide = opcode::ProvideBuffers::new(storage.as_mut_ptr(), len as i32, BUFFERS, GROUP, 0)
        .build()
        .user_data(0);
    let receive = multi.entry(receiver.as_fd(), GROUP).user_data(1);
    // SAFETY: `storage` outlives the ring (dropped first, below); the multishot entry
    // points at `multi`'s header, which is never freed.
    unsafe { ring.submission().push_multiple(&[provide, receive]) }.expect("queue room");
    ring.submit_and_wait(1)?;

    for text in ["first", "second", "third"] {
        sender.send_to(text.as_bytes(), receiver.local_addr()?)?;
    }
    let mut ancillary = AncillaryData::with_capacity(64);
    let mut seen = 0;
    while seen < 3 {
        ring.submit_and_wait(1)?;
        let completions: Vec<_> = ring.completion().collect();
        for cqe in completions {
            if cqe.user_data() != 1 {
                continue;
            }
            if cqe.result() < 0 {
                return Err(std::io::Error::from_raw_os_error(-cqe.result()));
            }
            let id = usize::from(cqueue::buffer_select(cqe.flags()).expect("a buffer"));
            let bytes = &storage[id * len..][..cqe.result() as usize];
            // SAFETY: the kernel filled this buffer for this completion of `multi`'s
            // request, and it is taken once.
            let out = unsafe { multi.take(bytes, &mut ancillary) }?;
            let from: SocketAddr = out.address()?.to_address()?;
            let ecn = out
                .control_messages()
                .iter()
                .find(|m| (m.cmsg_level(), m.cmsg_type()) == (libc::IPPROTO_IP, libc::IP_TOS))
                .map(|m| m.data()[0] & 0b11);
            let has_pktinfo = out
                .control_messages()
                .iter()
                .any(|m| (m.cmsg_level(), m.cmsg_type()) == (libc::IPPROTO_IP, libc::IP_PKTINFO));
            println!(
                "{:?} from {from}: ECN {ecn:?}, pktinfo: {has_pktinfo}, truncated: {}",
                String::from_utf8_lossy(out.payload()),
                out.flags().normal_data_truncated(),
            );
            seen += 1;
        }
    }
    drop(ring);
    drop(storage);
    Ok(())
}

#[cfg(not(io_uring_target))]
fn main() {
    println!("io_uring: Linux on x86_64, aarch64, riscv64, loongarch64 or powerpc64 only");
}
