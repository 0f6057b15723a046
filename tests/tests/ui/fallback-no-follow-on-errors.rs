// A derive that fails reports its own error and nothing more: code using what a good
// expansion gives (the inherent `matches`, the `ControlMessagePayload` impl, both
// conversions) does not add a second error per use.
use ancillary::{AncillaryData, ControlMessage, ControlMessagePayload, PayloadError};

#[derive(ControlMessage)]
#[cmsg(level = libc::IPPROTO_IP)]
#[repr(C)]
struct IpTtl {
    ttl: libc::c_int,
}

fn main() {
    let message = ControlMessage::new(libc::IPPROTO_IP, libc::IP_TTL, &[0; 4]);
    let _: bool = IpTtl::matches(&message);
    let _: bool = <IpTtl as ControlMessagePayload>::matches(&message);
    let _: Result<IpTtl, PayloadError> = IpTtl::try_from(message);
    let _: ControlMessage<'_> = ControlMessage::from(&IpTtl { ttl: 1 });
    let _: usize = IpTtl::SPACE + IpTtl::space_for(1);
    let mut ancillary = AncillaryData::with_capacity(IpTtl::SPACE);
    let _ = ancillary.add_control_message(&IpTtl { ttl: 1 });
    let _: Option<Result<IpTtl, PayloadError>> = ancillary.control_messages().find::<IpTtl>();
}
