use ancillary::SocketOption;

#[derive(SocketOption, Clone, Copy)]
#[sockopt(level = libc::SOL_SOCKET, name = libc::SO_LINGER)]
#[repr(C)]
struct Linger {
    on: u8,
    seconds: libc::c_int,
}

fn main() {}
