//! Bulk transfers and round trips between two quinn endpoints over the crate's socket, on
//! IPv4, IPv6 and a dual-stack socket, asserting that ECN, GSO, GRO and destination
//! addresses were really used.

mod common;

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

use common::{bulk, have_dual_stack, have_ipv6, round_trips, Pair, BULK, LIMIT, ROUND_TRIPS};

const V4: Ipv4Addr = Ipv4Addr::LOCALHOST;
const V6: Ipv6Addr = Ipv6Addr::LOCALHOST;

fn on(ip: impl Into<std::net::IpAddr>) -> SocketAddr {
    SocketAddr::new(ip.into(), 0)
}

/// The bulk sender (the client) sent in GSO batches and marked them; the receiver got
/// them coalesced (GRO), with their marks and destination address; the acknowledgements
/// came back marked too.
fn assert_bulk_counts(pair: &Pair) {
    pair.report("bulk");
    let (client, server) = (&pair.client, &pair.server);
    assert!(client.get(|c| &c.gso_sends) > 0, "GSO sends");
    assert!(client.get(|c| &c.ecn_sent) > 0, "ECN sent");
    assert!(server.get(|c| &c.gro_receives) > 0, "GRO receives");
    assert!(server.get(|c| &c.ecn_received) > 0, "ECN marks arrived");
    assert!(server.get(|c| &c.dst_reported) > 0, "destination addresses");
    assert!(
        client.get(|c| &c.ecn_received) > 0,
        "ECN marks on the way back"
    );
    assert!(
        client.get(|c| &c.dst_reported) > 0,
        "destination addresses on the way back"
    );
}

/// Marks and destination addresses both ways.
fn assert_round_trip_counts(pair: &Pair) {
    pair.report("round trips");
    for side in [&pair.client, &pair.server] {
        assert!(side.get(|c| &c.ecn_sent) > 0, "ECN sent");
        assert!(side.get(|c| &c.ecn_received) > 0, "ECN marks arrived");
        assert!(side.get(|c| &c.dst_reported) > 0, "destination addresses");
    }
}

async fn bulk_between(server: SocketAddr, client: SocketAddr, to: std::net::IpAddr) {
    let pair = Pair::new(server, client, to);
    let stats = tokio::time::timeout(LIMIT, bulk(&pair, BULK))
        .await
        .expect("in time");
    println!("bulk: {BULK} bytes, client path {:?}", stats.path);
    assert_bulk_counts(&pair);
}

async fn round_trips_between(server: SocketAddr, client: SocketAddr, to: std::net::IpAddr) {
    let pair = Pair::new(server, client, to);
    let stats = tokio::time::timeout(LIMIT, round_trips(&pair, ROUND_TRIPS))
        .await
        .expect("in time");
    println!("round trips: {ROUND_TRIPS}, client path {:?}", stats.path);
    assert_round_trip_counts(&pair);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_ipv4() {
    bulk_between(on(V4), on(V4), V4.into()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_ipv6() {
    if have_ipv6() {
        bulk_between(on(V6), on(V6), V6.into()).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_trips_ipv4() {
    round_trips_between(on(V4), on(V4), V4.into()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_trips_ipv6() {
    if have_ipv6() {
        round_trips_between(on(V6), on(V6), V6.into()).await;
    }
}

/// A dual-stack client (`[::]`) and an IPv4 server, dialled at `::ffff:127.0.0.1`: the
/// client's datagrams take the kernel's IPv4 path, which reads `IP_TOS` and not
/// `IPV6_TCLASS`, so the server sees marks only if the socket chose by destination; the
/// server's arrive at the IPv6 socket as IPv4 datagrams, with `IP_TOS` and a mapped
/// destination address.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dual_stack() {
    if !have_dual_stack() {
        return;
    }
    let mapped = V4.to_ipv6_mapped().into();
    bulk_between(on(V4), on(Ipv6Addr::UNSPECIFIED), mapped).await;
    round_trips_between(on(V4), on(Ipv6Addr::UNSPECIFIED), mapped).await;
}
