use ancillary::ControlMessage;

#[derive(ControlMessage)]
#[cmsg(level = libc::SOL_SOCKET, type = libc::SCM_RIGHTS)]
#[repr(C)]
struct Rights {
    fds: [libc::c_int],
    count: libc::c_int,
}

fn main() {}
