#!/usr/bin/env python3
"""Writes the io_uring section of BENCHMARKS.md (issue 17) from bench/uring.sh's
measurements, replacing the section if it is there and appending it if not. Standard
library only.

usage: uring_report.py REPORT_DIR CRITERION_DIR BENCHMARKS_MD
"""

import json
import os
import sys
import textwrap

from section import replace_section

START = "<!-- uring:start -->"
END = "<!-- uring:end -->"
BATCH = 32
GROUP = "udp_recv_32_datagrams_each_with_ttl"
NAMES = {
    "io_uring_multishot": "io_uring multishot `recvmsg` (`RecvMsgMulti`)",
    "recv_mmsg": "`recv_mmsg` (`recvmmsg`)",
    "recvmsg_x32": "one `recvmsg` per datagram",
}
# The system calls that do the receiving and sending, shown per batch.
CALLS = ["io_uring_enter", "recvmmsg", "recvmsg", "sendmmsg"]


def strace_calls(path):
    """{system call: number of calls} from an `strace -c -U name,calls` table."""
    calls = {}
    with open(path) as f:
        for line in f:
            fields = line.split()
            if len(fields) == 2 and fields[1].isdigit() and fields[0] != "total":
                calls[fields[0]] = int(fields[1])
    return calls


def wall_ns(criterion_dir, name):
    path = os.path.join(criterion_dir, GROUP, name, "new", "estimates.json")
    try:
        with open(path) as f:
            return json.load(f)["median"]["point_estimate"]
    except OSError:
        return None


def per_datagram(row):
    """User-space instructions per datagram of one row of uring-counts.tsv."""
    _, ir1, ir2, n1, n2 = row
    return (int(ir2) - int(ir1)) / ((int(n2) - int(n1)) * BATCH)


def section(report_dir, criterion_dir):
    lines = [
        START,
        "## io_uring: multishot receive against `recv_mmsg` and `recvmsg`",
        "",
        f"Issue 17 (`tests/benches/uring.rs`, `bench/uring.sh`). One batch: {BATCH} UDP",
        "datagrams of 64 bytes sent with one `send_mmsg_to`, each with its own `IP_TTL`,",
        "then all of them received with their `IP_TTL` message three ways: one multishot",
        "io_uring `recvmsg` over a registered buffer ring, each completion read in place by",
        "`RecvMsgMulti::take_in_place` and its buffer given back to the ring; `recv_mmsg`",
        "with `MSG_WAITFORONE`; and one `recvmsg` per datagram. Figures per datagram include",
        "its share of the send, the same for all three.",
        "",
        "| receive | instructions / datagram | system calls / batch | of which | µs / batch | datagrams / s |",
        "|---|---:|---:|---|---:|---:|",
    ]
    with open(os.path.join(report_dir, "uring-counts.tsv")) as f:
        rows = [line.split() for line in f if line.strip()]
    for row in rows:
        name, n1, n2 = row[0], int(row[3]), int(row[4])
        per = per_datagram(row)
        c1 = strace_calls(os.path.join(report_dir, f"strace.uring.{name}.{n1}.txt"))
        c2 = strace_calls(os.path.join(report_dir, f"strace.uring.{name}.{n2}.txt"))
        per_batch = {k: (c2.get(k, 0) - c1.get(k, 0)) / (n2 - n1) for k in set(c1) | set(c2)}
        total = sum(per_batch.values())
        main = ", ".join(
            f"{per_batch[k]:.1f} `{k}`" for k in CALLS if per_batch.get(k, 0) >= 0.05
        )
        ns = wall_ns(criterion_dir, name)
        wall = f"{ns / 1000:.1f}" if ns else ""
        rate = f"{BATCH / ns * 1e9:,.0f}" if ns else ""
        lines.append(
            f"| {NAMES.get(name, name)} | {per:.1f} | {total:.1f} | {main} | {wall} | {rate} |"
        )
    by_instructions = [NAMES.get(r[0], r[0]) for r in sorted(rows, key=lambda r: per_datagram(r))]
    order = textwrap.wrap(
        "From the fewest user-space instructions per datagram to the most: "
        + "; ".join(by_instructions) + ".",
        width=86,
    )
    lines += [
        "",
        *order,
        "The kernel's work per datagram (the UDP receive, the copies, building each",
        "`IP_TTL` message) is most of the wall time: the three receives come out close",
        "together, and their order changes from run to run on this shared 2-core",
        "machine, so the counts are what say where each one's cost lies.",
        "Multishot enters the kernel only to wait (`io_uring_enter`): once per batch when",
        "the whole batch has arrived by then, as here, where the send comes first;",
        "`recv_mmsg` enters once and `recvmsg` once per datagram. Multishot's user-space",
        "work per datagram is reaping the completion",
        "(the `io-uring` crate's queue), `take_in_place` (reading the buffer's header,",
        "address, control data and payload where they lie, with nothing copied) and",
        "handing the buffer back (three stores into the ring); `recv_mmsg` and `recvmsg`",
        "instead set up a `msghdr` per datagram and clear and refill an `AncillaryData`.",
        "Multishot's gain over `recvmsg` is in system calls, which this machine's fast",
        "loopback makes cheap, so the difference grows with the cost of a system call; over",
        "`recv_mmsg` it is the `msghdr` set-up and the copy-free control data, and that the",
        "receive stays armed with no call at all while datagrams keep coming.",
        "",
        "Instructions are exact (callgrind, user space only, the difference of two runs",
        "so that set-up cancels out); system calls are counted with `strace -f -c` the",
        "same way, every thread included; wall times are criterion's medians, noisy on a",
        "shared machine, and include the kernel's work, which is most of it.",
        END,
    ]
    return "\n".join(lines) + "\n"


def main():
    report_dir, criterion_dir, md_path = sys.argv[1:4]
    replace_section(md_path, START, END, section(report_dir, criterion_dir))


if __name__ == "__main__":
    main()
