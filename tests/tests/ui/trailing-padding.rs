use ancillary::ControlMessage;

#[derive(ControlMessage)]
#[cmsg(level = libc::IPPROTO_IP, type = libc::IP_TOS)]
#[repr(C)]
struct Padded {
    value: u32,
    tos: u8,
}

fn main() {}
