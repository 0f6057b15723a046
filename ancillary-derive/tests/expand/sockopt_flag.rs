// A flag through a renamed crate: a C `int` for the kernel, a `bool` here; write-only, so
// only `SetSocketOption`.
#[derive(SocketOption)]
#[sockopt(crate = ::anc, level = libc::SOL_UDP, name = libc::UDP_GRO, flag, write_only)]
struct UdpGro(bool);
