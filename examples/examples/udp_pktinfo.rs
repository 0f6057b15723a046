//! A control message type defined downstream with `#[derive(ControlMessage)]`, end to end:
//! `IP_PKTINFO` over UDP loopback.
//!
//! The receiver enables `IP_PKTINFO` and learns, for each datagram, the address it was sent
//! to and the interface it arrived on. The sender attaches an `in_pktinfo` of its own whose
//! `ipi_spec_dst` picks the source address of one datagram (127.0.0.2 instead of the usual
//! 127.0.0.1) without binding the socket to it. The type below is all it takes: no
//! `unsafe`, no `zerocopy` dependency; the derive proves the layout.
//!
//! Run it with `cargo run -p examples --example udp_pktinfo` (Linux).

/// `struct in_pktinfo` from `<netinet/in.h>`, with the addresses as bytes in network order.
#[cfg(target_os = "linux")]
#[derive(ancillary::ControlMessage, Clone, Copy, Debug)]
#[cmsg(level = libc::IPPROTO_IP, type = libc::IP_PKTINFO)]
#[repr(C)]
struct InPktinfo {
    /// The interface index (0 on send: let routing choose).
    ipi_ifindex: libc::c_int,
    /// Received: the local address routing chose. Sent: the source address to use.
    ipi_spec_dst: [u8; 4],
    /// Received: the destination address in the packet header.
    ipi_addr: [u8; 4],
}

#[cfg(target_os = "linux")]
fn main() -> std::io::Result<()> {
    use std::net::{Ipv4Addr, UdpSocket};
    use std::os::fd::AsRawFd;

    use ancillary::{AncillaryData, ControlMessagePayload, MessageReceiver, MessageSender};

    let receiver = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?;
    let on: libc::c_int = 1;
    // SAFETY: IP_PKTINFO reads one `c_int` from `on`, which lives across the call.
    let rc = unsafe {
        libc::setsockopt(
            receiver.as_raw_fd(),
            libc::IPPROTO_IP,
            libc::IP_PKTINFO,
            std::ptr::from_ref(&on).cast(),
            size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let to = receiver.local_addr()?;
    // Not bound to an address, so that each datagram's source can be chosen.
    let sender = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0))?;

    // One plain datagram, and one whose source address is chosen with `ipi_spec_dst`.
    sender.send_to(b"plain", to)?;
    let choose_source = InPktinfo {
        ipi_ifindex: 0,
        ipi_spec_dst: Ipv4Addr::new(127, 0, 0, 2).octets(),
        ipi_addr: [0; 4],
    };
    let mut ancillary = AncillaryData::new();
    ancillary.add_control_message(&choose_source);
    MessageSender::new(&sender, b"from 127.0.0.2")
        .ancillary_data(&mut ancillary)
        .send_to(&to)?;
    println!("sent 2 datagrams to {to}, the second with {choose_source:?}");

    // Room for exactly one `InPktinfo` per datagram, known at compile time.
    let mut ancillary = AncillaryData::with_capacity(InPktinfo::SPACE);
    for _ in 0..2 {
        let mut buf = [0u8; 64];
        let (n, _, from) = MessageReceiver::new(&receiver, &mut buf)
            .ancillary_data(&mut ancillary)
            .recv_from()?;
        let text = String::from_utf8_lossy(&buf[..n]);
        match ancillary.control_messages().find::<InPktinfo>() {
            Some(info) => {
                let info = info?;
                println!(
                    "received {text:?} from {from}: sent to {}, interface {}, local address {}",
                    Ipv4Addr::from(info.ipi_addr),
                    info.ipi_ifindex,
                    Ipv4Addr::from(info.ipi_spec_dst),
                );
            }
            None => println!("received {text:?} from {from} without IP_PKTINFO"),
        }
    }
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn main() {
    println!("this example uses Linux's IP_PKTINFO; it does nothing on this platform");
}
