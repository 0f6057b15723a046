//! The poll and try forms of the tokio support, used as code that implements `Future` and
//! `Stream` by hand does; and the blocking traits on async-io's `Async`, the documented
//! way to use them with runtimes other than tokio.

use std::future::Future;
use std::io::{self, IoSlice, IoSliceMut};
use std::os::fd::{AsFd, OwnedFd};
use std::pin::Pin;
use std::task::{Context, Poll};

use ancillary::tokio::{PollRecvMessage, PollRecvMessageFrom, PollSendMessage};
use ancillary::{AncillaryData, RecvMessage, RecvOptions, SendMessage, SendOptions};
use futures_core::Stream;
use tests::{borrow_all, distinct_fds, file_ids, peer_open, probed_fds};

/// A hand-written future: receives one message and takes its descriptors.
struct RecvFds<'s> {
    socket: &'s tokio::net::UnixStream,
    ancillary: AncillaryData<'static>,
    polls: usize,
}

impl Future for RecvFds<'_> {
    type Output = io::Result<Vec<OwnedFd>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        this.polls += 1;
        let mut byte = [0; 1];
        let bufs = &mut [IoSliceMut::new(&mut byte)];
        match this
            .socket
            .poll_recv_message(cx, bufs, &mut this.ancillary, RecvOptions::new())
        {
            Poll::Pending => Poll::Pending,
            Poll::Ready(result) => {
                Poll::Ready(result.map(|_| this.ancillary.drain_fds().collect()))
            }
        }
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_hand_written_future_waits_then_receives() {
    let (left, right) = tokio::net::UnixStream::pair().unwrap();
    let sent = distinct_fds(2);
    let mut future = RecvFds {
        socket: &right,
        ancillary: AncillaryData::with_capacity(AncillaryData::space_for_fds(2)),
        polls: 0,
    };
    // Nothing queued: the first poll registers the waker and receives nothing.
    let first = std::future::poll_fn(|cx| Poll::Ready(Pin::new(&mut future).poll(cx))).await;
    assert!(first.is_pending());

    let mut out = AncillaryData::new();
    out.add_file_descriptors(&borrow_all(&sent));
    std::future::poll_fn(|cx| {
        left.poll_send_message(cx, &[IoSlice::new(b"x")], &mut out, SendOptions::new())
    })
    .await
    .unwrap();
    let fds = (&mut future).await.unwrap();
    assert_eq!(file_ids(&fds), file_ids(&sent));
    assert!(future.polls >= 2, "it was polled while pending, then woken");
}

/// A hand-written stream of datagrams' payload lengths and senders.
struct Datagrams {
    socket: tokio::net::UdpSocket,
    ancillary: AncillaryData<'static>,
}

impl Stream for Datagrams {
    type Item = io::Result<(usize, std::net::SocketAddr)>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        let mut buf = [0; 64];
        let bufs = &mut [IoSliceMut::new(&mut buf)];
        this.socket
            .poll_recv_message_from(cx, bufs, &mut this.ancillary, RecvOptions::new())
            .map(|result| Some(result.map(|(n, _, from)| (n, from))))
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_hand_written_stream_yields_each_datagram() {
    let receiver = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let sender = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let to = receiver.local_addr().unwrap();
    let mut stream = Datagrams {
        socket: receiver,
        ancillary: AncillaryData::new(),
    };
    for len in [3, 5, 7] {
        sender.send_to(&[0; 7][..len], to).await.unwrap();
    }
    let mut got = Vec::new();
    while got.len() < 3 {
        let item = std::future::poll_fn(|cx| Pin::new(&mut stream).poll_next(cx)).await;
        got.push(item.unwrap().unwrap());
    }
    let from = sender.local_addr().unwrap();
    assert_eq!(got, [(3, from), (5, from), (7, from)]);
}

#[tokio::test(flavor = "current_thread")]
async fn try_forms_do_not_wait() {
    let (left, right) = tokio::net::UnixDatagram::pair().unwrap();
    let mut ancillary = AncillaryData::new();
    let mut buf = [0; 8];
    let err = try_recv(&right, &mut buf, &mut ancillary).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
    // A datagram socket pair is writable at once.
    right.writable().await.unwrap();
    left.writable().await.unwrap();
    let sent = left
        .try_send_message(&[IoSlice::new(b"now")], &mut ancillary, SendOptions::new())
        .unwrap();
    assert_eq!(sent, 3);
    right.readable().await.unwrap();
    let n = try_recv(&right, &mut buf, &mut ancillary).unwrap();
    assert_eq!(&buf[..n], b"now");
}

/// The try forms follow tokio's `try_io`, as tokio's own `try_recv`/`try_send` do: no
/// attempt until the reactor has seen the socket ready. A socket just registered, with a
/// datagram already queued, says `WouldBlock`; once `readable()` returned, the same call
/// receives it.
#[tokio::test(flavor = "current_thread")]
async fn try_forms_wait_for_the_reactor_to_see_readiness() {
    let (left, right) = std::os::unix::net::UnixDatagram::pair().unwrap();
    left.send(b"queued").unwrap();
    for socket in [&left, &right] {
        socket.set_nonblocking(true).unwrap();
    }
    let (left, right) = (
        tokio::net::UnixDatagram::from_std(left).unwrap(),
        tokio::net::UnixDatagram::from_std(right).unwrap(),
    );
    let mut buf = [0; 8];
    let mut ancillary = AncillaryData::new();

    let tokio_own = right.try_recv(&mut buf).unwrap_err();
    let ours = try_recv(&right, &mut buf, &mut ancillary).unwrap_err();
    assert_eq!(
        (tokio_own.kind(), ours.kind()),
        (io::ErrorKind::WouldBlock, io::ErrorKind::WouldBlock)
    );
    let tokio_own = left.try_send(b"x").unwrap_err();
    let ours = left
        .try_send_message(&[IoSlice::new(b"x")], &mut ancillary, SendOptions::new())
        .unwrap_err();
    assert_eq!(
        (tokio_own.kind(), ours.kind()),
        (io::ErrorKind::WouldBlock, io::ErrorKind::WouldBlock)
    );

    right.readable().await.unwrap();
    let n = try_recv(&right, &mut buf, &mut ancillary).unwrap();
    assert_eq!(&buf[..n], b"queued", "the datagram was queued all along");
}

/// A `Pending` poll that reached the system call and got `WouldBlock` has cleared
/// `ancillary_data`, as every receive attempt does: descriptors from the previous receive
/// that were not taken are closed (their probes see `EPIPE`).
#[tokio::test(flavor = "current_thread")]
async fn a_pending_poll_that_tried_has_cleared_ancillary_data() {
    let (left, right) = tokio::net::UnixDatagram::pair().unwrap();
    let (sent, probes) = probed_fds(2);
    let mut out = AncillaryData::new();
    out.add_file_descriptors(&borrow_all(&sent));
    ancillary::MessageSender::new(&left, b"!")
        .ancillary_data(&mut out)
        .send_async()
        .await
        .unwrap();
    drop(out);
    drop(sent);

    let mut ancillary = AncillaryData::with_capacity(AncillaryData::space_for_fds(2));
    let mut buf = [0; 1];
    let mut poll = |cx: &mut Context<'_>| {
        let bufs = &mut [IoSliceMut::new(&mut buf)];
        right.poll_recv_message(cx, bufs, &mut ancillary, RecvOptions::new())
    };
    std::future::poll_fn(&mut poll).await.unwrap();
    assert!(
        probes.iter().all(peer_open),
        "received and owned, not taken"
    );

    // The socket is still marked readable: this poll calls `recvmsg`, which finds nothing.
    let pending = poll(&mut Context::from_waker(std::task::Waker::noop()));
    assert!(pending.is_pending());
    assert!(
        !probes.iter().any(peer_open),
        "the untaken descriptors were closed"
    );
    assert!(ancillary.control_messages().is_empty());
}

/// `try_recv_message` into one buffer: the number of bytes received.
fn try_recv(
    socket: &impl PollRecvMessage,
    buf: &mut [u8],
    ancillary: &mut AncillaryData<'_>,
) -> io::Result<usize> {
    let bufs = &mut [IoSliceMut::new(buf)];
    let (n, _) = socket.try_recv_message(bufs, ancillary, RecvOptions::new())?;
    Ok(n)
}

/// async-io: `Async<T>` makes a std socket non-blocking and waits for readiness;
/// `read_with`/`write_with` run the blocking trait's call until it does not block.
#[test]
fn blocking_traits_on_async_io() {
    async_io::block_on(async {
        let (left, right) = std::os::unix::net::UnixStream::pair().unwrap();
        let left = async_io::Async::new(left).unwrap();
        let right = async_io::Async::new(right).unwrap();
        let sent = distinct_fds(1);

        let receive = async {
            let mut received = AncillaryData::with_capacity(AncillaryData::space_for_fds(1));
            let mut byte = [0; 1];
            right
                .read_with(|socket| {
                    socket.recv_message(
                        &mut [IoSliceMut::new(&mut byte)],
                        &mut received,
                        RecvOptions::new(),
                    )
                })
                .await
                .unwrap();
            received.take_exact_fds::<1>().unwrap()
        };
        let send = async {
            let mut out = AncillaryData::new();
            out.add_file_descriptors(&[sent[0].as_fd()]);
            left.write_with(|socket| {
                socket.send_message(&[IoSlice::new(b"!")], &mut out, SendOptions::new())
            })
            .await
            .unwrap()
        };
        let (fds, n) = zip(receive, send).await;
        assert_eq!(n, 1);
        assert_eq!(file_ids(&fds), file_ids(&sent));
    });
}

/// Runs two futures to completion together (the receive starts first and must wait).
async fn zip<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let mut a = std::pin::pin!(a);
    let mut b = std::pin::pin!(b);
    let (mut ra, mut rb) = (None, None);
    std::future::poll_fn(|cx| {
        if ra.is_none() {
            if let Poll::Ready(v) = a.as_mut().poll(cx) {
                ra = Some(v);
            }
        }
        if rb.is_none() {
            if let Poll::Ready(v) = b.as_mut().poll(cx) {
                rb = Some(v);
            }
        }
        if ra.is_some() && rb.is_some() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
    (ra.unwrap(), rb.unwrap())
}
