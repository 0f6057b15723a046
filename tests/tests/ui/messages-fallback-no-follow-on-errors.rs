// One mistake in the enum, one error: the code that uses it adds none of its own.
use ancillary::os::linux::IpTos;
use ancillary::{ControlMessages, ControlMessagesBuf};

#[derive(ControlMessages)]
enum Udp {
    Tos(IpTos),
    Nothing,
}

fn main() {
    let buf = ControlMessagesBuf::new();
    for message in buf.parse::<Udp>() {
        let _ = message;
    }
}
