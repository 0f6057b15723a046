#!/usr/bin/env bash
# The quinn section of BENCHMARKS.md (issue 23, item 7): quinn over `interop/quinn`'s
# socket against stock quinn (quinn-udp), on loopback. Prints two tables:
#   1. the interleaved runs' medians and spreads (`interop/quinn/examples/bench.rs`):
#      bulk MiB/s, round-trip p50/p99, CPU time;
#   2. user-space instructions per datagram of the socket layer (callgrind): the inclusive
#      cost of quinn's calls into the socket (`try_send`, `poll_recv`, `poll_writable`),
#      divided by the datagrams both endpoints sent and received.
#
# Usage: bench/quinn.sh     Environment: REPS, MIB, TRIPS (the interleaved runs, default
# 9, 256, 5000), CG_MIB, CG_TRIPS (the callgrind run, default 16, 300).
# Needs valgrind (callgrind_annotate).
set -euo pipefail
cd "$(dirname "$0")/.."

REPS=${REPS:-9}
MIB=${MIB:-256}
TRIPS=${TRIPS:-5000}
CG_MIB=${CG_MIB:-16}
CG_TRIPS=${CG_TRIPS:-300}
manifest=interop/quinn/Cargo.toml
target_dir=${CARGO_TARGET_DIR:-interop/quinn/target}
out=$target_dir/bench-report
mkdir -p "$out"
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 1; }

cargo build -q --release --manifest-path "$manifest" --example bench
bench=$target_dir/release/examples/bench

echo "=== interleaved: $REPS repetitions, $MIB MiB bulk, $TRIPS round trips"
"$bench" "$REPS" "$MIB" "$TRIPS" | tee "$out/quinn-runs.tsv"

echo "=== callgrind: $CG_MIB MiB bulk, $CG_TRIPS round trips"
printf 'impl\tsend Ir\tpoll_writable Ir\trecv Ir\tsent\treceived\tsend/datagram\trecv/datagram\ttotal/datagram\n'
for impl in ancillary stock; do
    cg="$out/callgrind.quinn.$impl.out"
    runs=$(valgrind --tool=callgrind --callgrind-out-file="$cg" "$bench" 1 "$CG_MIB" "$CG_TRIPS" "$impl" 2>/dev/null)
    sent=$(awk -F'\t' '/^run/ { for (i = 1; i <= NF; i++) if ($i ~ /^sent /) { split($i, a, " "); s += a[2] } } END { print s }' <<<"$runs")
    received=$(awk -F'\t' '/^run/ { for (i = 1; i <= NF; i++) if ($i ~ /^received /) { split($i, a, " "); s += a[2] } } END { print s }' <<<"$runs")
    callgrind_annotate --inclusive=yes --threshold=100 "$cg" 2>/dev/null >"$cg.txt"
    # The inclusive cost of the first symbol matching a pattern.
    cost() { grep -E "$1" "$cg.txt" | head -n 1 | awk '{ gsub(",", "", $1); print $1 }'; }
    send=$(cost "AsyncUdpSocket>::try_send ")
    writable=$(cost "as quinn::runtime::UdpPoller>::poll_writable ")
    recv=$(cost "AsyncUdpSocket>::poll_recv ")
    awk -v impl="$impl" -v s="$send" -v w="$writable" -v r="$recv" -v ns="$sent" -v nr="$received" \
        'BEGIN { printf "%s\t%d\t%d\t%d\t%d\t%d\t%.1f\t%.1f\t%.1f\n", impl, s, w, r, ns, nr,
                 (s + w) / ns, r / nr, (s + w + r) / ((ns + nr) / 2) }'
done | tee "$out/quinn-instr.tsv"
python3 bench/quinn_report.py "$out/quinn-runs.tsv" "$out/quinn-instr.tsv" BENCHMARKS.md \
    "$REPS" "$MIB" "$TRIPS" "$CG_MIB" "$CG_TRIPS"
echo "wrote the quinn section of BENCHMARKS.md"
