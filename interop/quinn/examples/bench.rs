//! quinn over `ancillary_quinn::UdpSocket` against stock quinn (its tokio runtime's socket,
//! quinn-udp), on loopback, interleaved: bulk MiB/s, request/response round-trip
//! latency (p50, p99) and the process's CPU time, each run on fresh endpoints, the two
//! implementations alternating first; then medians and spreads.
//!
//! `cargo run --release --example bench -- [REPS [BULK_MIB [ROUND_TRIPS [IMPL]]]]`
//! (defaults 7, 256, 5000, both). IMPL `ancillary` or `stock` runs one only, for
//! callgrind (`bench/quinn.sh`). Each run prints a line; the summary follows.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use quinn::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use quinn::rustls::RootCertStore;
use quinn::{ClientConfig, Connection, Endpoint, Runtime, ServerConfig, TokioRuntime};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Impl {
    Ancillary,
    Stock,
}

impl Impl {
    fn name(self) -> &'static str {
        match self {
            Impl::Ancillary => "ancillary",
            Impl::Stock => "stock",
        }
    }

    fn endpoint(self, server: Option<ServerConfig>) -> Endpoint {
        let socket = std::net::UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
        let socket: Arc<dyn quinn::AsyncUdpSocket> = match self {
            Impl::Ancillary => Arc::new(ancillary_quinn::UdpSocket::new(socket).expect("socket")),
            Impl::Stock => TokioRuntime.wrap_udp_socket(socket).expect("socket"),
        };
        let config = quinn::EndpointConfig::default();
        Endpoint::new_with_abstract_socket(config, server, socket, Arc::new(TokioRuntime))
            .expect("endpoint")
    }
}

/// The process's user and system CPU time so far, from `/proc/self/stat` (clock ticks of
/// 10 ms: the runs are long enough for that).
fn cpu_times() -> (Duration, Duration) {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap()
        .split_whitespace()
        .collect();
    let tick = |i: usize| Duration::from_millis(fields[i].parse::<u64>().unwrap() * 10);
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    (tick(11), tick(12))
}

fn configs() -> (ServerConfig, ClientConfig) {
    let key = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let cert = key.cert.der().clone();
    let der = PrivateKeyDer::from(PrivatePkcs8KeyDer::from(key.signing_key.serialize_der()));
    let server = ServerConfig::with_single_cert(vec![cert.clone()], der).unwrap();
    let mut roots = RootCertStore::empty();
    roots.add(cert).unwrap();
    (
        server,
        ClientConfig::with_root_certificates(Arc::new(roots)).unwrap(),
    )
}

/// A connected client and server of one implementation.
struct Pair {
    _endpoints: [Endpoint; 2],
    client: Connection,
    server: Connection,
}

async fn pair(which: Impl) -> Pair {
    let (server_config, client_config) = configs();
    let server = which.endpoint(Some(server_config));
    let client = which.endpoint(None);
    let to = SocketAddr::from((Ipv4Addr::LOCALHOST, server.local_addr().unwrap().port()));
    let connecting = client.connect_with(client_config, to, "localhost").unwrap();
    let accepting = async { server.accept().await.expect("incoming").await };
    let (client_connection, server_connection) = tokio::join!(connecting, accepting);
    Pair {
        _endpoints: [server, client],
        client: client_connection.unwrap(),
        server: server_connection.unwrap(),
    }
}

/// Datagrams both ends sent and received on their connection.
fn datagrams(pair: &Pair) -> (u64, u64) {
    let (client, server) = (pair.client.stats(), pair.server.stats());
    (
        client.udp_tx.datagrams + server.udp_tx.datagrams,
        client.udp_rx.datagrams + server.udp_rx.datagrams,
    )
}

/// One measured run: its figure, the CPU it took, and the datagrams it moved.
struct Run {
    value: f64,
    extra: f64,
    user: Duration,
    system: Duration,
    sent: u64,
    received: u64,
}

/// MiB/s of a `mib` MiB transfer on one stream, timed to the last byte read.
async fn bulk(which: Impl, mib: usize) -> Run {
    let pair = pair(which).await;
    let server = pair.server.clone();
    let reader = tokio::spawn(async move {
        let mut stream = server.accept_uni().await.unwrap();
        let mut total = 0;
        while let Some(chunk) = stream.read_chunk(usize::MAX, true).await.unwrap() {
            total += chunk.bytes.len();
        }
        total
    });
    let chunk = vec![7u8; 1 << 20];
    let (user0, system0) = cpu_times();
    let start = Instant::now();
    let mut stream = pair.client.open_uni().await.unwrap();
    for _ in 0..mib {
        stream.write_all(&chunk).await.unwrap();
    }
    stream.finish().unwrap();
    assert_eq!(reader.await.unwrap(), mib << 20);
    let elapsed = start.elapsed();
    let (user1, system1) = cpu_times();
    let (sent, received) = datagrams(&pair);
    Run {
        value: mib as f64 / elapsed.as_secs_f64(),
        extra: 0.0,
        user: user1 - user0,
        system: system1 - system0,
        sent,
        received,
    }
}

/// p50 and p99 in µs of `count` round trips, each a request on a stream of its own.
async fn round_trips(which: Impl, count: usize) -> Run {
    let pair = pair(which).await;
    let server = pair.server.clone();
    tokio::spawn(async move {
        while let Ok((mut send, mut recv)) = server.accept_bi().await {
            let request = recv.read_to_end(64).await.unwrap();
            send.write_all(&request).await.unwrap();
            send.finish().unwrap();
        }
    });
    let mut times = Vec::with_capacity(count);
    let (user0, system0) = cpu_times();
    for i in 0..count as u64 {
        let start = Instant::now();
        let (mut send, mut recv) = pair.client.open_bi().await.unwrap();
        send.write_all(&i.to_le_bytes()).await.unwrap();
        send.finish().unwrap();
        assert_eq!(recv.read_to_end(64).await.unwrap(), i.to_le_bytes());
        times.push(start.elapsed());
    }
    let (user1, system1) = cpu_times();
    times.sort();
    let (sent, received) = datagrams(&pair);
    let micros = |q: usize| times[(times.len() * q / 100).min(times.len() - 1)].as_secs_f64() * 1e6;
    Run {
        value: micros(50),
        extra: micros(99),
        user: user1 - user0,
        system: system1 - system0,
        sent,
        received,
    }
}

/// Median, minimum and maximum.
fn spread(mut values: Vec<f64>) -> (f64, f64, f64) {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    let median = if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    };
    (median, values[0], values[n - 1])
}

fn summarize(label: &str, unit: &str, runs: &[(Impl, Run)], pick: impl Fn(&Run) -> f64) {
    for which in [Impl::Ancillary, Impl::Stock] {
        let values: Vec<f64> = runs
            .iter()
            .filter(|r| r.0 == which)
            .map(|r| pick(&r.1))
            .collect();
        if values.is_empty() {
            continue;
        }
        let (median, min, max) = spread(values);
        println!(
            "summary\t{label}\t{}\tmedian {median:.1} {unit}\tmin {min:.1}\tmax {max:.1}",
            which.name()
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: usize| args.get(i).map_or(default, |a| a.parse().unwrap());
    let (reps, mib, count) = (arg(0, 7), arg(1, 256), arg(2, 5000));
    let impls: Vec<Impl> = match args.get(3).map(String::as_str) {
        Some("ancillary") => vec![Impl::Ancillary],
        Some("stock") => vec![Impl::Stock],
        _ => vec![Impl::Ancillary, Impl::Stock],
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (mut bulks, mut trips) = (Vec::new(), Vec::new());
    runtime.block_on(async {
        for rep in 0..reps {
            let mut order = impls.clone();
            if rep % 2 == 1 {
                order.reverse();
            }
            for which in order {
                let run = bulk(which, mib).await;
                println!(
                    "run\tbulk\t{}\t{rep}\t{:.1} MiB/s\tuser {:?}\tsystem {:?}\tsent {}\treceived {}",
                    which.name(), run.value, run.user, run.system, run.sent, run.received
                );
                bulks.push((which, run));
                let run = round_trips(which, count).await;
                println!(
                    "run\trtt\t{}\t{rep}\tp50 {:.1} µs\tp99 {:.1} µs\tuser {:?}\tsystem {:?}\tsent {}\treceived {}",
                    which.name(), run.value, run.extra, run.user, run.system, run.sent, run.received
                );
                trips.push((which, run));
            }
        }
    });
    summarize("bulk MiB/s", "MiB/s", &bulks, |r| r.value);
    summarize("bulk user CPU per GiB", "ms", &bulks, |r| {
        r.user.as_secs_f64() * 1e3 * 1024.0 / mib as f64
    });
    summarize("bulk system CPU per GiB", "ms", &bulks, |r| {
        r.system.as_secs_f64() * 1e3 * 1024.0 / mib as f64
    });
    summarize("round trip p50", "µs", &trips, |r| r.value);
    summarize("round trip p99", "µs", &trips, |r| r.extra);
    summarize("round trips user CPU per 1000", "ms", &trips, |r| {
        r.user.as_secs_f64() * 1e6 / count as f64
    });
}
