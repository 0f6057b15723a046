#!/usr/bin/env python3
"""Writes the QUIC section of BENCHMARKS.md (issue 15) from bench/quic.sh's measurements,
replacing the section if it is there and appending it if not. Standard library only.

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


def rows(path):
    with open(path) as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


def section(instr, rate):
    rates = {name: float(value) for name, value in rate}
    batch = instr[0][3] if instr else "?"
    quinn = next((float(per) for name, per, *_ in instr if name == "quinn"), None)
    lines = [
        START,
        "## QUIC datagrams: ours against quinn-udp",
        "",
        "Issue 15: what a QUIC endpoint pays per UDP datagram (`tests/benches/quic.rs`,",
        "`bench/quic.sh`). One round: the client sends "
        f"{batch} datagrams of 1200 bytes in one",
        "`sendmsg` with a GSO segment size, ECN ECT(0) and a source address",
        "(`IP_PKTINFO`); the server, with GRO, ECN, destination addresses and receive",
        "timestamps on (quinn-udp turns the last on itself), receives them as one coalesced",
        "buffer and reads its segment size, ECN bits, destination, timestamp and sender.",
        "Each implementation has its own loopback socket pair; the figures are per datagram.",
        "",
        "| implementation | instructions / datagram | allocations / datagram "
        "| datagrams / s | instructions vs quinn-udp |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, per, allocs, _ in instr:
        ratio = f"{float(per) / quinn:.2f}x" if quinn else ""
        speed = f"{rates[name]:,.0f}" if name in rates else ""
        lines.append(
            f"| {NAMES.get(name, name)} | {float(per):.1f} | {float(allocs):g} | {speed} | {ratio} |"
        )
    lines += [
        "",
        "* **ours, control data built per send**: `AncillaryData` over stack storage with",
        "  `UdpSegment`, `IpTosSend` and `InPktinfo` added for every send, as quinn-udp",
        "  rebuilds its control data for every `Transmit`; received into stack storage and",
        "  read with one `match` over a `#[derive(ControlMessages)]` enum.",
        "* **ours, read as the guide writes it**: the same exchange, the receive read with",
        "  the enum the guide and `examples/quic_echo.rs` use: every message a QUIC receive",
        "  may get (IPv6 ones included) and a catch-all `Other(ControlMessage<'a>)` variant.",
        "  The catch-all is what costs: with a last variant of another type instead it",
        "  measured 65.7 per datagram. The compiler carries the enum, whose variants lay",
        "  their fields out differently, as a dozen register pieces set on every variant",
        "  that matches (issue 21 asks for at most 5 instructions per message: not met).",
        "* **ours, control data kept per path**: the same messages built once and the same",
        "  `AncillaryData` sent again for every send on the path (GSO size, ECN and source",
        "  address rarely change within a path), and one receive buffer reused.",
        "  The per-send form pays for writing the three messages (each a header, a",
        "  payload of constant size and zeroed padding, inlined where they are added) and",
        "  for zeroing the two stack storages.",
        "* Both forms of ours walk the received messages once more when the receive buffer",
        "  is dropped or reused, to close any descriptor (`SCM_RIGHTS`, `SCM_PIDFD`) that",
        "  nobody took: about 90 instructions per round of 4 messages, 9 per datagram here.",
        "  quinn-udp never takes descriptors and has no such walk.",
        "* **quinn-udp**: `UdpSocketState::try_send` with a `Transmit`, and",
        "  `UdpSocketState::recv` of one buffer into a `RecvMeta`. quinn-udp 0.6.3 loses the",
        "  ECN bits of every coalesced IPv4 receive here: its 96-byte control buffer cannot",
        "  hold `UDP_GRO`, `SO_TIMESTAMPNS`, `IP_PKTINFO` and `IP_TOS` together (112 bytes",
        "  on 64-bit Linux), so the kernel cuts `IP_TOS` (`MSG_CTRUNC`); the benchmark checks",
        "  everything else and notes that.",
        "",
        "Instructions are exact (callgrind, user space only: the kernel's share of a",
        "round, the same for all, is not in them); datagrams per second include the kernel",
        "and are the best of 5 interleaved runs of 0.4 s each, noisy on a shared machine.",
        END,
    ]
    return "\n".join(lines) + "\n"


def main():
    instr_path, rate_path, md_path = sys.argv[1:4]
    new = section(rows(instr_path), rows(rate_path))
    replace_section(md_path, START, END, new)


if __name__ == "__main__":
    main()
