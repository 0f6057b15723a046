// A fixed-size payload: parsed by copying, at any alignment.
#[derive(ControlMessage)]
#[cmsg(level = libc::IPPROTO_IP, type = libc::IP_PKTINFO)]
#[repr(C)]
struct InPktinfo {
    ifindex: libc::c_int,
    spec_dst: [u8; 4],
    addr: [u8; 4],
}
