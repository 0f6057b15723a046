use ancillary::ControlMessage;

#[derive(ControlMessage)]
#[cmsg(level = libc::SOL_SOCKET, type = libc::SCM_RIGHTS)]
#[repr(C)]
struct Nothing {}

fn main() {}
