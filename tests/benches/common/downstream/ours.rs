//! Ours, three ways: stack storage per call, buffers of their own per call (the RFC's
//! style), and buffers made once and reused.

use super::*;
use ancillary::AncillaryStorage;

/// Room for [`MAX_FDS`] descriptors.
const SPACE: usize = AncillaryData::space_for_fds(MAX_FDS);

// The three helpers below are shared by ours' three forms. Each operation crosses one
// boundary the compiler cannot see through, the `Calls` method (`#[inline(never)]`), as
// it does for every other implementation: a second one here would be ours alone.

/// Sums the fields of the messages in `bytes`, as a downstream crate writes it.
#[inline(always)]
fn parse(bytes: &[u8]) -> u64 {
    let mut sum = 0;
    for m in ControlMessages::from_bytes(bytes) {
        sum += sum_message(m.cmsg_level(), m.cmsg_type(), m.data());
    }
    sum
}

#[inline(always)]
fn send_data(tx: &UnixStream, data: &[u8]) {
    MessageSender::new(tx, data).send().expect("send");
}

#[inline(always)]
fn recv_data(rx: &UnixStream, buf: &mut [u8]) -> u64 {
    let (n, _) = MessageReceiver::new(rx, buf).recv().expect("recv");
    n as u64
}

/// Receives into `ancillary`, then closes every descriptor that came.
#[inline(always)]
fn recv_close_into(rx: &UnixStream, ancillary: &mut AncillaryData<'_>) -> u64 {
    let mut byte = [0u8; 1];
    MessageReceiver::new(rx, &mut byte)
        .ancillary_data(ancillary)
        .recv()
        .expect("recv");
    let mut n = 0;
    for fd in ancillary.drain_fds() {
        drop(fd);
        n += 1;
    }
    n
}

/// `AncillaryStorage` on the stack for every call.
pub struct OursStackCalls;

impl Calls for OursStackCalls {
    #[inline(never)]
    fn send_fds(&mut self, tx: &UnixStream, fds: &[BorrowedFd<'static>]) {
        let mut storage = AncillaryStorage::<SPACE>::new();
        let mut ancillary = AncillaryData::with_storage(&mut storage);
        ancillary.add_file_descriptors(fds);
        MessageSender::new(tx, b"x")
            .ancillary_data(&mut ancillary)
            .send()
            .expect("send");
    }

    #[inline(never)]
    fn recv_close(&mut self, rx: &UnixStream) -> u64 {
        let mut storage = AncillaryStorage::<SPACE>::new();
        let mut ancillary = AncillaryData::with_storage(&mut storage);
        recv_close_into(rx, &mut ancillary)
    }

    #[inline(never)]
    fn send_data(&mut self, tx: &UnixStream, data: &[u8]) {
        send_data(tx, data);
    }

    #[inline(never)]
    fn recv_data(&mut self, rx: &UnixStream, buf: &mut [u8]) -> u64 {
        recv_data(rx, buf)
    }

    #[inline(never)]
    fn parse(&mut self, bytes: &mut [u8]) -> u64 {
        parse(bytes)
    }
}

impl NewCalls for OursStackCalls {
    const NAME: &'static str = "ds-ours-stack";
    fn new() -> Self {
        OursStackCalls
    }
}

/// The RFC's style: `AncillaryData::new()` to send, `with_capacity` to receive, per call
/// (their first 64 bytes inside the value: no allocation for these scenarios).
pub struct OursPerCallCalls;

impl Calls for OursPerCallCalls {
    #[inline(never)]
    fn send_fds(&mut self, tx: &UnixStream, fds: &[BorrowedFd<'static>]) {
        let mut ancillary = AncillaryData::new();
        ancillary.add_file_descriptors(fds);
        MessageSender::new(tx, b"x")
            .ancillary_data(&mut ancillary)
            .send()
            .expect("send");
    }

    #[inline(never)]
    fn recv_close(&mut self, rx: &UnixStream) -> u64 {
        recv_close_into(rx, &mut AncillaryData::with_capacity(SPACE))
    }

    #[inline(never)]
    fn send_data(&mut self, tx: &UnixStream, data: &[u8]) {
        send_data(tx, data);
    }

    #[inline(never)]
    fn recv_data(&mut self, rx: &UnixStream, buf: &mut [u8]) -> u64 {
        recv_data(rx, buf)
    }

    #[inline(never)]
    fn parse(&mut self, bytes: &mut [u8]) -> u64 {
        parse(bytes)
    }
}

impl NewCalls for OursPerCallCalls {
    const NAME: &'static str = "ds-ours-per-call";
    fn new() -> Self {
        OursPerCallCalls
    }
}

/// Buffers made once with `with_capacity`, lent to every call.
pub struct OursReusedCalls {
    send: AncillaryData<'static>,
    recv: AncillaryData<'static>,
}

impl Calls for OursReusedCalls {
    #[inline(never)]
    fn send_fds(&mut self, tx: &UnixStream, fds: &[BorrowedFd<'static>]) {
        send_with(tx, fds, &mut self.send);
    }

    #[inline(never)]
    fn recv_close(&mut self, rx: &UnixStream) -> u64 {
        recv_close_into(rx, &mut self.recv)
    }

    #[inline(never)]
    fn send_data(&mut self, tx: &UnixStream, data: &[u8]) {
        send_data(tx, data);
    }

    #[inline(never)]
    fn recv_data(&mut self, rx: &UnixStream, buf: &mut [u8]) -> u64 {
        recv_data(rx, buf)
    }

    #[inline(never)]
    fn parse(&mut self, bytes: &mut [u8]) -> u64 {
        parse(bytes)
    }
}

#[inline(always)]
fn send_with<'fd>(tx: &UnixStream, fds: &[BorrowedFd<'fd>], send: &mut AncillaryData<'fd>) {
    send.add_file_descriptors(fds);
    MessageSender::new(tx, b"x")
        .ancillary_data(send)
        .send()
        .expect("send");
    send.clear();
}

impl NewCalls for OursReusedCalls {
    const NAME: &'static str = "ds-ours-reused";
    fn new() -> Self {
        OursReusedCalls {
            send: AncillaryData::with_capacity(SPACE),
            recv: AncillaryData::with_capacity(SPACE),
        }
    }
}

pub type DsOursStack = Downstream<OursStackCalls>;
pub type DsOursPerCall = Downstream<OursPerCallCalls>;
pub type DsOursReused = Downstream<OursReusedCalls>;
