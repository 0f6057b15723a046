use ancillary::PayloadField;

#[derive(PayloadField)]
#[cmsg(level = libc::IPPROTO_IP, type = libc::IP_TTL)]
#[repr(C)]
struct Plain {
    value: u32,
}

fn main() {}
