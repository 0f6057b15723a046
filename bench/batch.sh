#!/usr/bin/env bash
# Batched receives into lent buffers (issue 23, tests/benches/batch.rs): user-space
# instructions per datagram of each way of holding a 32-datagram `recvmmsg` batch, and
# quinn-udp's, counted by callgrind inside the measured receive functions only (the sends
# are not counted), as the difference of two runs of N1 and N2 rounds.
#
# Writes its section of BENCHMARKS.md (bench/batch_report.py); bench/run.sh calls it
# after the others, and it can run alone too.
#
# Usage: bench/batch.sh     Environment: N1, N2 (rounds, default 200 and 1200).
# Needs valgrind and python3.
set -euo pipefail
cd "$(dirname "$0")/.."

N1=${N1:-200}
N2=${N2:-1200}
target_dir=${CARGO_TARGET_DIR:-target}
out=$target_dir/bench-report
mkdir -p "$out"
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 1; }

batch=$(bash bench/build-bench.sh batch)
: > "$out/batch-instr.tsv"
for impl in $("$batch" list); do
    irs=()
    for n in "$N1" "$N2"; do
        cg="$out/callgrind.batch.$impl.$n.out"
        valgrind --tool=callgrind --toggle-collect='*measured*Recv*recv*' \
            --callgrind-out-file="$cg" "$batch" instr "$impl" "$n" >/dev/null 2>&1
        irs+=("$(awk '/^(summary|totals):/ {print $2; exit}' "$cg")")
    done
    python3 -c 'import sys; a, b, n1, n2 = map(int, sys.argv[2:]); print(f"{sys.argv[1]}\t{(b - a) / ((n2 - n1) * 32):.1f}")' \
        "$impl" "${irs[0]}" "${irs[1]}" "$N1" "$N2" | tee -a "$out/batch-instr.tsv"
done
python3 bench/batch_report.py "$out/batch-instr.tsv" BENCHMARKS.md
echo "wrote the batched-receive section of BENCHMARKS.md"
