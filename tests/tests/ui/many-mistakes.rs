// Every mistake is reported in one build, each at its own place.
use ancillary::ControlMessage;

#[derive(ControlMessage)]
#[cmsg(levl = libc::IPPROTO_IP, type = libc::IP_TTL, type = libc::IP_TOS)]
#[repr(C, align(8))]
struct IpTtl<'a> {
    #[cmsg(level = 0)]
    ttl: &'a libc::c_int,
}

fn main() {}
