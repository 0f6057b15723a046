//! Ours with caller (stack) storage, made afresh for every operation.

use super::*;

/// Ours with caller storage (`AncillaryData::with_storage` over a stack array), made
/// afresh for every operation.
pub struct OursStack {
    fx: &'static Fixture,
    two: Aligned,
    three: Aligned,
}

impl Impl for OursStack {
    const NAME: &'static str = "ours-stack";

    fn new(fx: &'static Fixture) -> Self {
        OursStack {
            fx,
            two: fx.two,
            three: fx.three,
        }
    }

    #[inline(always)]
    fn pass_fds<const N: usize>(&mut self) -> u64 {
        let fds = &self.fx.send_fds[..N];
        let mut send_storage = Storage::<{ AncillaryData::space_for_fds(4) }>::new();
        let mut send = AncillaryData::with_storage(&mut send_storage.0);
        send.add_file_descriptors(fds);
        MessageSender::new(&self.fx.tx, b"x")
            .ancillary_data(&mut send)
            .send()
            .expect("send");
        drop(send);
        let mut recv_storage = Storage::<{ AncillaryData::space_for_fds(4) }>::new();
        let mut recv = AncillaryData::with_storage(&mut recv_storage.0);
        let mut byte = [0u8; 1];
        MessageReceiver::new(&self.fx.rx, &mut byte)
            .ancillary_data(&mut recv)
            .recv()
            .expect("recv");
        let mut n = 0;
        for fd in recv.drain_fds() {
            drop(fd);
            n += 1;
        }
        n
    }

    #[inline(always)]
    fn data64(&mut self) -> u64 {
        MessageSender::new(&self.fx.tx, &DATA64)
            .send()
            .expect("send");
        let mut buf = [0u8; 64];
        let (n, _) = MessageReceiver::new(&self.fx.rx, &mut buf)
            .recv()
            .expect("recv");
        n as u64
    }

    #[inline(always)]
    fn parse(&mut self, custom: bool) -> u64 {
        let bytes = if custom {
            &self.three.0[..self.fx.three_len]
        } else {
            &self.two.0[..self.fx.two_len]
        };
        let mut sum = 0;
        for m in ControlMessages::from_bytes(black_box(bytes)) {
            sum += sum_message(m.cmsg_level(), m.cmsg_type(), m.data());
        }
        sum
    }

    #[inline(always)]
    fn find_custom(&mut self) -> u64 {
        let bytes = &self.three.0[..self.fx.three_len];
        let custom = ControlMessages::from_bytes(black_box(bytes))
            .find::<Custom>()
            .expect("a custom message")
            .expect("well-formed");
        u64::from(custom.a) + u64::from(custom.b)
    }
}
