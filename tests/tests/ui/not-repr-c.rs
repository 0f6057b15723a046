use ancillary::ControlMessage;

#[derive(ControlMessage)]
#[cmsg(level = libc::IPPROTO_IP, type = libc::IP_TTL)]
struct IpTtl {
    ttl: libc::c_int,
}

fn main() {}
