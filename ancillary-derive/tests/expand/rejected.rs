// A rejected input: the errors, and stubs of everything a good expansion gives, so that
// uses of the type add no errors of their own.
#[derive(ControlMessage)]
#[cmsg(level = libc::IPPROTO_IP, typ = libc::IP_TTL)]
struct IpTtl {
    ttl: libc::c_int,
}
