#!/usr/bin/env python3
"""Writes the batched-receive section of BENCHMARKS.md (issue 23) from bench/batch.sh's
measurements, replacing the section if it is there and appending it if not. Standard
library only.

usage: batch_report.py INSTR_TSV BENCHMARKS_MD
"""

import sys

from section import replace_section

START = "<!-- batch:start -->"
END = "<!-- batch:end -->"
NAMES = {
    "batch": "one `RecvBatch` made once, `recv_batch`",
    "mmsg-heap": "`[RecvMmsg; 32]` per call, heap `AncillaryData` made once",
    "mmsg-stack": "`[RecvMmsg; 32]` per call, `AncillaryStorage` per call",
    "quinn": "quinn-udp 0.6 `UdpSocketState::recv`",
}


def section(instr):
    lines = [
        START,
        "## Batched receives into lent buffers",
        "",
        "Issue 23: 32 datagrams of 1200 bytes received in one `recvmmsg` into buffers lent",
        "for the call, as quinn's `AsyncUdpSocket::poll_recv` is lent a fresh",
        "`&mut [IoSliceMut]` on every poll (`tests/benches/batch.rs`, `bench/batch.sh`). Each",
        "receive reads what quinn-udp's `RecvMeta` holds (sender, length, GRO size, ECN,",
        "destination, timestamp) on a socket quinn-udp set up. User-space instructions per",
        "datagram, counted inside the receive functions only (callgrind `--toggle-collect`).",
        "",
        "| the batch | instructions / datagram |",
        "|---|---:|",
    ]
    for name, per in instr:
        lines.append(f"| {NAMES.get(name, name)} | {float(per):.1f} |")
    lines += [
        "",
        "* Clearing each message's `AncillaryData` no longer walks its control data for",
        "  descriptors to close: a receive from an IPv4 or IPv6 sender owns none. That walk",
        "  was about 75 of the 360 instructions per datagram the `RecvBatch` receive took",
        "  before (2026-12). Filling a header is 7, zeroing it 4.",
        "* Rebuilding `[RecvMmsg; 32]` per call costs its construction and a frame of",
        "  about 16 KB (21 KB with stack storage, whose `AncillaryData`s are dropped and",
        "  walked on every call).",
        END,
        "",
    ]
    return "\n".join(lines)


def main():
    with open(sys.argv[1]) as f:
        instr = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    replace_section(sys.argv[2], START, END, section(instr))


if __name__ == "__main__":
    main()
