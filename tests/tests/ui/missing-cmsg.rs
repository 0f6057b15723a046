use ancillary::ControlMessage;

#[derive(ControlMessage)]
#[repr(C)]
struct IpTtl {
    ttl: libc::c_int,
}

fn main() {}
