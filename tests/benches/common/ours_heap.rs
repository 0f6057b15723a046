//! Ours with heap storage, made once and reused.

use super::*;

/// Ours with heap storage (`AncillaryData::with_capacity`), made once and reused.
pub struct OursHeap {
    fx: &'static Fixture,
    send: AncillaryData<'static>,
    recv: AncillaryData<'static>,
    none: AncillaryData<'static>,
    buf2: ancillary::ControlMessagesBuf<'static>,
    buf3: ancillary::ControlMessagesBuf<'static>,
}

impl Impl for OursHeap {
    const NAME: &'static str = "ours-heap";

    fn new(fx: &'static Fixture) -> Self {
        let mut buf2 = ancillary::ControlMessagesBuf::with_capacity(fx.two_len);
        for m in ControlMessages::from_bytes(fx.two()) {
            buf2.push(&m);
        }
        let mut buf3 = ancillary::ControlMessagesBuf::with_capacity(fx.three_len);
        for m in ControlMessages::from_bytes(fx.three()) {
            buf3.push(&m);
        }
        OursHeap {
            fx,
            send: AncillaryData::with_capacity(AncillaryData::space_for_fds(4)),
            recv: AncillaryData::with_capacity(AncillaryData::space_for_fds(4)),
            none: AncillaryData::new(),
            buf2,
            buf3,
        }
    }

    #[inline(always)]
    fn pass_fds<const N: usize>(&mut self) -> u64 {
        self.send.clear();
        self.send.add_file_descriptors(&self.fx.send_fds[..N]);
        MessageSender::new(&self.fx.tx, b"x")
            .ancillary_data(&mut self.send)
            .send()
            .expect("send");
        let mut byte = [0u8; 1];
        MessageReceiver::new(&self.fx.rx, &mut byte)
            .ancillary_data(&mut self.recv)
            .recv()
            .expect("recv");
        let mut n = 0;
        for fd in self.recv.drain_fds() {
            drop(fd);
            n += 1;
        }
        n
    }

    #[inline(always)]
    fn data64(&mut self) -> u64 {
        MessageSender::new(&self.fx.tx, &DATA64)
            .ancillary_data(&mut self.none)
            .send()
            .expect("send");
        let mut buf = [0u8; 64];
        let (n, _) = MessageReceiver::new(&self.fx.rx, &mut buf)
            .ancillary_data(&mut self.none)
            .recv()
            .expect("recv");
        n as u64
    }

    #[inline(always)]
    fn parse(&mut self, custom: bool) -> u64 {
        let buf = if custom { &self.buf3 } else { &self.buf2 };
        let mut sum = 0;
        for m in black_box(buf).iter() {
            sum += sum_message(m.cmsg_level(), m.cmsg_type(), m.data());
        }
        sum
    }

    #[inline(always)]
    fn find_custom(&mut self) -> u64 {
        let custom = black_box(&self.buf3)
            .find::<Custom>()
            .expect("a custom message")
            .expect("well-formed");
        u64::from(custom.a) + u64::from(custom.b)
    }
}
