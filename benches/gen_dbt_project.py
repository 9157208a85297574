#!/usr/bin/env python3
"""Generates a dbt project for benchmarks: N models over F property files, committed to git,
then edits one property file in the working tree (the pre-commit situation).

usage: gen_dbt_project.py DIR [--models 5000] [--files 500] [--columns 12]
"""
import argparse
import os
import subprocess

TYPES = ["integer", "bigint", "text", "varchar(64)", "numeric(12,2)", "timestamp", "date", "boolean"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--models", type=int, default=5000)
    ap.add_argument("--files", type=int, default=500)
    ap.add_argument("--columns", type=int, default=12)
    ap.add_argument("--consumer", type=int, default=0, metavar="N",
                    help="instead, write a consumer repository with N consumes: entries on the models")
    a = ap.parse_args()
    if a.consumer:
        return consumer(a)
    os.makedirs(os.path.join(a.dir, "models"), exist_ok=True)
    with open(os.path.join(a.dir, "dbt_project.yml"), "w") as f:
        f.write("name: bench\nversion: '1.0'\nprofile: bench\nmodel-paths: [models]\nmodels:\n  bench:\n    +materialized: table\n")
    with open(os.path.join(a.dir, "tessera.yaml"), "w") as f:
        f.write("project: bench\nowner: team-bench\nwarehouse: postgres\n")
    per_file = a.models // a.files
    for fi in range(a.files):
        folder = os.path.join(a.dir, "models", f"area_{fi // 50:02d}")
        os.makedirs(folder, exist_ok=True)
        lines = ["version: 2", "models:"]
        for mi in range(per_file):
            name = f"model_{fi:04d}_{mi:02d}"
            with open(os.path.join(folder, name + ".sql"), "w") as s:
                s.write("select 1 as c0\n")
            lines += [f"  - name: {name}", f"    description: Model {name}.", "    config: {contract: {enforced: true}, schema: bench}", "    columns:"]
            for ci in range(a.columns):
                lines.append(f"      - name: c{ci}")
                lines.append(f"        data_type: {TYPES[(ci + mi) % len(TYPES)]}")
                if ci == 0:
                    lines.append("        constraints: [{type: not_null}, {type: primary_key}]")
                elif ci % 4 == 1:
                    lines.append("        data_tests: [not_null]")
        with open(os.path.join(folder, f"_props_{fi:04d}.yml"), "w") as f:
            f.write("\n".join(lines) + "\n")
    run = lambda *args: subprocess.run(args, cwd=a.dir, check=True, stdout=subprocess.DEVNULL)
    run("git", "init", "-q", "-b", "main")
    run("git", "add", "-A")
    run("git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-q", "-m", "project")
    # The edit: drop one column from the first model of the first file.
    path = os.path.join(a.dir, "models", "area_00", "_props_0000.yml")
    text = open(path).read()
    text = text.replace("      - name: c2\n        data_type: numeric(12,2)\n", "", 1)
    open(path, "w").write(text)
    print(path)


def consumer(a):
    os.makedirs(a.dir, exist_ok=True)
    per_file = a.models // a.files
    names = [f"model_{fi:04d}_{mi:02d}" for fi in range(a.files) for mi in range(per_file)]
    lines = ["project: readers", "owner: team-readers", "teams:"]
    lines += [f"  - {{name: team-r{t}}}" for t in range(4)]
    lines.append("consumes:")
    for i in range(a.consumer):
        name = names[i % len(names)]
        lines.append(f"  - {{asset: warehouse.bench.{name}, team: team-r{(i // len(names)) % 4}, columns: [c0, c{1 + i % 5}]}}")
    with open(os.path.join(a.dir, "tessera.yaml"), "w") as f:
        f.write("\n".join(lines) + "\n")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=a.dir, check=True)
    print(a.dir)


if __name__ == "__main__":
    main()
