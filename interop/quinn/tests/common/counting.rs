//! A socket that counts what passes through the one under test, as quinn hands it over and
//! gets it back: the counts prove that the kernel's features were used, not just asked for.

use std::io::{self, IoSliceMut};
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::task::{Context, Poll};

use quinn::udp::{EcnCodepoint, RecvMeta, Transmit};
use quinn::{AsyncUdpSocket, UdpPoller};

/// What one socket sent and received.
#[derive(Debug, Default)]
pub struct Counts {
    /// Datagrams sent.
    pub sent: AtomicU64,
    /// Datagrams sent with an ECN codepoint.
    pub ecn_sent: AtomicU64,
    /// Sends of more than one datagram (GSO).
    pub gso_sends: AtomicU64,
    /// Datagrams received.
    pub received: AtomicU64,
    /// Datagrams received with ECN bits (ECT or CE).
    pub ecn_received: AtomicU64,
    /// Datagrams received marked CE.
    pub ce_received: AtomicU64,
    /// Receives of several datagrams coalesced by the kernel (GRO).
    pub gro_receives: AtomicU64,
    /// Receives that reported their destination address.
    pub dst_reported: AtomicU64,
}

impl Counts {
    /// A one-line summary, for the test log.
    pub fn summary(&self) -> String {
        let get = |counter: &AtomicU64| counter.load(Relaxed);
        format!(
            "sent {} (ECN {}, GSO sends {}), received {} (ECN {}, CE {}, GRO receives {}, \
             with destination {})",
            get(&self.sent),
            get(&self.ecn_sent),
            get(&self.gso_sends),
            get(&self.received),
            get(&self.ecn_received),
            get(&self.ce_received),
            get(&self.gro_receives),
            get(&self.dst_reported),
        )
    }
}

/// Wraps a socket, counting into `counts`; with `ce_every` = n > 0, every n-th transmit that
/// quinn marks ECT is sent marked CE instead, as a congested router would re-mark it.
#[derive(Debug)]
pub struct Counting<S> {
    inner: Arc<S>,
    counts: Arc<Counts>,
    ce_every: u64,
    marked: AtomicU64,
}

impl<S> Counting<S> {
    pub fn new(inner: S, counts: Arc<Counts>, ce_every: u64) -> Self {
        Counting {
            inner: Arc::new(inner),
            counts,
            ce_every,
            marked: AtomicU64::new(0),
        }
    }
}

impl<S: AsyncUdpSocket> AsyncUdpSocket for Counting<S> {
    fn create_io_poller(self: Arc<Self>) -> Pin<Box<dyn UdpPoller>> {
        Arc::clone(&self.inner).create_io_poller()
    }

    fn try_send(&self, transmit: &Transmit<'_>) -> io::Result<()> {
        let congested = self.ce_every > 0
            && transmit.ecn.is_some()
            && self
                .marked
                .fetch_add(1, Relaxed)
                .is_multiple_of(self.ce_every);
        let mut ce;
        let transmit = if congested {
            ce = transmit.clone();
            ce.ecn = Some(EcnCodepoint::Ce);
            &ce
        } else {
            transmit
        };
        self.inner.try_send(transmit)?;
        let datagrams = transmit
            .segment_size
            .map_or(1, |size| transmit.contents.len().div_ceil(size))
            as u64;
        self.counts.sent.fetch_add(datagrams, Relaxed);
        if transmit.ecn.is_some() {
            self.counts.ecn_sent.fetch_add(datagrams, Relaxed);
        }
        if datagrams > 1 {
            self.counts.gso_sends.fetch_add(1, Relaxed);
        }
        Ok(())
    }

    fn poll_recv(
        &self,
        cx: &mut Context<'_>,
        bufs: &mut [IoSliceMut<'_>],
        meta: &mut [RecvMeta],
    ) -> Poll<io::Result<usize>> {
        let poll = self.inner.poll_recv(cx, bufs, meta);
        if let Poll::Ready(Ok(count)) = poll {
            for meta in &meta[..count] {
                self.count_received(meta);
            }
        }
        poll
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }

    fn max_transmit_segments(&self) -> usize {
        self.inner.max_transmit_segments()
    }

    fn max_receive_segments(&self) -> usize {
        self.inner.max_receive_segments()
    }

    fn may_fragment(&self) -> bool {
        self.inner.may_fragment()
    }
}

impl<S> Counting<S> {
    fn count_received(&self, meta: &RecvMeta) {
        let datagrams = meta.len.div_ceil(meta.stride.max(1)) as u64;
        self.counts.received.fetch_add(datagrams, Relaxed);
        if meta.ecn.is_some() {
            self.counts.ecn_received.fetch_add(datagrams, Relaxed);
        }
        if meta.ecn == Some(EcnCodepoint::Ce) {
            self.counts.ce_received.fetch_add(datagrams, Relaxed);
        }
        if meta.stride < meta.len {
            self.counts.gro_receives.fetch_add(1, Relaxed);
        }
        if meta.dst_ip.is_some() {
            self.counts.dst_reported.fetch_add(1, Relaxed);
        }
    }
}
