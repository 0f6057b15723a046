use ancillary::ControlMessage;

#[derive(ControlMessage)]
#[cmsg(level = libc::SOL_SOCKET, type = libc::SCM_RIGHTS)]
#[repr(C)]
struct Nothing {
    none: [u8; 0],
    unit: (),
}

fn main() {}
