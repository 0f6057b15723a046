use ancillary::SocketOption;

#[derive(SocketOption, Clone, Copy)]
#[sockopt(level = libc::IPPROTO_IP, name = libc::IP_MTU, readonly)]
#[repr(transparent)]
struct IpMtu(libc::c_int);

fn main() {}
