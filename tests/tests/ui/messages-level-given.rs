use ancillary::os::linux::IpTos;
use ancillary::ControlMessages;

#[derive(ControlMessages)]
#[cmsg(level = libc::IPPROTO_IP, type = libc::IP_TOS)]
enum Udp {
    Tos(IpTos),
}

fn main() {}
