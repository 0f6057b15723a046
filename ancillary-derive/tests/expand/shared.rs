// Another layout has the same level and type: `SHARED` is set.
#[derive(ControlMessage)]
#[cmsg(crate = crate, level = libc::IPPROTO_IP, type = libc::IP_TOS, shared)]
#[repr(C)]
struct IpTos {
    tos: u8,
}
