#!/usr/bin/env bash
# The io_uring section of BENCHMARKS.md (issue 17): receiving a batch of 32 UDP datagrams,
# each with an IP_TTL control message, three ways (tests/benches/uring.rs): one multishot
# io_uring recvmsg over a buffer ring, recv_mmsg, and one recvmsg per datagram. Per
# datagram, from one run of each: user-space instructions (callgrind, the difference of
# two runs of N1 and N2 batches, so set-up cancels out), system calls (strace -c -f, the
# same difference), and wall time per batch (criterion). bench/run.sh calls it after the
# QUIC section; it can run alone too.
#
# Usage: bench/uring.sh [--quick]     Environment: N1, N2 (batches, default 200 and 1200).
# Needs valgrind, strace and python3, and a kernel with io_uring.
set -euo pipefail
cd "$(dirname "$0")/.."

N1=${N1:-200}
N2=${N2:-1200}
criterion_args=()
[ "${1:-}" = --quick ] && criterion_args=(--warm-up-time 1 --measurement-time 2)
target_dir=${CARGO_TARGET_DIR:-target}
out=$target_dir/bench-report
mkdir -p "$out"
for tool in valgrind strace; do
    command -v "$tool" >/dev/null || { echo "$tool is needed (apt-get install $tool)" >&2; exit 1; }
done

uring=$(bash bench/build-bench.sh uring)

cases=(io_uring_multishot recv_mmsg recvmsg_x32)
: > "$out/uring-counts.tsv"
for name in "${cases[@]}"; do
    irs=()
    for n in "$N1" "$N2"; do
        cg="$out/callgrind.uring.$name.$n.out"
        URING_BENCH_ONLY=$name URING_BENCH_ITERS=$n \
            valgrind --tool=callgrind --callgrind-out-file="$cg" "$uring" --bench >/dev/null 2>&1
        irs+=("$(awk '/^(summary|totals):/ {print $2; exit}' "$cg")")
        # A table of calls per system call, all threads included (io_uring's workers too).
        URING_BENCH_ONLY=$name URING_BENCH_ITERS=$n strace -f -c -U name,calls \
            -o "$out/strace.uring.$name.$n.txt" "$uring" --bench >/dev/null 2>&1
    done
    printf '%s\t%s\t%s\t%s\t%s\n' "$name" "${irs[0]}" "${irs[1]}" "$N1" "$N2" |
        tee -a "$out/uring-counts.tsv"
done
"$uring" --bench "${criterion_args[@]}" >/dev/null
python3 bench/uring_report.py "$out" "$target_dir/criterion" BENCHMARKS.md
echo "wrote the io_uring section of BENCHMARKS.md"
