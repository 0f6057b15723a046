// A builder made and dropped without `.send()`/`.recv()` does nothing: a warning, here
// denied so that the snapshot shows it.
#![deny(unused_must_use)]

use std::os::unix::net::UnixDatagram;

use ancillary::{AncillaryData, MessageReceiver, MessageSender};

fn main() {
    let (left, right) = UnixDatagram::pair().unwrap();
    MessageSender::new(&left, b"lost");
    MessageReceiver::new(&right, &mut [0; 4]);
    let mut ancillary = AncillaryData::new();
    ancillary.drain_fds();
}
