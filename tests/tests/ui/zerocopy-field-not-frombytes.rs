use ancillary::ControlMessage;

// Plain bytes, but without zerocopy's derives.
#[repr(transparent)]
struct Port(u16);

#[derive(ControlMessage)]
#[cmsg(level = 0x7ead, type = 4)]
#[repr(C)]
struct Tagged {
    #[cmsg(zerocopy)]
    port: Port,
    pad: u16,
}

fn main() {}
