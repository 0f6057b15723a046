use ancillary::SocketOption;

#[derive(SocketOption, Clone, Copy)]
#[sockopt(level = libc::SOL_UDP, name = libc::UDP_GRO)]
#[repr(transparent)]
struct UdpGro(bool);

fn main() {}
