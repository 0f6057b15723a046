// A derive that fails reports its own error and nothing more: code using the type's
// generated `matches` does not add a second error per call site.
use ancillary::ControlMessage;

#[derive(ControlMessage)]
#[cmsg(level = libc::IPPROTO_IP)]
#[repr(C)]
struct IpTtl {
    ttl: libc::c_int,
}

fn main() {
    let message = ControlMessage::new(libc::IPPROTO_IP, libc::IP_TTL, &[0; 4]);
    let _ = IpTtl::matches(&message);
}
