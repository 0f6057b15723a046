use ancillary::ControlMessage;

#[derive(ControlMessage)]
#[cmsg(level = libc::IPPROTO_IP, type = libc::IP_TTL)]
#[repr(C)]
struct IpTtl<T> {
    ttl: T,
}

fn main() {}
