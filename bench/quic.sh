#!/usr/bin/env bash
# The QUIC section of BENCHMARKS.md (issue 15): ours against quinn-udp on loopback, per
# datagram, from one run: user-space instructions (callgrind, the difference of two runs
# of N1 and N2 rounds, so set-up cancels out), heap allocations, and datagrams per second.
# bench/run.sh calls it after writing the rest of BENCHMARKS.md; it can run alone too.
#
# Usage: bench/quic.sh     Environment: N1, N2 (rounds, default 2000 and 12000).
# Needs valgrind and python3.
set -euo pipefail
cd "$(dirname "$0")/.."

N1=${N1:-2000}
N2=${N2:-12000}
target_dir=${CARGO_TARGET_DIR:-target}
out=$target_dir/bench-report
mkdir -p "$out"
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 1; }

quic=$(bash bench/build-bench.sh quic)

: > "$out/quic-instr.tsv"
for impl in $("$quic" list); do
    irs=()
    for n in "$N1" "$N2"; do
        cg="$out/callgrind.quic.$impl.$n.out"
        line=$(valgrind --tool=callgrind --callgrind-out-file="$cg" "$quic" instr "$impl" "$n" 2>/dev/null | tail -n 1)
        irs+=("$(awk '/^(summary|totals):/ {print $2; exit}' "$cg")")
    done
    batch=$(echo "$line" | sed -n 's/.* rounds of \([0-9]*\) datagrams.*/\1/p')
    allocs=${line##*allocs/datagram=}
    per=$(python3 -c 'import sys; a, b, n1, n2, k = map(int, sys.argv[1:]); print(f"{(b - a) / ((n2 - n1) * k):.1f}")' \
        "${irs[0]}" "${irs[1]}" "$N1" "$N2" "$batch")
    printf '%s\t%s\t%s\t%s\n' "$impl" "$per" "$allocs" "$batch" | tee -a "$out/quic-instr.tsv"
done
"$quic" rate | tee "$out/quic-rate.tsv"
python3 bench/quic_report.py "$out/quic-instr.tsv" "$out/quic-rate.tsv" BENCHMARKS.md
echo "wrote the QUIC section of BENCHMARKS.md"
