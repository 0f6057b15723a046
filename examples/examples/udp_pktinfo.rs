//! `IP_PKTINFO` over UDP loopback, with the crate's built-in typed message and socket
//! option: no `unsafe`, no C struct by hand.
//!
//! The receiver enables `IP_PKTINFO` and learns, for each datagram, the address it was sent
//! to and the interface it arrived on. The sender attaches an `in_pktinfo` of its own whose
//! `ipi_spec_dst` picks the source address of one datagram (127.0.0.2 instead of the usual
//! 127.0.0.1) without binding the socket to it. (`InPktinfo` is itself a few lines of
//! `#[derive(ControlMessage)]` over `libc::in_pktinfo`; any other message is made the same
//! way.)
//!
//! Run it with `cargo run -p examples --example udp_pktinfo` (Linux).

#[cfg(target_os = "linux")]
fn main() -> std::io::Result<()> {
    use std::net::{Ipv4Addr, UdpSocket};

    use ancillary::os::linux::{InPktinfo, SocketOptionsExt};
    use ancillary::{AncillaryData, ControlMessagePayload, MessageReceiver, MessageSender};

    let receiver = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?;
    receiver.set_recv_pktinfo_v4(true)?;
    let to = receiver.local_addr()?;
    // Not bound to an address, so that each datagram's source can be chosen.
    let sender = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0))?;

    // One plain datagram, and one whose source address is chosen with `ipi_spec_dst`.
    sender.send_to(b"plain", to)?;
    let choose_source = InPktinfo::from_source(Ipv4Addr::new(127, 0, 0, 2));
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
                    info.addr(),
                    info.ifindex(),
                    info.spec_dst(),
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
