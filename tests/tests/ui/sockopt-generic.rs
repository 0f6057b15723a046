use ancillary::SocketOption;

#[derive(SocketOption, Clone, Copy)]
#[sockopt(level = libc::SOL_SOCKET, name = libc::SO_RCVBUF)]
#[repr(transparent)]
struct Buffer<T>(T);

fn main() {}
