use ancillary::ControlMessage;

#[derive(ControlMessage)]
#[cmsg(level = libc::IPPROTO_IP, type = libc::IP_TOS, shared = true)]
#[repr(C)]
struct Tos {
    tos: u8,
}

fn main() {}
