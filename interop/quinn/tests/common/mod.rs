//! Two quinn endpoints on loopback, each over `ancillary_quinn::UdpSocket` behind a
//! [`Counting`] wrapper, and the traffic the tests run between them.

#![allow(dead_code)] // each test binary uses part of it

pub mod counting;

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::Duration;

use ancillary::{get_socket_option, SocketOption};
use ancillary_quinn::UdpSocket;
use quinn::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use quinn::rustls::RootCertStore;
use quinn::{ClientConfig, ConnectionStats, Endpoint, EndpointConfig, ServerConfig, TokioRuntime};

pub use counting::{Counting, Counts};

/// Bytes of the bulk transfers.
pub const BULK: usize = 64 << 20;
/// Request/response round trips.
pub const ROUND_TRIPS: usize = 1000;
/// The most one scenario may take: a stall fails the test instead of hanging it.
pub const LIMIT: Duration = Duration::from_secs(120);

/// One endpoint and what its socket counted.
#[derive(Debug)]
pub struct Side {
    pub endpoint: Endpoint,
    pub counts: Arc<Counts>,
}

impl Side {
    /// An endpoint on a socket bound to `bind`, a server if `server` is given; with
    /// `ce_every` > 0, see [`Counting::new`].
    pub fn new(bind: SocketAddr, server: Option<ServerConfig>, ce_every: u64) -> Side {
        let socket = std::net::UdpSocket::bind(bind).expect("bind");
        let counts = Arc::new(Counts::default());
        let socket = UdpSocket::new(socket).expect("set up the socket");
        let socket = Counting::new(socket, Arc::clone(&counts), ce_every);
        let endpoint = Endpoint::new_with_abstract_socket(
            EndpointConfig::default(),
            server,
            Arc::new(socket),
            Arc::new(TokioRuntime),
        )
        .expect("endpoint");
        Side { endpoint, counts }
    }

    pub fn get(&self, pick: impl Fn(&Counts) -> &std::sync::atomic::AtomicU64) -> u64 {
        pick(&self.counts).load(Relaxed)
    }
}

/// A server bound to `server_bind` and a client bound to `client_bind`, and the address the
/// client dials: the server's port on `server_ip`.
#[derive(Debug)]
pub struct Pair {
    pub server: Side,
    pub client: Side,
    pub client_config: ClientConfig,
    pub to: SocketAddr,
}

impl Pair {
    pub fn new(server_bind: SocketAddr, client_bind: SocketAddr, server_ip: IpAddr) -> Pair {
        Pair::with_ce(server_bind, client_bind, server_ip, 0)
    }

    /// As [`new`](Self::new), the client marking every `ce_every`-th ECT transmit CE.
    pub fn with_ce(
        server_bind: SocketAddr,
        client_bind: SocketAddr,
        server_ip: IpAddr,
        ce_every: u64,
    ) -> Pair {
        let (server_config, client_config) = configs();
        let server = Side::new(server_bind, Some(server_config), 0);
        let client = Side::new(client_bind, None, ce_every);
        let port = server.endpoint.local_addr().expect("local address").port();
        Pair {
            server,
            client,
            client_config,
            to: SocketAddr::new(server_ip, port),
        }
    }

    /// Prints both sides' counts.
    pub fn report(&self, what: &str) {
        println!("{what}: client {}", self.client.counts.summary());
        println!("{what}: server {}", self.server.counts.summary());
    }
}

/// A self-signed certificate for "localhost", and configurations that use it.
fn configs() -> (ServerConfig, ClientConfig) {
    let key = rcgen::generate_simple_self_signed(vec!["localhost".into()]).expect("certificate");
    let cert = key.cert.der().clone();
    let der = PrivateKeyDer::from(PrivatePkcs8KeyDer::from(key.signing_key.serialize_der()));
    let server = ServerConfig::with_single_cert(vec![cert.clone()], der).expect("server config");
    let mut roots = RootCertStore::empty();
    roots.add(cert).expect("root");
    let client = ClientConfig::with_root_certificates(Arc::new(roots)).expect("client config");
    (server, client)
}

/// The byte at `offset` of a bulk transfer: no period a shifted, lost or repeated chunk
/// could hide in.
pub fn byte_at(offset: u64) -> u8 {
    (offset.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as u8
}

/// The client sends `bytes` on one stream; the server checks every byte. Returns the
/// client's connection statistics.
pub async fn bulk(pair: &Pair, bytes: usize) -> ConnectionStats {
    let server = pair.server.endpoint.clone();
    let receiver = tokio::spawn(async move {
        let connection = accept(&server).await;
        let mut stream = connection.accept_uni().await.expect("a stream");
        let mut received = 0u64;
        while let Some(chunk) = stream.read_chunk(usize::MAX, true).await.expect("read") {
            assert_eq!(chunk.offset, received, "in order");
            for (i, &byte) in chunk.bytes.iter().enumerate() {
                assert_eq!(
                    byte,
                    byte_at(received + i as u64),
                    "byte {}",
                    received + i as u64
                );
            }
            received += chunk.bytes.len() as u64;
        }
        connection.closed().await;
        received
    });
    let connection = pair.connect().await;
    let mut stream = connection.open_uni().await.expect("open");
    let mut chunk = vec![0u8; 64 << 10];
    let mut sent = 0;
    while sent < bytes {
        let len = chunk.len().min(bytes - sent);
        for (i, byte) in chunk[..len].iter_mut().enumerate() {
            *byte = byte_at((sent + i) as u64);
        }
        stream.write_all(&chunk[..len]).await.expect("write");
        sent += len;
    }
    stream.finish().expect("finish");
    stream.stopped().await.expect("acknowledged");
    let stats = connection.stats();
    connection.close(0u32.into(), b"done");
    assert_eq!(
        receiver.await.expect("the receiver"),
        bytes as u64,
        "every byte arrived"
    );
    stats
}

/// `count` requests, each on a stream of its own, each answered; checks every answer.
/// Returns the client's connection statistics.
pub async fn round_trips(pair: &Pair, count: usize) -> ConnectionStats {
    let server = pair.server.endpoint.clone();
    let answerer = tokio::spawn(async move {
        let connection = accept(&server).await;
        let mut answered = 0;
        while let Ok((mut send, mut recv)) = connection.accept_bi().await {
            let mut request = recv.read_to_end(64).await.expect("request");
            request.reverse();
            send.write_all(&request).await.expect("answer");
            send.finish().expect("finish");
            answered += 1;
        }
        answered
    });
    let connection = pair.connect().await;
    for i in 0..count as u64 {
        let (mut send, mut recv) = connection.open_bi().await.expect("open");
        send.write_all(&i.to_le_bytes()).await.expect("request");
        send.finish().expect("finish");
        let answer = recv.read_to_end(64).await.expect("answer");
        assert_eq!(answer, i.to_be_bytes(), "answer {i}");
    }
    let stats = connection.stats();
    connection.close(0u32.into(), b"done");
    assert_eq!(answerer.await.expect("the answerer"), count);
    stats
}

/// The next connection to `server`, once its handshake is done.
async fn accept(server: &Endpoint) -> quinn::Connection {
    let incoming = server.accept().await.expect("incoming");
    incoming.await.expect("handshake")
}

impl Pair {
    async fn connect(&self) -> quinn::Connection {
        let connecting = self
            .client
            .endpoint
            .connect_with(self.client_config.clone(), self.to, "localhost")
            .expect("connect");
        connecting.await.expect("handshake")
    }
}

/// Whether this machine has an IPv6 loopback; if not, says the test is skipped.
pub fn have_ipv6() -> bool {
    let have = std::net::UdpSocket::bind("[::1]:0").is_ok();
    if !have {
        println!("skipped: no IPv6 loopback here");
    }
    have
}

/// `IPV6_V6ONLY`: whether an IPv6 socket is closed to IPv4 (`net.ipv6.bindv6only`).
#[derive(SocketOption, Clone, Copy, Debug)]
#[sockopt(level = libc::IPPROTO_IPV6, name = libc::IPV6_V6ONLY, flag)]
struct V6Only(bool);

/// Whether `[::]` binds dual-stack here (IPv6 present, `IPV6_V6ONLY` off by default); if
/// not, says the test is skipped.
pub fn have_dual_stack() -> bool {
    let dual = std::net::UdpSocket::bind("[::]:0")
        .and_then(|socket| get_socket_option::<V6Only>(&socket))
        .is_ok_and(|only| !only.0);
    if !dual {
        println!("skipped: IPv6 sockets are not dual-stack here");
    }
    dual
}
