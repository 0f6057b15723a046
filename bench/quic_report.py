#!/usr/bin/env python3
"""Writes the QUIC section of BENCHMARKS.md (issues 15 and 21) from bench/quic.sh's
measurements, replacing the section if it is there and appending it if not. Standard
library only.

usage: quic_report.py INSTR_TSV RATE_TSV BENCHMARKS_MD
"""

import sys

from section import replace_section

START = "<!-- quic:start -->"
END = "<!-- quic:end -->"
NAMES = {
    "ours": "ours, control data built per send",
    "ours-guide": "ours, read as the guide writes it (catch-all variant)",
    "ours-reused": "ours, control data kept per path",
    "quinn": "quinn-udp 0.6",
}
# The address families, by the suffix of the implementations' names.
FAMILIES = [("", "IPv4"), ("-v6", "IPv6")]


def rows(path):
    with open(path) as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


def split_name(name):
    """(implementation, family) of a name such as `ours-guide-v6`."""
    for suffix, family in reversed(FAMILIES):
        if suffix and name.endswith(suffix):
            return name[: -len(suffix)], family
    return name, FAMILIES[0][1]


def per_datagram(instr):
    """{(implementation, family): instructions per datagram}."""
    return {split_name(name): float(per) for name, per, *_ in instr}


def target_lines(per):
    """Issue 21's target for each family measured, met or not, from the numbers."""
    lines = []
    for _, family in FAMILIES:
        guide, quinn = per.get(("ours-guide", family)), per.get(("quinn", family))
        if guide is None or quinn is None:
            continue
        verdict = "met" if guide <= quinn else "not met"
        lines.append(
            f"* {family}: {verdict}, {guide:.1f} against {quinn:.1f} "
            f"({guide - quinn:+.1f} per datagram)."
        )
    return lines


def catch_all_cost(per):
    """What the guide's enum costs over the tuned one, per family, as prose."""
    parts = []
    for _, family in FAMILIES:
        guide, tuned = per.get(("ours-guide", family)), per.get(("ours", family))
        if guide is not None and tuned is not None:
            more = "more" if guide >= tuned else "fewer"
            parts.append(f"{abs(guide - tuned):.1f} instructions {more} with {family}")
    return ", ".join(parts)


def section(instr, rate):
    rates = {name: float(value) for name, value in rate}
    batch = instr[0][3] if instr else "?"
    per = per_datagram(instr)
    lines = [
        START,
        "## QUIC datagrams: ours against quinn-udp",
        "",
        "Issue 15: what a QUIC endpoint pays per UDP datagram (`tests/benches/quic.rs`,",
        "`bench/quic.sh`). One round: the client sends "
        f"{batch} datagrams of 1200 bytes in one",
        "`sendmsg` with a GSO segment size, ECN ECT(0) and a source address",
        "(`IP_PKTINFO`, `IPV6_PKTINFO`); the server, with GRO, ECN, destination addresses",
        "and receive timestamps on (quinn-udp turns the last on itself), receives them as",
        "one coalesced buffer and reads its segment size, ECN bits, destination, timestamp",
        "and sender. Each implementation has its own loopback socket pair, once over",
        "127.0.0.1 and once over `[::1]`; the figures are per datagram.",
        "",
        "| implementation | family | instructions / datagram | allocations / datagram "
        "| datagrams / s | instructions vs quinn-udp |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for name, value, allocs, _ in instr:
        impl, family = split_name(name)
        quinn = per.get(("quinn", family))
        ratio = f"{float(value) / quinn:.2f}x" if quinn else ""
        speed = f"{rates[name]:,.0f}" if name in rates else ""
        lines.append(
            f"| {NAMES.get(impl, impl)} | {family} | {float(value):.1f} "
            f"| {float(allocs):g} | {speed} | {ratio} |"
        )
    lines += [
        "",
        "Issue 21's target: the QUIC receive as the guide teaches it, catch-all variant",
        "included, at most quinn-udp's instructions per datagram (send and receive), in",
        "each family:",
        "",
        *target_lines(per),
        "",
        "* **ours, control data built per send**: `AncillaryData` over stack storage with",
        "  `UdpSegment`, `IpTosSend` and `InPktinfo` (IPv6: `Ipv6Tclass` and `In6Pktinfo`)",
        "  added for every send, as quinn-udp rebuilds its control data for every",
        "  `Transmit`; received into stack storage and read with one `match` over a",
        "  `#[derive(ControlMessages)]` enum of the family's four messages. The receive",
        "  options are turned on with the crate's `SocketOptionsExt`.",
        "* **ours, read as the guide writes it**: the same exchange, the receive read with",
        "  the enum the guide and `examples/quic_echo.rs` use: every message a QUIC receive",
        "  may get (both families') and a catch-all `Other(ControlMessage<'a>)` variant.",
        "  Per datagram against the tuned enum:",
        f"  {catch_all_cost(per)}.",
        "* **ours, control data kept per path**: the same messages built once and the same",
        "  `AncillaryData` sent again for every send on the path (GSO size, ECN and source",
        "  address rarely change within a path), and one receive buffer reused.",
        "  The per-send form pays for writing the three messages (each a header, a",
        "  payload of constant size and zeroed padding, inlined where they are added) and",
        "  for zeroing the two stack storages.",
        "* Both forms of ours walk the received messages once more when the receive buffer",
        "  is dropped or reused, to close any descriptor (`SCM_RIGHTS`, `SCM_PIDFD`) that",
        "  nobody took. quinn-udp never takes descriptors and has no such walk.",
        "* **quinn-udp**: `UdpSocketState::try_send` with a `Transmit`, and",
        "  `UdpSocketState::recv` of one buffer into a `RecvMeta`. quinn-udp 0.6.3 loses the",
        "  ECN bits of every coalesced receive here, in both families: its 96-byte control",
        "  buffer cannot hold `UDP_GRO`, `SO_TIMESTAMPNS`, the destination and the ECN bits",
        "  together (112 bytes with IPv4, 120 with IPv6, on 64-bit Linux), so the kernel",
        "  cuts the last, `IP_TOS` or `IPV6_TCLASS` (`MSG_CTRUNC`); the benchmark checks",
        "  everything else and notes that.",
        "",
        "Instructions are exact (callgrind, user space only: the kernel's share of a",
        "round, the same for all, is not in them); datagrams per second include the kernel",
        "and are the best of 5 runs of 0.4 s each, interleaved within a family, noisy on a",
        "shared machine.",
        END,
    ]
    return "\n".join(lines) + "\n"


def main():
    instr_path, rate_path, md_path = sys.argv[1:4]
    new = section(rows(instr_path), rows(rate_path))
    replace_section(md_path, START, END, new)


if __name__ == "__main__":
    main()
