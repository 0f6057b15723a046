use ancillary::SocketOption;

#[derive(SocketOption)]
#[sockopt(level = libc::SOL_SOCKET, name = libc::SO_RCVBUF)]
#[repr(transparent)]
struct RcvBuf(libc::c_int);

fn main() {}
