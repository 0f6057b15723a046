//! `Send` and `Sync`, asserted at compile time: where the public types have them, and
//! where they must not.
//!
//! Why each one is sound:
//!
//! * [`ControlMessage`], [`ControlMessages`], [`ControlMessagesIter`]: shared byte
//!   slices and integers. Nothing in them is mutable through `&`.
//! * [`ControlMessagesBuf`], [`AncillaryData`]: the bytes (a `Vec` or a `&mut` slice of
//!   the caller's), integers, and `PhantomData<BorrowedFd<'fd>>`. The descriptors they own
//!   are process-wide resources, not thread-bound: closing one on another thread (what
//!   moving the value there and dropping it does) is what `OwnedFd: Send` already allows.
//!   Through `&` they only read (`control_messages`, `start_sendmsg`), so `Sync` is sound.
//! * [`OwnedFds`]: a draining iterator over borrowed bytes; like `vec::IntoIter<OwnedFd>`,
//!   `Send` and `Sync` (`&OwnedFds` can only read its length).
//! * [`MessageSender`] / [`MessageReceiver`]: a `&S`, the data buffers (`IoSlice`,
//!   `IoSliceMut` and `&mut [u8]` are `Send + Sync`), a `&mut AncillaryData` and options.
//!   They are `Send` and `Sync` exactly when `S: Sync`, which is what a `&S` needs: the
//!   sockets of std are. A socket type that is not `Sync` cannot be used through a builder
//!   on another thread (asserted below with a `Cell`-holding socket).
//! * Options, results and errors: plain integers.
//! * [`ScmRights`], a `[c_int]`.
//!
//! None of them needed an `unsafe impl`: the storage holds no raw pointer (the heap case
//! is a `Vec`, the fixed case a `&mut [MaybeUninit<u8>]`), so the compiler derives all of
//! this, and these assertions keep it that way.

use std::cell::Cell;
use std::io::{self, IoSlice, IoSliceMut};
use std::net::UdpSocket;
use std::os::unix::net::{UnixDatagram, UnixStream};

use ancillary::{
    AncillaryData, CapacityError, ControlMessage, ControlMessages, ControlMessagesBuf,
    ControlMessagesIter, MessageReceiver, MessageSender, OfType, OwnedFds, PayloadError,
    RecvMessage, RecvOptions, RecvResult, ScmRights, SendMessage, SendOptions,
};

const fn send_sync<T: ?Sized + Send + Sync>() {}

/// Compiles only if `T` is **not** `Send`: if it were, both impls would apply and
/// `<T as NotSend<_>>::CHECK` would be ambiguous (the `static_assertions` trick).
trait NotSend<A> {
    const CHECK: () = ();
}
impl<T: ?Sized> NotSend<()> for T {}
impl<T: ?Sized + Send> NotSend<u8> for T {}

/// Compiles only if `T` is **not** `Sync`.
trait NotSync<A> {
    const CHECK: () = ();
}
impl<T: ?Sized> NotSync<()> for T {}
impl<T: ?Sized + Sync> NotSync<u8> for T {}

/// A socket type that is `Send` but not `Sync` (it has a `Cell`), as a wrapper with
/// per-socket bookkeeping might be.
struct CellSocket {
    inner: UnixDatagram,
    sends: Cell<u32>,
}

impl SendMessage for CellSocket {
    fn send_message(
        &self,
        bufs: &[IoSlice<'_>],
        ancillary_data: &mut AncillaryData<'_>,
        options: SendOptions,
    ) -> io::Result<usize> {
        self.sends.set(self.sends.get() + 1);
        self.inner.send_message(bufs, ancillary_data, options)
    }
}

impl RecvMessage for CellSocket {
    fn recv_message(
        &self,
        bufs: &mut [IoSliceMut<'_>],
        ancillary_data: &mut AncillaryData<'_>,
        options: RecvOptions,
    ) -> io::Result<(usize, RecvResult)> {
        self.inner.recv_message(bufs, ancillary_data, options)
    }
}

// ----- what must be Send + Sync ---------------------------------------------------------

// A receive batch kept per socket, as a quinn `AsyncUdpSocket` keeps it behind a mutex in
// a value that must be `Send + Sync`.
#[cfg(any(target_os = "linux", target_os = "android"))]
const _: () = {
    send_sync::<ancillary::os::linux::RecvBatch<'static>>();
    send_sync::<ancillary::os::linux::RecvBatchMessage<'static>>();
};

const _: () = {
    send_sync::<ControlMessage<'static>>();
    send_sync::<ControlMessages>();
    send_sync::<ControlMessagesIter<'static>>();
    send_sync::<ControlMessagesBuf<'static>>();
    send_sync::<ControlMessagesBuf<'_>>();
    send_sync::<AncillaryData<'static>>();
    send_sync::<AncillaryData<'_>>();
    send_sync::<OwnedFds<'static>>();
    send_sync::<OfType<'static, ScmRights>>();
    send_sync::<ScmRights>();
    send_sync::<SendOptions>();
    send_sync::<RecvOptions>();
    send_sync::<RecvResult>();
    send_sync::<CapacityError>();
    send_sync::<PayloadError>();
    // The builders, over std's sockets (all `Sync`) and over `?Sized` ones.
    send_sync::<MessageSender<'static, 'static, UnixStream>>();
    send_sync::<MessageSender<'static, 'static, UnixDatagram>>();
    send_sync::<MessageSender<'static, 'static, UdpSocket>>();
    send_sync::<MessageReceiver<'static, 'static, UnixStream>>();
    send_sync::<MessageReceiver<'static, 'static, UnixDatagram>>();
    send_sync::<MessageReceiver<'static, 'static, UdpSocket>>();
};

// ----- what must not be ---------------------------------------------------------------

// A builder holds `&S`; with `S: !Sync` that reference must not cross threads.
const _: () = <MessageSender<'static, 'static, CellSocket> as NotSend<_>>::CHECK;
const _: () = <MessageSender<'static, 'static, CellSocket> as NotSync<_>>::CHECK;
const _: () = <MessageReceiver<'static, 'static, CellSocket> as NotSend<_>>::CHECK;
const _: () = <MessageReceiver<'static, 'static, CellSocket> as NotSync<_>>::CHECK;
// The assertion trick itself rejects a `Send + Sync` type (this would not compile):
// const _: () = <AncillaryData<'static> as NotSend<_>>::CHECK;

#[test]
fn ancillary_data_moves_to_another_thread_with_its_descriptors() {
    use std::os::fd::AsFd;

    let (a, b) = UnixStream::pair().unwrap();
    let file = std::fs::File::open(env!("CARGO_MANIFEST_DIR")).unwrap();
    tests::send_fds(&a, b"x", &[file.as_fd()]).unwrap();
    let mut received = AncillaryData::with_capacity(AncillaryData::space_for_fds(1));
    tests::recv_into(&b, &mut [0; 1], &mut received, RecvOptions::new()).unwrap();

    // Moved to another thread, owning its descriptor; taken there.
    let fds = std::thread::spawn(move || received.take_owned_fds().unwrap())
        .join()
        .unwrap();
    assert_eq!(fds.len(), 1);
    assert_eq!(tests::file_ids(&fds), tests::file_ids(&[file]));

    // Shared between threads: reading through `&` from several at once.
    let mut shared = AncillaryData::new();
    shared.add_control_message(ControlMessage::new(1, 2, &[3; 4]));
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| assert_eq!(shared.control_messages().iter().count(), 1));
        }
    });

    // A builder used on another thread, over a `Sync` socket; the `!Sync` one works
    // on its own thread.
    let (x, y) = UnixDatagram::pair().unwrap();
    std::thread::scope(|scope| {
        let mut sender = MessageSender::new(&x, b"hi");
        scope.spawn(move || sender.send().unwrap());
    });
    assert_eq!(y.recv(&mut [0; 2]).unwrap(), 2);
    let local = CellSocket {
        inner: x,
        sends: Cell::new(0),
    };
    MessageSender::new(&local, b"hi").send().unwrap();
    assert_eq!(local.sends.get(), 1);
    let mut buf = [0; 2];
    assert_eq!(MessageReceiver::new(&y, &mut buf).recv().unwrap().0, 2);
}

/// The io_uring types: the operations move between threads (a completion may be reaped
/// on another one) but are not shared; the multishot request and its parsed buffers are
/// plain data.
#[cfg(io_uring_target)]
mod io_uring {
    use ancillary::io_uring::{
        OutError, RecvMsg, RecvMsgDone, RecvMsgMulti, RecvMsgOp, RecvMsgOut, SendMsg, SendMsgDone,
        SendMsgOp,
    };

    use super::{send_sync, NotSync};

    const fn send<T: ?Sized + Send>() {}

    const _: () = {
        send_sync::<RecvMsg>();
        send_sync::<SendMsg>();
        send_sync::<RecvMsgDone>();
        send_sync::<SendMsgDone>();
        send_sync::<RecvMsgMulti>();
        send_sync::<RecvMsgOut<'static>>();
        send_sync::<OutError>();
        send::<RecvMsgOp>();
        send::<SendMsgOp>();
    };
    const _: () = <RecvMsgOp as NotSync<_>>::CHECK;
    const _: () = <SendMsgOp as NotSync<_>>::CHECK;
}
