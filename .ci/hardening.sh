#!/usr/bin/env bash
# Hardening checks of issue 7, called from .ci/run:
#
#   1. The fault, soak, auto-trait and fuzz-corpus-replay tests (ordinary tests, also run
#      by the workspace's `cargo test`; run here by name so that this script is complete on
#      its own and reports them together).
#   2. The fd-passing integration tests under valgrind's memcheck: no uninitialised byte
#      may reach `sendmsg` (memcheck checks the `msg_control` bytes of every sendmsg), and
#      no invalid read or write. The fault tests and the fuzz-corpus replay too (a few
#      seconds each): they exercise the error paths and the parser on hostile bytes. `--leak-check=no`: the harness's threads and std's
#      lazily allocated statics are not leaks worth failing on, and descriptor leaks are
#      what the tests themselves count.
#
# Nothing is suppressed. Miri is run by another script.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() {
    printf '\n== %s\n' "$*"
}

timed() {
    local start=$SECONDS
    "$@"
    printf -- '-- %ss: %s\n' "$((SECONDS - start))" "$*"
}

step "hardening tests: faults, soak (short), auto traits, fuzz corpus replay"
timed cargo test -p tests --test faults --test soak --test auto_traits --test fuzz_corpus

step "fd_passing, faults and the fuzz corpus replay under valgrind memcheck"
if ! command -v valgrind >/dev/null; then
    # Debian's package; present on the project's machines, installed here if not.
    timed apt-get install -y -qq valgrind >/dev/null
fi
for test in fd_passing faults fuzz_corpus; do
    binary=$(cargo test -p tests --test "$test" --no-run --message-format=json \
        | grep -o "\"executable\":\"[^\"]*/${test}-[^\"]*\"" \
        | tail -n 1 | cut -d'"' -f4)
    if [[ -z "$binary" || ! -x "$binary" ]]; then
        echo "could not find the $test test binary" >&2
        exit 1
    fi
    # --test-threads=1: one test at a time, so that a report points at one test.
    # The faults tests re-execute the binary for their RLIMIT_NOFILE cases; valgrind does
    # not follow those children (--trace-children=no), they run natively.
    timed valgrind --quiet --error-exitcode=1 --leak-check=no --track-origins=yes \
        "$binary" --test-threads=1 -q
done

step "hardening: ok"
