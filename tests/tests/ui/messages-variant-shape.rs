use ancillary::os::linux::{IpTos, IpTtl};
use ancillary::ControlMessages;

#[derive(ControlMessages)]
enum Udp {
    Nothing,
    Two(IpTos, IpTtl),
    Named { tos: IpTos },
}

fn main() {}
