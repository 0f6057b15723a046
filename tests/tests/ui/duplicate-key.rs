use ancillary::ControlMessage;

#[derive(ControlMessage)]
#[cmsg(level = libc::IPPROTO_IP, type = libc::IP_TTL, level = libc::SOL_SOCKET)]
#[repr(C)]
struct IpTtl {
    ttl: libc::c_int,
}

fn main() {}
