#!/usr/bin/env bash
# Builds ancillary's docs as docs.rs does (nightly, `--cfg docsrs`, every feature, links to
# the dependencies' docs on docs.rs with `-Z rustdoc-map`), with warnings as errors, for
# each target its `[package.metadata.docs.rs]` lists and each target given, and checks
# their availability badges with doc_badges.py: the crate-wide platform condition on no
# item, the feature and per-OS badges where they belong.
#
# Usage: bash .ci/doc-badges.sh [TARGET...]
# Needs the nightly toolchain and python3. A target whose standard library nightly lacks
# is built with `-Z build-std` from nightly's rust-src (only checked, never linked).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Beside the other builds, whose stable artifacts nightly's would evict.
target_dir=${CARGO_TARGET_DIR:-target}/docsrs
mapfile -t listed < <(python3 -c '
import tomllib
with open("ancillary/Cargo.toml", "rb") as f:
    print("\n".join(tomllib.load(f)["package"]["metadata"]["docs"]["rs"]["targets"]))')
mapfile -t targets < <(printf '%s\n' "${listed[@]}" "$@" | awk '!seen[$0]++')
installed=$(rustup +nightly target list --installed)

for target in "${targets[@]}"; do
    build_std=()
    grep -qx "$target" <<<"$installed" || build_std=(-Z build-std)
    echo "--- docs.rs docs for $target"
    CARGO_TARGET_DIR=$target_dir RUSTDOCFLAGS="--cfg docsrs -D warnings" \
        cargo +nightly doc -q -Z rustdoc-map "${build_std[@]}" -p ancillary --all-features \
        --no-deps --target "$target"
    python3 .ci/doc_badges.py "$target_dir/$target/doc/ancillary" "$target"
done
