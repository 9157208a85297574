#!/usr/bin/env bash
# Runs the README's test command the way a newcomer would: in a fresh clone of the committed HEAD,
# in a temporary folder with no `shared/` above it. Tests that need `shared/` must skip there with
# a printed reason, never fail. Uncommitted changes are not part of the clone: commit first.
# The build reuses this checkout's target dir (CARGO_TARGET_DIR) so dependencies are not rebuilt.
# Usage: bash scripts/fresh-clone-test.sh [--keep]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
keep="${1:-}"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/tessera-fresh.XXXXXX")"
if [ "$keep" != "--keep" ]; then
  trap 'rm -rf "$tmp"' EXIT
fi

clone="$tmp/tessera"
git clone --quiet --no-hardlinks "$here" "$clone"
git -C "$clone" checkout --quiet --detach "$(git -C "$here" rev-parse HEAD)"

# The point is a clone with nothing beside it; refuse to report a pass if shared/ is reachable.
dir="$clone"
while :; do
  if [ -e "$dir/shared" ]; then
    echo "fresh-clone-test: $dir/shared exists above the clone; set TMPDIR elsewhere" >&2
    exit 2
  fi
  [ "$dir" = "/" ] && break
  dir="$(dirname "$dir")"
done

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/target}"
cd "$clone"
echo "fresh clone of $(git rev-parse --short HEAD) in $clone (target: $CARGO_TARGET_DIR)"
# The README's test command, exactly; TESSERA_TEST_REQUIRE_SHARED would turn skips into failures.
env -u TESSERA_TEST_REQUIRE_SHARED cargo test --locked -- --show-output
