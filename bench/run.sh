#!/usr/bin/env bash
# Regenerates BENCHMARKS.md (issue 6): criterion wall times, callgrind instruction counts
# per operation and heap allocations per operation, for every implementation of every
# scenario in tests/benches, plus bench/instr.svg; then the QUIC section against
# quinn-udp (issue 15, bench/quic.sh), the io_uring section (issue 17, bench/uring.sh) and
# quinn over the crate against stock quinn, and the batched receives (issue 23:
# bench/quinn.sh, bench/batch.sh).
#
# Usage: bench/run.sh [--no-criterion] [--quick] [--std]
#   --no-criterion  skip the wall-clock run (the table then shows no times)
#   --quick         shorter criterion runs (1 s warm-up, 2 s measurement)
#   --std           also measure std's unstable unix_socket_ancillary_data: builds
#                   everything with the nightly toolchain (feature std-unstable of the
#                   tests crate), so that all columns still come from one compiler
# Environment: N1, N2 (iterations of the two callgrind runs, default 2000 and 12000),
#   ONLY="A:ours-heap C:libc" to measure only some pairs (then BENCHMARKS.md is not written).
# Needs valgrind and python3. Instruction counts are exact and load-independent; wall
# times are not.
set -euo pipefail
cd "$(dirname "$0")/.."

criterion=1
quick=0
toolchain=()
features=()
for arg in "$@"; do
    case "$arg" in
        --no-criterion) criterion=0 ;;
        --quick) quick=1 ;;
        --std) toolchain=(+nightly); features=(--features std-unstable) ;;
        *) echo "unknown argument: $arg" >&2; exit 2 ;;
    esac
done
N1=${N1:-2000}
N2=${N2:-12000}
target_dir=${CARGO_TARGET_DIR:-target}
out=$target_dir/bench-report
mkdir -p "$out"

command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 1; }

# The driver, in release with line tables (for callgrind_annotate; code is unchanged);
# the criterion runs below use the same profile, so nothing is built twice.
export CARGO_PROFILE_RELEASE_DEBUG=line-tables-only
instr=$(bash bench/build-bench.sh instr "${toolchain[@]}" -- "${features[@]}")

pairs=${ONLY:-$("$instr" list | tr ' ' ':')}
: > "$out/instr.tsv"
for pair in $pairs; do
    scenario=${pair%%:*}
    impl=${pair#*:}
    irs=()
    allocs=
    for n in "$N1" "$N2"; do
        cg="$out/callgrind.$scenario.$impl.$n.out"
        line=$(valgrind --tool=callgrind --callgrind-out-file="$cg" "$instr" "$scenario" "$impl" "$n" 2>/dev/null)
        irs+=("$(awk '/^(summary|totals):/ {print $2; exit}' "$cg")")
        allocs=${line##*allocs/op=}
    done
    per_op=$(python3 -c 'import sys; a, b, n1, n2 = map(int, sys.argv[1:]); print(f"{(b - a) / (n2 - n1):.1f}")' \
        "${irs[0]}" "${irs[1]}" "$N1" "$N2")
    printf '%s\t%s\t%s\t%s\n' "$scenario" "$impl" "$per_op" "$allocs" | tee -a "$out/instr.tsv"
done

[ -n "${ONLY:-}" ] && exit 0

: > "$out/criterion.tsv"
if [ "$criterion" = 1 ]; then
    args=(--noplot)
    [ "$quick" = 1 ] && args+=(--warm-up-time 1 --measurement-time 2)
    cargo "${toolchain[@]}" bench -p tests --bench ancillary "${features[@]}" -- "${args[@]}" 2>/dev/null | tee "$out/criterion.txt"
    # Batching (issue 8): sendmmsg/recvmmsg against one sendmsg/recvmsg per datagram.
    cargo "${toolchain[@]}" bench -p tests --bench mmsg "${features[@]}" -- "${args[@]}" 2>/dev/null | tee -a "$out/criterion.txt"
    # Criterion's estimates: <target>/criterion/<scenario>/<impl>/new/estimates.json.
    for est in "$target_dir"/criterion/*/*/new/estimates.json; do
        [ -f "$est" ] || continue
        dir=${est%/new/estimates.json}
        impl=${dir##*/}
        scenario=${dir%/*}
        scenario=${scenario##*/}
        median=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["median"]["point_estimate"])' "$est")
        printf '%s\t%s\t%s\n' "$scenario" "$impl" "$median" >> "$out/criterion.tsv"
    done
fi

rustc_version=$(rustc "${toolchain[@]}" --version)
python3 bench/report.py "$out/instr.tsv" "$out/criterion.tsv" bench/instr.svg "$rustc_version" > BENCHMARKS.md
# The QUIC comparison with quinn-udp (issue 15), appended as its own section.
N1=$N1 N2=$N2 bash bench/quic.sh
uring_args=()
[ "$quick" = 1 ] && uring_args=(--quick)
bash bench/uring.sh "${uring_args[@]}"
# quinn over the crate against stock quinn (issue 23), its own section.
bash bench/quinn.sh
# Batched receives into lent buffers (issue 23).
bash bench/batch.sh
echo "wrote BENCHMARKS.md and bench/instr.svg"
