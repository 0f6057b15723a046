use ancillary::SocketOption;

#[derive(SocketOption, Clone, Copy)]
#[sockopt(name = libc::SO_RCVBUF)]
#[repr(transparent)]
struct RcvBuf(libc::c_int);

fn main() {}
