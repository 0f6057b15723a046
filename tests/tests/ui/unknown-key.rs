use ancillary::ControlMessage;

#[derive(ControlMessage)]
#[cmsg(level = libc::IPPROTO_IP, typ = libc::IP_TTL)]
#[repr(C)]
struct IpTtl {
    ttl: libc::c_int,
}

fn main() {}
