#!/usr/bin/env bash
# `tessera impact` at scale: a 5,000-model producer, 200 consumer teams in 20 consumer
# repositories (20,000 `consumes:` registrations), and a branch with 50 breaking changes that
# each hurt 8 of those teams. Builds everything under DIR, checks the impact output, then times it.
#
# usage: benches/impact_scenario.sh [DIR] [--no-measure] [--scaling]
#   DIR defaults to /tmp/impactbench (deleted and rebuilt).
#   --scaling also times branches that, on top of the 50 breaks, edit one model description in
#   the first 100 / 250 / 500 property files (140 / 275 / 500 files changed in all), and one that
#   adds a comment to dbt_project.yml (both sides then read in full), and one that appends a
#   comment to 500 SQL files.
#   RUNS (default 20) sets hyperfine's run count.
#   TESSERA_BIN defaults to ${CARGO_TARGET_DIR:-target}/release/tessera.
#
# Layout:
#   DIR/producer       gen_dbt_project.py, 5,000 models in 500 property files, committed on main,
#                      synced; branch `break-50` drops or retypes column c3 of 50 models
#                      (model_{k*10:04}_{k%10:02}, k = 0..49: even k drop, odd k retype)
#   DIR/readers_NN     20 consumer repos, 10 teams each (team-rNN-J); every team reads 2 of the
#                      50 broken models (columns c0, c3) and 98 unbroken ones: each broken model
#                      is read by 8 teams, every one of the 200 teams is impacted
#   DIR/tessera.db     the store (TESSERA_STORE); DIR/clean.db is its copy before any proposal
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

dir=/tmp/impactbench
measure=1
scaling=0
for arg in "$@"; do
  case "$arg" in
    --no-measure) measure=0 ;;
    --scaling) scaling=1 ;;
    -*) echo "unknown option $arg" >&2; exit 2 ;;
    *) dir="$arg" ;;
  esac
done
bin="${TESSERA_BIN:-${CARGO_TARGET_DIR:-$here/target}/release/tessera}"
[ -x "$bin" ] || { echo "no tessera binary at $bin (cargo build --release, or set TESSERA_BIN)" >&2; exit 2; }
tessera() { "$bin" "$@"; }
git_quiet() { git -c user.name=bench -c user.email=bench@example.com -c commit.gpgsign=false "$@" >/dev/null; }

rm -rf "${dir:?}"
mkdir -p "$dir"
export TESSERA_STORE="sqlite:$dir/tessera.db" TESSERA_TODAY="${TESSERA_TODAY:-2026-06-01}"
unset TESSERA_CONFIG TESSERA_FORMAT TESSERA_CHANGE

echo "== 1. producer: 5,000 models, committed on main, synced"
python3 "$here/benches/gen_dbt_project.py" "$dir/producer" >/dev/null
git -C "$dir/producer" checkout -q .   # the generator leaves one edit in the working tree
(cd "$dir/producer" && time tessera sync --format json >/dev/null)

echo "== 2. consumers: 20 repos x 10 teams x 100 consumes: entries, synced"
python3 - "$dir" <<'PY'
import os, subprocess, sys
d = sys.argv[1]
names = [f"model_{fi:04d}_{mi:02d}" for fi in range(500) for mi in range(10)]
broken = [f"model_{k * 10:04d}_{k % 10:02d}" for k in range(50)]
others = [n for n in names if n not in set(broken)]
for r in range(20):
    repo = os.path.join(d, f"readers_{r:02d}")
    os.makedirs(repo)
    teams = [f"team-r{r:02d}-{j}" for j in range(10)]
    lines = [f"project: readers_{r:02d}", f"owner: {teams[0]}", "teams:"]
    lines += [f"  - {{name: {t}}}" for t in teams]
    lines.append("consumes:")
    for j, team in enumerate(teams):
        t = r * 10 + j  # 0..199
        # Two broken models per team, 8 teams per broken model, no team reading one twice.
        for k in (t % 50, (t + 1 + 12 * (t // 50)) % 50):
            lines.append(f"  - {{asset: warehouse.bench.{broken[k]}, team: {team}, columns: [c0, c3]}}")
        for i in range(98):
            n = others[(t * 98 + i) % len(others)]
            lines.append(f"  - {{asset: warehouse.bench.{n}, team: {team}, columns: [c0, c{1 + i % 5}]}}")
    with open(os.path.join(repo, "tessera.yaml"), "w") as f:
        f.write("\n".join(lines) + "\n")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
PY
time (for r in "$dir"/readers_*; do (cd "$r" && tessera sync --format json >/dev/null); done)
python3 -c 'import sqlite3,sys; s=sqlite3.connect(sys.argv[1]); s.backup(sqlite3.connect(sys.argv[2]))' \
  "$dir/tessera.db" "$dir/clean.db"
printf 'cp %q %q && rm -f %q-wal %q-shm\n' "$dir/clean.db" "$dir/tessera.db" "$dir/tessera.db" "$dir/tessera.db" >"$dir/restore.sh"
(cd "$dir" && tessera status)

echo "== 3. producer branch break-50: 25 columns dropped, 25 retyped, one commit"
git -C "$dir/producer" checkout -q -b break-50
python3 - "$dir/producer" <<'PY'
import os, re, sys
root = sys.argv[1]
sep = "\n  - name: "
for k in range(50):
    fi, mi = k * 10, k % 10
    path = os.path.join(root, "models", f"area_{fi // 50:02d}", f"_props_{fi:04d}.yml")
    blocks = open(path).read().split(sep)
    i = next(i for i, b in enumerate(blocks) if b.startswith(f"model_{fi:04d}_{mi:02d}\n"))
    col = re.compile(r"(      - name: c3\n        data_type: )([^\n]+)\n")
    m = col.search(blocks[i])
    if k % 2 == 0:
        new = blocks[i][:m.start()] + blocks[i][m.end():]
    else:
        to = "date" if m.group(2) == "boolean" else "boolean"
        new = blocks[i][:m.start()] + m.group(1) + to + "\n" + blocks[i][m.end():]
    blocks[i] = new
    open(path, "w").write(sep.join(blocks))
PY
git_quiet -C "$dir/producer" commit -qam "break 50 columns"
git -C "$dir/producer" diff --stat main | tail -1

echo "== 4. what impact reports"
cd "$dir/producer"
check_json() {
  python3 - "$1" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
f = v["findings"]
err = [x for x in f if x["severity"] == "ERR"]
imp = [x for x in f if x.get("impacted")]
props = v.get("proposals", [])
teams = [c["team"] for p in props for c in p["consumers"]]
rules = {}
for x in err:
    rules[x["rule"]] = rules.get(x["rule"], 0) + 1
# Who should be named: the teams step 2 made read each broken model's column c3.
want = {}
for t in range(200):
    for k in (t % 50, (t + 1 + 12 * (t // 50)) % 50):
        want.setdefault(f"model_{k * 10:04d}_{k % 10:02d}", set()).add(f"team-r{t // 10:02d}-{t % 10}")
ok_findings = all(set(x["impacted"]) == want.get(x["node"]) for x in err)
ok_props = {p["node"]: {c["team"] for c in p["consumers"]} for p in props} == want
print(f"impacted teams as expected: findings {ok_findings}, proposals {ok_props}")
print(f"findings {len(f)}, ERR {len(err)} {rules}, with impacted teams {len(imp)}; "
      f"proposals {len(props)} (statuses {sorted({str(p['status']) for p in props})}), "
      f"team entries {len(teams)}, distinct teams {len(set(teams))}, "
      f"teams per proposal {sorted({len(p['consumers']) for p in props})}; "
      f"gate passes={v['gate']['passes']}: {v['gate']['verdict'][:70]}...")
PY
}
set +e
tessera impact --base main --format json >"$dir/readonly.json"; echo "read-only exit $?"
check_json "$dir/readonly.json"
tessera impact --base main --propose --require-acks --format json >"$dir/propose-first.json"; echo "first --propose exit $?"
check_json "$dir/propose-first.json"
tessera proposals list --format json | python3 -c 'import json,sys; p=json.load(sys.stdin)["proposals"]; t={t for x in p for t in x["impacted"]}; print(f"store: {len(p)} open proposals naming {len(t)} teams")'
tessera impact --base main --propose --require-acks --format json >"$dir/propose-again.json"; echo "second --propose exit $?"
check_json "$dir/propose-again.json"
set -e
bash "$dir/restore.sh"

if [ "$measure" = 1 ]; then
echo "== 5. timings"
hf() { hyperfine -N -i --warmup 2 --runs "${RUNS:-20}" "$@"; }
# Read-only, no proposal in the store yet (human and JSON output).
hf --export-json "$dir/hf-readonly.json" \
  "$bin impact --base main" \
  "$bin impact --base main --format json"
# First --propose: every run starts from the store before any proposal, so each creates 50.
hf --export-json "$dir/hf-propose-create.json" --prepare "bash $dir/restore.sh" \
  "$bin impact --base main --propose --require-acks --format json"
# Re-push with nothing changed: the 50 proposals exist and are found unchanged.
"$bin" impact --base main --propose --require-acks --format json >/dev/null || true
hf --export-json "$dir/hf-propose-again.json" \
  "$bin impact --base main --propose --require-acks --format json" \
  "$bin impact --base main"

fi

[ "$scaling" = 1 ] || exit 0
echo "== 6. scaling with the number of changed property files"
for n in 100 250 500; do
  git checkout -q -b "touch-$n" break-50
  python3 - "$n" <<'PY'
import glob, sys
for p in sorted(glob.glob("models/area_*/_props_*.yml"))[: int(sys.argv[1])]:
    t = open(p).read()
    open(p, "w").write(t.replace("description: Model ", "description: Edited. Model ", 1))
PY
  git_quiet commit -qam "touch $n property files"
  git diff --stat main | tail -1
done
# The same 50 breaks plus a comment in dbt_project.yml, which makes both sides read in full.
git checkout -q -b full-read break-50
echo "# touched" >>dbt_project.yml
git_quiet commit -qam "touch dbt_project.yml"
# The same 50 breaks plus a comment line in 500 SQL files (model_*_00.sql): no new finding.
git checkout -q -b sql-500 break-50
for f in models/area_*/model_*_00.sql; do echo "-- edited" >>"$f"; done
git_quiet commit -qam "touch 500 SQL files"
git diff --stat main | tail -1
git checkout -q break-50
hyperfine -N -i --warmup 1 --runs "${RUNS_SCALING:-10}" --export-json "$dir/hf-scaling.json" \
  "$bin impact --base main --head break-50" \
  "$bin impact --base main --head full-read" \
  "$bin impact --base main --head touch-100" \
  "$bin impact --base main --head touch-250" \
  "$bin impact --base main --head touch-500" \
  "$bin impact --base main --head sql-500"
