#!/usr/bin/env python3
"""Writes BENCHMARKS.md (to stdout) and the instructions-per-op chart (SVG) from the
measurements of bench/run.sh. Standard library only.

usage: report.py INSTR_TSV CRITERION_TSV SVG_OUT
"""

import os
import platform
import subprocess
import sys
from html import escape

IMPLS = ["ours-heap", "ours-stack", "libc", "rustix", "nix", "std"]
# The downstream harness (issue 14): the same calls through functions the compiler does not
# inline, descriptors as a run-time slice, buffers per call.
DS_IMPLS = ["ds-libc", "ds-rustix", "ds-nix", "ds-ours-stack", "ds-ours-per-call", "ds-ours-reused"]
DS_SCENARIOS = ["A", "B", "C", "D2"]
# Issue 21's targets, in instructions per operation, for the stack storage and the reused
# heap buffers, which must also stay below rustix (the per-call heap form allocates; its
# target is in the prose).
DS_TARGETS = {"A": 215, "B": 265, "C": 98, "D2": 100}
DS_TARGETED = ["ds-ours-stack", "ds-ours-reused"]
# Issue 21: the RFC's per-call form allocates nothing and stays within 1.5x libc.
DS_PER_CALL = "ds-ours-per-call"
DS_PER_CALL_RATIO = 1.5
SCENARIOS = ["A", "B", "C", "D", "D2", "E"]
BATCH = "udp_32_datagrams_each_with_ttl"
DESCRIBE = {
    "A": "send 1 fd + 1 byte over a UnixStream socketpair, receive, close",
    "B": "the same with 4 fds",
    "C": "64 data bytes, no control data",
    "D": "parse SCM_RIGHTS (2 fds) + SCM_CREDENTIALS + a custom message, sum the fields",
    "D2": "parse SCM_RIGHTS (2 fds) + SCM_CREDENTIALS, sum the fields",
    "E": "find the custom derived message among the 3 of D (typed lookup)",
}
# Issue 6's targets for ours, in instructions per operation.
TARGETS = {"A": 220, "B": 260, "C": 90, "D2": 110}
COLOURS = {
    "ours-heap": "#1f77b4",
    "ours-stack": "#17becf",
    "libc": "#7f7f7f",
    "rustix": "#ff7f0e",
    "nix": "#d62728",
    "std": "#9467bd",
}


def read_tsv(path):
    rows = []
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) >= 3:
                    rows.append(parts)
    return rows


def command(args):
    try:
        return subprocess.run(args, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return ""


def machine(rustc):
    model = ""
    for line in command(["lscpu"]).splitlines():
        if line.startswith("Model name:"):
            model = line.split(":", 1)[1].strip()
    cpus = os.cpu_count()
    rustc = rustc or command(["rustc", "--version"]).strip()
    valgrind = command(["valgrind", "--version"]).strip()
    return [
        f"CPU: {model or platform.processor() or 'unknown'} ({cpus} logical CPUs)",
        f"Kernel: {platform.system()} {platform.release()} ({platform.machine()})",
        f"Compiler: {rustc}",
        f"Instruction counts: {valgrind} (`--tool=callgrind`)",
    ]


def fmt_time(ns):
    if ns is None:
        return "–"
    if ns >= 1000:
        return f"{ns / 1000:.2f} µs"
    return f"{ns:.0f} ns"


def svg_chart(instr, path):
    """Grouped horizontal bars: one group per scenario, one bar per implementation."""
    bar_h, gap, left, width = 14, 10, 70, 520
    present = [s for s in SCENARIOS if any((s, i) in instr for i in IMPLS)]
    top = max((v for v in instr.values()), default=1.0)
    rows = []
    y = 40
    for s in present:
        impls = [i for i in IMPLS if (s, i) in instr]
        group_top = y
        for i in impls:
            v = instr[(s, i)]
            w = max(1.0, width * v / top)
            rows.append(
                f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h - 2}" '
                f'fill="{COLOURS[i]}"><title>{s} {i}: {v:.0f}</title></rect>'
                f'<text x="{left + w + 4:.1f}" y="{y + bar_h - 4}" font-size="10">'
                f"{v:.0f} {escape(i)}</text>"
            )
            y += bar_h
        if s in TARGETS:
            tx = left + width * TARGETS[s] / top
            rows.append(
                f'<line x1="{tx:.1f}" y1="{group_top - 2}" x2="{tx:.1f}" y2="{y}" '
                f'stroke="#2ca02c" stroke-dasharray="3,2"><title>target {TARGETS[s]}'
                f"</title></line>"
            )
        rows.append(
            f'<text x="{left - 8}" y="{(group_top + y) / 2 + 4:.0f}" font-size="13" '
            f'text-anchor="end" font-weight="bold">{s}</text>'
        )
        y += gap
    height = y + 30
    total_w = left + width + 140
    svg = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_w}" height="{height}" '
        f'font-family="sans-serif">',
        f'<rect width="{total_w}" height="{height}" fill="white"/>',
        '<text x="10" y="22" font-size="14" font-weight="bold">User-space instructions '
        "per operation (callgrind; lower is better; dashed: issue 6 target)</text>",
        *rows,
        "</svg>",
    ]
    with open(path, "w") as f:
        f.write("\n".join(svg) + "\n")


def downstream(w, instr, allocs):
    """The downstream harness's table, with issue 14's targets."""
    present = [i for i in DS_IMPLS if any((s, i) in instr for s in DS_SCENARIOS)]
    if not present:
        return
    w("## The downstream harness (issues 14 and 21)")
    w("")
    w("The same work, called the way a separate crate calls a library: every operation goes")
    w("through functions the compiler does not inline (`#[inline(never)]`), the descriptors")
    w("to send are a slice whose length is known only at run time, arguments pass through")
    w("`black_box`, and buffers are made per call as the README and the guide show")
    w("(`tests/benches/common/downstream/`). **ds-ours-stack**: an `AncillaryStorage` on the")
    w("stack per call, `drain_fds` to close. **ds-ours-per-call**: the RFC's own style, a")
    w("fresh `AncillaryData::new()` to send and `with_capacity` to receive, per call, which")
    w("keep their first 64 bytes inside the value. **ds-ours-reused**: buffers made once")
    w("with `with_capacity` and lent to every call. The others are")
    w("the same calls written with raw libc, rustix (stack buffers per call) and nix")
    w("(`cmsg_space!` per call; it cannot parse bytes it did not receive, so no D2).")
    w("Each operation crosses one non-inlined boundary, the same for every implementation.")
    w("Issue 21 also asks the RFC's per-call form to allocate nothing when its control data")
    w("fits 64 bytes, at no more than 1.5x libc: the last column.")
    w("")
    w("| scenario | " + " | ".join(present)
      + " | target for ours (stack, reused) | target for the per-call form |")
    w("|---|" + "---:|" * (len(present) + 2))
    for s in DS_SCENARIOS:
        cells = []
        for i in present:
            v = instr.get((s, i))
            a = allocs.get((s, i))
            cell = "–" if v is None else f"{v:.0f}"
            if a:
                cell += f" ({a:g} allocs)"
            cells.append(cell)
        libc = instr.get((s, "ds-libc"))
        rustix = instr.get((s, "ds-rustix"))
        if libc is None:
            tcell = ""
        else:
            limit = DS_TARGETS[s]
            ours = [instr[(s, i)] for i in DS_TARGETED if (s, i) in instr]
            met = ours and max(ours) <= limit and (rustix is None or max(ours) < rustix)
            ratio = f"{max(ours) / libc:.2f}x" if ours else "?"
            tcell = f"≤ {limit:.0f}, below rustix: {'met' if met else 'missed'} ({ratio} libc)"
        per_call = instr.get((s, DS_PER_CALL))
        if libc is None or per_call is None:
            pcell = ""
        else:
            limit = DS_PER_CALL_RATIO * libc
            met = per_call <= limit and not allocs.get((s, DS_PER_CALL))
            pcell = f"≤ {limit:.0f}, no allocation: {'met' if met else 'missed'}"
        w(f"| {s} | " + " | ".join(cells) + f" | {tcell} | {pcell} |")
    w("")


def main():
    instr_rows, crit_rows, svg_path = sys.argv[1], sys.argv[2], sys.argv[3]
    rustc = sys.argv[4] if len(sys.argv) > 4 else ""
    instr, allocs, times = {}, {}, {}
    for s, i, per_op, a in (r[:4] for r in read_tsv(instr_rows)):
        instr[(s, i)] = float(per_op)
        allocs[(s, i)] = float(a)
    for s, i, ns in (r[:3] for r in read_tsv(crit_rows)):
        times[(s, i)] = float(ns)
    svg_chart({k: v for k, v in instr.items() if k[1] in IMPLS}, svg_path)

    out = []
    w = out.append
    w("# Benchmarks")
    w("")
    w("Issue 6: is `ancillary` as fast as raw libc? Every implementation does the same work")
    w("per operation, written as a downstream crate would write it (`tests/benches/`); all")
    w("figures below come from one run of `bench/run.sh`.")
    w("")
    w("| scenario | what one operation does |")
    w("|---|---|")
    for s in SCENARIOS:
        w(f"| {s} | {DESCRIBE[s]} |")
    w("")
    w("Implementations: **ours-heap** (`AncillaryData::with_capacity`, made once and reused),")
    w("**ours-stack** (`AncillaryData::with_storage` over a stack array made for every")
    w("operation), **libc** (`msghdr` by hand, `CMSG_FIRSTHDR`/`CMSG_NXTHDR`), **rustix** 1.x")
    w("(`SendAncillaryBuffer`/`RecvAncillaryBuffer` over stack arrays), **nix** 0.31")
    w("(`sendmsg`/`recvmsg`/`cmsgs()`, receive buffer reused), and, when the run asks for it")
    w("(`bench/run.sh --std`, nightly), **std**'s unstable `unix_socket_ancillary_data`")
    w("(`SocketAncillary` over stack arrays, raw descriptors closed by hand). Every receive")
    w("passes `MSG_CMSG_CLOEXEC`. A dash means the library cannot express the scenario: nix")
    w("and std parse only what their own receive filled (so D2 parses a kernel-delivered")
    w("buffer, and the kernel delivers no custom message on a Unix socket), and rustix's")
    w("`RecvAncillaryMessage` has no variant for other messages (its `drain` skips them).")
    w("The target column is met only if both of ours are within it.")
    w("")
    w("![instructions per operation](bench/instr.svg)")
    w("")
    w("## Instructions per operation (user space, exact)")
    w("")
    header = "| scenario | " + " | ".join(IMPLS) + " | target for ours |"
    present_impls = [i for i in IMPLS if any((s, i) in instr for s in SCENARIOS)]
    header = "| scenario | " + " | ".join(present_impls) + " | target for ours |"
    w(header)
    w("|---|" + "---:|" * (len(present_impls) + 1))
    for s in SCENARIOS:
        cells = []
        for i in present_impls:
            v = instr.get((s, i))
            cells.append("–" if v is None else f"{v:.0f}")
        target = TARGETS.get(s)
        if target is None:
            tcell = ""
        else:
            ours = [instr[(s, i)] for i in ("ours-heap", "ours-stack") if (s, i) in instr]
            met = ours and max(ours) <= target
            tcell = f"≤ {target} ({'met' if met else 'missed'})"
        w(f"| {s} | " + " | ".join(cells) + f" | {tcell} |")
    w("")
    missed = [
        s for s, t in TARGETS.items()
        if any(instr.get((s, i), 0) > t for i in ("ours-heap", "ours-stack"))
    ]
    if missed:
        w("### Targets not met in this run: " + ", ".join(missed))
        w("")
        w("Profile the pair with `callgrind_annotate` (the driver is built with line tables)")
        w("and compare with the list below.")
        w("")
    downstream(w, instr, allocs)
    w("### What ours does that the libc version does not")
    w("")
    w("Everything of ours is inlined into the caller; the remaining difference to libc is")
    w("the state that keeps the API sound, spread thinly:")
    w("")
    w("* Per send and receive: closing received descriptors that were not taken (one byte")
    w("  test when there are none), resetting the lengths before a receive (two wide")
    w("  stores), recording the received length clamped to the capacity, and the test for")
    w("  an earlier `add_*` that did not fit before a send.")
    w("* Adding descriptors: the capacity check, the header and zeroed padding, and the note")
    w("  that lets a later `add_file_descriptors` extend the same `SCM_RIGHTS` message.")
    w("* Taking descriptors: a walk that checks every length (`CMSG_NXTHDR` trusts the")
    w("  kernel), the filter for negative numbers before `OwnedFd::from_raw_fd`, and the")
    w("  record of which descriptor kinds the walk saw, so that the next clear need not walk")
    w("  again.")
    w("")
    w("### Why the code is shaped so")
    w("")
    w("Comments in the source point here for the costs behind a shape:")
    w("")
    w("* **The fd drain** (`fds.rs`): an `OwnedFds` is two slices, the current message's")
    w("  descriptors and the bytes after it; a receive of several messages learns the other")
    w("  descriptor kinds in them once, up front. Moving to the next message is one call per")
    w("  message to `step(rest, kind)`, a function of its arguments alone (no pointer into")
    w("  the iterator escapes). The iterator's drop tests inline whether anything is left and")
    w("  passes its fields by value to an out-of-line close, so the clean-up that a caller's")
    w("  loop needs in case a call unwinds takes no pointer to the iterator, which then stays")
    w("  in registers. A drop that walks in place, with a step that may unwind, took A from")
    w("  218 to 227 and B from 270 to 291 (stack); this drop costs the same as the earlier")
    w("  shape, a step declared `extern \"C\"` so that it could not unwind (A 213, B 265")
    w("  both ways). The two-slice iterator took the reused form's A from 233 to 223 and B")
    w("  from 294 to 278. A sole `SCM_RIGHTS` message, the common case, is found when the")
    w("  iterator is made and needs no call.")
    w("* **The sole-message test** (`cmsg::sole`): behind every drain and every drop of")
    w("  received data, it asks its two questions directly (the payload range within the")
    w("  bytes, no header after the aligned end) rather than through the walk's step and a")
    w("  test of the rest: downstream A 218 to 213, B 270 to 265 (stack).")
    w("* **Adding a message** (`control_messages_buf.rs`): up to 256 payload bytes (64")
    w("  descriptors) at an aligned end with room take an inline path with one capacity test")
    w("  (`Storage::get_mut`); growth, an open `SCM_RIGHTS` message to extend and unaligned")
    w("  ends go out of line (downstream A 280 to 253 when it came back).")
    w("* **Copying descriptors to send** (`cmsg.rs`): one descriptor is one store, two to four")
    w("  are two overlapping pair stores; a loop, or a copy through an array, becomes a call")
    w("  to `memcpy` (downstream A 271 to 253 and 233 to 227, B 284 to 279).")
    w("* **Freeing heap storage** (`region.rs`): out of line, given the pointer and size by")
    w("  value, and one `Kind` field says whether there is anything to free, so dropping a")
    w("  lent or empty buffer is one test (downstream A 238 to 235).")
    w("* **Inline storage** (`region.rs`): a buffer of its own keeps its first 64 bytes inside")
    w("  the value, so the RFC's per-call form allocates nothing for small control data")
    w("  (downstream A 900 to 277, B 955 to 332, two allocations to none). The value can move,")
    w("  so their address is taken on each access, a test of the kind: the reused form, whose")
    w("  32 bytes are now inline, went from A 223 to 230 and B 278 to 285. Growing within the")
    w("  inline bytes raises the capacity (those bytes are zero already), inline on the push")
    w("  path, so `new()` then a push costs no call.")
    w("* **Builders without control data** (`builder.rs`): they send and receive with a")
    w("  storage of no room and no inline bytes (`AncillaryData::none`); with `new()` the")
    w("  compiler sets up the inline bytes it cannot prove unused (downstream C 95 against 116).")
    w("* **Closing unclaimed descriptors** (`control_messages_buf/received.rs`): the tests")
    w("  that find nothing to close are inline; the walk that closes is out of line, which")
    w("  keeps a buffer's drop small enough to inline where it is dropped (downstream A 224 to")
    w("  214, B 276 to 266, stack, before the inline storage). Its price is in the main")
    w("  harness, where a whole loop inlines: the walk takes the buffer's address, so the")
    w("  empty buffer of a data-only call is no longer optimised away (ours-stack C 64 to 117).")
    w("  Handing the walk the record and the length by value keeps C at 64 but costs the")
    w("  downstream stack form 2 (A 215, B 267), whose targets are the issue's.")
    w("* **The buffer's own lengths** (`control_messages_buf.rs`): read unchecked, inside the")
    w("  module that alone writes them (main harness C 97 to 95, downstream A 236 to 233).")
    w("* **No control data to send** (`sys/msghdr.rs`): Linux reads `msg_control` only when")
    w("  `msg_controllen` is not 0, so there the pointer is passed as it is, without a")
    w("  branch; the BSDs, which refuse a short non-null one, get null.")
    w("* **The builders' `iovec`** (`builder.rs`): a single buffer is copied into a local of the")
    w("  caller and the kernel gets that address; an `iovec` inside the builder would make the")
    w("  compiler keep the whole builder in memory (about 11 instructions).")
    w("* **Borrowing std's sockets** (`socket.rs`, through `sys`'s `OwnsFd`): through `AsRawFd`,")
    w("  which inlines to a load; std's `AsFd` impls are out-of-line calls that may unwind, so")
    w("  every value with drop glue alive across them must first be written to memory (about 9")
    w("  instructions).")
    w("* **The buffer's layout** (`control_messages_buf.rs`): `repr(C)` keeps the four words a")
    w("  clear resets together, so the compiler resets them with two wide stores.")
    w("* **A message's truncation flag** (`message.rs`): a `u8`, not a `bool`. A `bool`'s")
    w("  spare values would hold the variant of an enum with a catch-all `ControlMessage`")
    w("  variant (the guide's parsed enum), and the compiler then splits every such value")
    w("  into byte pieces that it reassembles before each match: the QUIC receive in the")
    w("  guide's shape took 80.9 instructions per datagram with the `bool`, 73.2 without.")
    w("* **`PayloadError`'s layout** (`payload.rs`): `#[repr(u8)]`, a tag byte of its own,")
    w("  rather than its variant kept in the spare values of `Length`'s `bool`. The guide's")
    w("  QUIC receive (catch-all variant, `match message?`) took 91.9 instructions per")
    w("  datagram without it and takes 58.8 with it (88.7 with `repr(u8)` and `truncated`")
    w("  moved first, which makes the type 32 bytes instead of 40). An enum without a")
    w("  catch-all read with `?` pays for it instead: about 10 per datagram in the quinn")
    w("  interop's receive, whose catch-all enum, as the guide writes it, costs 138 against")
    w("  quinn-udp's 152.")
    w("")
    w("Each optimisation that brought ours here is its own commit, with before and after")
    w("counts in its message (`git log -- ancillary/src`).")
    w("")
    w("## Heap allocations per operation")
    w("")
    w("| scenario | " + " | ".join(present_impls) + " |")
    w("|---|" + "---:|" * len(present_impls))
    for s in SCENARIOS:
        cells = []
        for i in present_impls:
            a = allocs.get((s, i))
            cells.append("–" if a is None else f"{a:g}")
        w(f"| {s} | " + " | ".join(cells) + " |")
    w("")
    w("## Wall time per operation (criterion median; noisy)")
    w("")
    if times:
        w("| scenario | " + " | ".join(present_impls) + " |")
        w("|---|" + "---:|" * len(present_impls))
        for s in SCENARIOS:
            w(f"| {s} | " + " | ".join(fmt_time(times.get((s, i))) for i in present_impls) + " |")
        w("")
        w("A, B and C are dominated by the two system calls, so every implementation lands")
        w("within the noise of the others. The machine is shared (2 cores, other builds")
        w("running at the same time), so these times vary by 10% or more from run to run;")
        w("the instruction counts do not vary at all.")
    else:
        w("(Not measured in this run: `bench/run.sh --no-criterion`.)")
    w("")
    batch = {i: ns for (s, i), ns in times.items() if s == BATCH}
    if batch:
        w("## Batching: 32 UDP datagrams, each with its own `IP_TTL` (criterion median; noisy)")
        w("")
        w("| implementation | per batch of 32 | per datagram |")
        w("|---|---:|---:|")
        for i, ns in sorted(batch.items()):
            w(f"| {i} | {fmt_time(ns)} | {fmt_time(ns / 32)} |")
        w("")
        w("`sendmmsg+recvmmsg` is `ancillary::os::linux::{send_mmsg, recv_mmsg}` (one system")
        w("call per direction per batch); `sendmsg+recvmsg_x32` is one `MessageSender` and one")
        w("`MessageReceiver` per datagram. Both reuse their buffers and allocate nothing")
        w("(`tests/tests/linux_mmsg_alloc.rs`); the source is `tests/benches/mmsg.rs`.")
        w("")
    w("## Build time of a dependent crate")
    w("")
    w("A new binary crate that depends on `ancillary` (default features), built from clean")
    w("(debug), three runs each, on this 2-core machine while other builds ran (load 5 to 7,")
    w("so rough figures), before and after the derive moved from syn 2 (with its `full`")
    w("grammar) to syn 3 with only the `derive`, `parsing`, `printing` and `proc-macro`")
    w("features:")
    w("")
    w("| | syn 2, `full` | syn 3, four features |")
    w("|---|---:|---:|")
    w("| whole build, wall time | 15.2 to 16.8 s | 13.5 to 14.8 s |")
    w("| whole build, CPU time | 9.6 to 9.9 s | 8.6 to 9.2 s |")
    w("| the derive and its dependencies, CPU time | 4.4 to 4.6 s | 3.6 s |")
    w("")
    w("A dependent crate now compiles one syn major (3), the one tokio-macros and")
    w("serde_derive use; zerocopy builds without its derive. (Measured once, by hand; not")
    w("regenerated by `bench/run.sh`.)")
    w("")
    w("## Method")
    w("")
    w("* Instructions: `tests/benches/instr.rs` runs scenario X of implementation Y N times")
    w("  after setting up (`instr X Y N`). `bench/run.sh` runs it under")
    w("  `valgrind --tool=callgrind` for N1 and N2 iterations (2000 and 12000 by default)")
    w("  and reports (Ir(N2) − Ir(N1)) / (N2 − N1): start-up and set-up cancel out, and")
    w("  what is left is the user-space instructions of one operation (library, libc")
    w("  wrappers and the benchmark's loop; the kernel's work is not counted).")
    w("* Allocations: the same driver counts `alloc`/`alloc_zeroed`/`realloc` calls with a")
    w("  counting global allocator over the N operations.")
    w("* Wall time: `tests/benches/ancillary.rs`, criterion 0.8, one benchmark per scenario and")
    w("  implementation (`cargo bench -p tests --bench ancillary`).")
    w("")
    w("## Machine")
    w("")
    for line in machine(rustc):
        w(f"* {line}")
    w("")
    w("## Rerun")
    w("")
    w("```sh")
    w("bench/run.sh                 # everything (needs valgrind and python3), ~10 minutes")
    w("bench/run.sh --quick         # shorter criterion runs")
    w("bench/run.sh --no-criterion  # instruction and allocation counts only")
    w("bench/run.sh --std           # also std's unstable API; everything built on nightly")
    w('ONLY="A:ours-heap A:libc" bench/run.sh   # some pairs, printed only')
    w("target/release/deps/instr-*  A ours-heap 1000   # one pair by hand")
    w("cargo test -p tests --benches # what CI runs: every benchmark once, as a test")
    w("```")
    print("\n".join(out))


if __name__ == "__main__":
    main()
