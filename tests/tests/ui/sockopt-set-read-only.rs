use ancillary::{set_socket_option, SocketOption};

#[derive(SocketOption, Clone, Copy)]
#[sockopt(level = libc::IPPROTO_IP, name = libc::IP_MTU, read_only)]
#[repr(transparent)]
struct IpMtu(libc::c_int);

fn main() {
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    set_socket_option(&socket, &IpMtu(1500)).unwrap();
}
