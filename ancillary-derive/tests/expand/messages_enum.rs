// One variant per message type, and a catch-all: `FromControlMessage` tries them in order.
#[derive(ControlMessages)]
enum Udp<'a> {
    Tos(IpTos),
    Rights(&'a ScmRights),
    Other(ControlMessage<'a>),
}
