//! UDP sockets on loopback for the tests that send through the kernel.

use std::net::UdpSocket;
use std::time::Duration;

/// A UDP socket bound to `addr`, whose receives time out after ten seconds, so that a
/// missing datagram fails the test instead of hanging it.
pub fn udp_bind(addr: &str) -> UdpSocket {
    let socket = UdpSocket::bind(addr).unwrap_or_else(|err| panic!("bind {addr}: {err}"));
    with_timeout(socket)
}

fn with_timeout(socket: UdpSocket) -> UdpSocket {
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    socket
}

/// [`udp_bind`] for an IPv6 address, or `None` (and a printed reason) where IPv6 is off.
pub fn udp_bind_v6(addr: &str) -> Option<UdpSocket> {
    match UdpSocket::bind(addr) {
        Ok(socket) => Some(with_timeout(socket)),
        Err(err) => {
            crate::skipped("the whole test", &format!("no IPv6 loopback here: {err}"));
            None
        }
    }
}
