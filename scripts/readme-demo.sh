#!/usr/bin/env bash
# Rewrites the README's "What the demo prints" block from a real run of `tessera demo`, so the
# README never shows output the binary does not produce. `--check` compares instead of writing
# (a test runs it) and prints a diff when the README is stale.
# The run's temporary path and the throwaway key's fingerprint differ every time; they are
# replaced by fixed placeholders. TESSERA_BIN picks the binary (default: a fresh debug build).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mode="${1:-write}"

if [ -z "${TESSERA_BIN:-}" ]; then
  cargo build --quiet --manifest-path "$here/Cargo.toml" --bin tessera
  TESSERA_BIN="$here/target/debug/tessera"
fi

output="$(
  env -u TESSERA_STORE -u TESSERA_CONFIG -u TESSERA_FORMAT -u TESSERA_SIGNING_KEY \
    NO_COLOR=1 TESSERA_TODAY=2026-06-01 "$TESSERA_BIN" demo |
    sed -E 's#/[^ ]*tessera-demo[A-Za-z0-9]+#/tmp/tessera-demo#g; s#SHA256:[A-Za-z0-9+/]{43}#SHA256:(throwaway key)#g'
)"

DEMO_OUTPUT="$output" python3 - "$here/README.md" "$mode" <<'PY'
import difflib, os, sys
path, mode = sys.argv[1], sys.argv[2]
start, end = "<!-- demo-output:start -->", "<!-- demo-output:end -->"
text = open(path, encoding="utf-8").read()
if start not in text or end not in text:
    sys.exit(f"{path}: the markers {start} and {end} are missing")
head, rest = text.split(start, 1)
_, tail = rest.split(end, 1)
block = f"{start}\n```console\n$ tessera demo\n{os.environ['DEMO_OUTPUT']}\n```\n{end}"
new = head + block + tail
if mode == "--check":
    if new != text:
        sys.stdout.writelines(difflib.unified_diff(
            text.splitlines(True), new.splitlines(True), "README.md", "tessera demo"))
        sys.exit("README.md shows stale demo output: run `bash scripts/readme-demo.sh`")
else:
    open(path, "w", encoding="utf-8").write(new)
PY
