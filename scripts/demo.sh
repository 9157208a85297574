#!/usr/bin/env bash
# Tessera's main job on the shipped examples: a producer dbt project (examples/shop) and a
# consumer (examples/bi) that reads it through a dbt source, one SQLite coordination store.
# Usage: bash scripts/demo.sh [--keep DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

keep=""
if [ "${1:-}" = "--keep" ]; then keep="${2:?--keep needs a directory}"; fi

if [ -z "${TESSERA_BIN:-}" ]; then
  cargo build --quiet --manifest-path "$here/Cargo.toml" --bin tessera
  TESSERA_BIN="$here/target/debug/tessera"
fi
tessera() { "$TESSERA_BIN" "$@"; }

work="${keep:-$(mktemp -d)}"
mkdir -p "$work"
[ -n "$keep" ] || trap 'rm -rf "$work"' EXIT
export TESSERA_STORE="sqlite:$work/tessera.db" TESSERA_TODAY="${TESSERA_TODAY:-2026-06-01}"
git_quiet() { git -c user.name=Demo -c user.email=demo@example.com -c commit.gpgsign=false "$@" >/dev/null; }

step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "$2"; }

for project in shop bi; do
  rm -rf "${work:?}/$project"
  cp -R "$here/examples/$project" "$work/$project"
  (cd "$work/$project" && git_quiet init -b main && git_quiet add -A && git_quiet commit -m "$project")
done

step "1. The producer syncs its contracts to the store" "tessera sync        # in shop/"
(cd "$work/shop" && tessera sync)
step "2. The consumer syncs: its dbt sources and the columns its SQL reads become registrations" "tessera sync        # in bi/"
(cd "$work/bi" && tessera sync)
step "3. Who reads the orders mart, and which columns" "tessera consumers orders"
(cd "$work/shop" && tessera consumers orders)

step "4. The producer drops orders.status (bi's revenue dashboard reads it)" "tessera check"
python3 - "$work/shop/models/marts/_marts.yml" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("      - name: status\n        data_type: text\n        data_tests:\n          - accepted_values: {values: [placed, shipped, completed, returned]}\n", "")
open(p, "w").write(s)
PY
set +e
(cd "$work/shop" && tessera check)
status=$?
set -e
printf '(exit status %s: %s)\n' "$status" "$([ "$status" = 1 ] && echo "the break blocks" || echo "unexpected")"

step "5. The lineage, as Mermaid (GitHub renders it)" "tessera graph orders"
(cd "$work/shop" && tessera graph orders)

if [ -n "$keep" ]; then printf '\nThe repositories and the store are in %s\n' "$work"; fi
[ "$status" = 1 ]
