// A value option (`Raw = Self`), read-only: the layout proof, `PayloadField`, and only
// `GetSocketOption`.
#[derive(SocketOption)]
#[sockopt(level = libc::IPPROTO_IP, name = libc::IP_MTU, read_only)]
#[repr(C)]
struct IpMtu {
    mtu: libc::c_int,
}
