use ancillary::os::linux::IpTos;
use ancillary::ControlMessages;

#[derive(ControlMessages)]
enum Udp {
    Tos(IpTos),
    Raw(u32),
}

fn main() {}
