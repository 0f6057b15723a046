// The same for a slice-tailed type, whose conversion is `TryFrom<ControlMessage> for &T`.
use ancillary::{ControlMessage, ControlMessagePayload, PayloadError};

#[derive(ControlMessage)]
#[cmsg(level = libc::SOL_SOCKET, typ = libc::SCM_RIGHTS)]
#[repr(C)]
struct Fds {
    fds: [libc::c_int],
}

fn main() {
    let message = ControlMessage::new(libc::SOL_SOCKET, libc::SCM_RIGHTS, &[0; 4]);
    let _: bool = Fds::matches(&message);
    let _: Result<&Fds, PayloadError> = <&Fds>::try_from(message);
    let _: Result<&Fds, PayloadError> = Fds::parse(message);
    let fds: &Fds = <&Fds>::try_from(message).unwrap();
    let _: ControlMessage<'_> = ControlMessage::from(fds);
    let _: usize = Fds::space_for(3);
}
