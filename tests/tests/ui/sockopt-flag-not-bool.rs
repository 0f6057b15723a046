use ancillary::SocketOption;

#[derive(SocketOption, Clone, Copy)]
#[sockopt(level = libc::SOL_UDP, name = libc::UDP_GRO, flag)]
struct UdpGro(libc::c_int);

fn main() {}
