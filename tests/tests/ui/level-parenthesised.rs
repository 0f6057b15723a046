use ancillary::ControlMessage;

#[derive(ControlMessage)]
#[cmsg(level(libc::IPPROTO_IP), type = libc::IP_TTL)]
#[repr(C)]
struct IpTtl {
    ttl: libc::c_int,
}

fn main() {}
