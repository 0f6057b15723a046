use ancillary::os::linux::IpTos;
use ancillary::{ControlMessage, ControlMessages};

#[derive(ControlMessages)]
enum Udp<'a> {
    Other(ControlMessage<'a>),
    Tos(IpTos),
}

fn main() {}
