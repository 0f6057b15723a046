use ancillary::SocketOption;

#[derive(SocketOption, Clone, Copy)]
#[sockopt(level = libc::SOL_SOCKET)]
#[repr(transparent)]
struct RcvBuf(libc::c_int);

fn main() {}
