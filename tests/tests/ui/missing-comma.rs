// A syntax error in `#[cmsg]` is one error: the keys after it are still read (so `type` is
// not reported missing) and the uses of the type add nothing.
use ancillary::ControlMessage;

#[derive(ControlMessage)]
#[cmsg(level = libc::IPPROTO_IP type = libc::IP_TTL)]
#[repr(C)]
struct IpTtl {
    ttl: libc::c_int,
}

fn main() {
    let message = ControlMessage::new(libc::IPPROTO_IP, libc::IP_TTL, &[0; 4]);
    let _ = IpTtl::matches(&message);
    let _ = IpTtl::try_from(message);
}
