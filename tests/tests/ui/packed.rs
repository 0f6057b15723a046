use ancillary::ControlMessage;

#[derive(ControlMessage)]
#[cmsg(level = libc::IPPROTO_IP, type = libc::IP_TOS)]
#[repr(C, packed)]
struct Tos {
    tos: u8,
    value: u32,
}

fn main() {}
