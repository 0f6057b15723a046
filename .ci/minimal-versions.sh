#!/usr/bin/env bash
# Checks that every lower bound in the manifests of the published crates (`ancillary`,
# `ancillary-derive`) is true: resolves their direct dependencies to the lowest versions
# the manifests allow (nightly `-Z direct-minimal-versions`), then builds and tests the
# library with every feature, as a user pinned to those versions would.
#
# Runs in a scratch copy holding only the two crates, so that the dev-dependencies of the
# tests, examples and benchmarks (which may need newer versions of shared crates) do not
# raise the floor. Usage: bash .ci/minimal-versions.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp -rL ancillary ancillary-derive README.md "$scratch"/
sed 's/^members = .*/members = ["ancillary", "ancillary-derive"]/' Cargo.toml > "$scratch/Cargo.toml"
cd "$scratch"
export CARGO_TARGET_DIR="$scratch/target"
cargo +nightly update -q -Z direct-minimal-versions
echo "lowest direct dependencies:"
cargo +nightly tree -q -p ancillary --all-features --depth 1 -e normal,build | sed 1d
cargo +nightly build -q -p ancillary -p ancillary-derive --all-features
cargo +nightly test -q -p ancillary --all-features --lib
