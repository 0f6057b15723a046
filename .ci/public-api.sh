#!/usr/bin/env bash
# Compares the public API of `ancillary` (all features, x86_64 Linux) with the snapshot in
# api/ancillary.txt, so that every API change is a visible diff in review.
#
# Usage: bash .ci/public-api.sh [--update]
#   --update  rewrite the snapshot from the current code (then review and commit it)
# Needs the nightly toolchain (rustdoc's JSON output is unstable) and python3.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

target_dir=${CARGO_TARGET_DIR:-target}
cargo +nightly rustdoc -q -p ancillary --all-features -- -Z unstable-options --output-format json
current=$(mktemp)
trap 'rm -f "$current"' EXIT
python3 .ci/public_api.py "$target_dir/doc/ancillary.json" > "$current"

if [[ "${1:-}" == --update ]]; then
    cp "$current" api/ancillary.txt
    echo "api/ancillary.txt updated: $(wc -l < api/ancillary.txt) lines"
elif ! diff -u api/ancillary.txt "$current"; then
    echo "The public API differs from api/ancillary.txt (above: - snapshot, + now)."
    echo "If the change is intended, run 'bash .ci/public-api.sh --update' and commit it."
    exit 1
else
    echo "public API unchanged ($(wc -l < api/ancillary.txt) lines)"
fi
