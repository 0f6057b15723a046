use ancillary::ControlMessage;

#[derive(ControlMessage)]
#[cmsg(level = libc::IPPROTO_IP, type = libc::IP_TOS)]
#[repr(C)]
struct Padded {
    tos: u8,
    value: u32,
}

fn main() {}
