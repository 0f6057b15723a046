use ancillary::ControlMessage;

#[derive(ControlMessage)]
#[cmsg(level = if true { libc::IPPROTO_IP } else, type = libc::IP_TTL)]
#[repr(C)]
struct IpTtl {
    ttl: libc::c_int,
}

fn main() {}
