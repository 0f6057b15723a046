use ancillary::ControlMessage;

#[derive(ControlMessage)]
#[cmsg(level = libc::IPPROTO_IP, type = libc::IP_TTL)]
#[repr(C)]
union IpTtl {
    ttl: libc::c_int,
    bytes: [u8; 4],
}

fn main() {}
