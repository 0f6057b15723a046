#!/usr/bin/env bash
# Builds one bench target of the tests crate in release, with line tables (for
# callgrind_annotate; the code is unchanged), and prints the path of its executable.
# Fails, saying so, if it cannot.
#
# Usage: bench/build-bench.sh NAME [CARGO_TOOLCHAIN] [-- EXTRA CARGO ARGS...]
#   e.g. bench/build-bench.sh instr +nightly -- --features std-unstable
set -euo pipefail
cd "$(dirname "$0")/.."

name=$1
shift
toolchain=()
if [ $# -gt 0 ] && [ "$1" != -- ]; then toolchain=("$1"); shift; fi
[ "${1:-}" = -- ] && shift

export CARGO_PROFILE_RELEASE_DEBUG=line-tables-only
exe=$(cargo "${toolchain[@]}" build -p tests --release --bench "$name" "$@" --message-format=json 2>/dev/null |
    python3 -c 'import sys, json
name = sys.argv[1]
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == name and m.get("executable"):
        print(m["executable"])' "$name")
[ -x "$exe" ] || { echo "could not build the $name bench" >&2; exit 1; }
echo "$exe"
