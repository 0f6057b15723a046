//! Congestion marks make quinn react: the client re-marks a share of its ECT datagrams CE
//! (real marks, through the kernel, as a congested router would set them), the server
//! echoes the count in its acknowledgements, and the client's congestion controller counts
//! congestion events for them.

mod common;

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

use common::{bulk, have_ipv6, Pair, LIMIT};

/// Enough data for many acknowledgements.
const BYTES: usize = 8 << 20;
/// One transmit in this many is marked CE.
const CE_EVERY: u64 = 8;

async fn ce_between(ip: std::net::IpAddr) {
    let bind = SocketAddr::new(ip, 0);
    let pair = Pair::with_ce(bind, bind, ip, CE_EVERY);
    let stats = tokio::time::timeout(LIMIT, bulk(&pair, BYTES))
        .await
        .expect("in time");
    pair.report("CE");
    println!("CE: client path {:?}", stats.path);
    assert!(pair.server.get(|c| &c.ce_received) > 0, "CE marks arrived");
    // A loss episode is one congestion event and loses at least one packet: more events
    // than lost packets means that ECN feedback caused some.
    assert!(
        stats.path.congestion_events > stats.path.lost_packets,
        "congestion events from CE marks: {:?}",
        stats.path
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ce_marks_cause_congestion_events_ipv4() {
    ce_between(Ipv4Addr::LOCALHOST.into()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ce_marks_cause_congestion_events_ipv6() {
    if have_ipv6() {
        ce_between(Ipv6Addr::LOCALHOST.into()).await;
    }
}
