use ancillary::ControlMessage;

#[derive(ControlMessage)]
#[cmsg(level = libc::IPPROTO_IP, type = libc::IP_RECVTTL)]
#[repr(C)]
struct RecvTtl {
    enabled: bool,
}

fn main() {}
