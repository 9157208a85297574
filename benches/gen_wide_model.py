#!/usr/bin/env python3
"""Generates one dbt model whose property file declares N columns, committed to git, then
changes it in the working tree: every other column changes type (`--change types`, N/2 breaking
findings) or every other column is renamed (`--change renames`, N/2 removed + N/2 added). Used
to check that `tessera check` stays linear in the number of findings in every format.

usage: gen_wide_model.py DIR [--columns 80000] [--change types|renames]
"""
import argparse
import os
import subprocess


def props(n, change):
    lines = ["version: 2", "models:", "  - name: wide", "    config: {contract: {enforced: true}}", "    columns:"]
    for i in range(n):
        name, data_type = f"c{i}", "integer"
        if change == "types" and i % 2 == 0:
            data_type = "text"
        if change == "renames" and i % 2 == 0:
            name = f"r{i}"
        lines += [f"      - name: {name}", f"        data_type: {data_type}"]
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--columns", type=int, default=80000)
    ap.add_argument("--change", choices=["types", "renames"], default="types")
    a = ap.parse_args()
    os.makedirs(os.path.join(a.dir, "models"), exist_ok=True)
    with open(os.path.join(a.dir, "dbt_project.yml"), "w") as f:
        f.write("name: wide\nversion: '1.0'\nprofile: wide\nmodel-paths: [models]\n")
    with open(os.path.join(a.dir, "tessera.yaml"), "w") as f:
        f.write("project: wide\nowner: team-wide\nwarehouse: postgres\n")
    with open(os.path.join(a.dir, "models", "wide.sql"), "w") as f:
        f.write("select 1 as c0\n")
    path = os.path.join(a.dir, "models", "_wide.yml")
    with open(path, "w") as f:
        f.write(props(a.columns, None))
    run = lambda *args: subprocess.run(args, cwd=a.dir, check=True, stdout=subprocess.DEVNULL)
    run("git", "init", "-q", "-b", "main")
    run("git", "add", "-A")
    run("git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-q", "-m", "wide")
    with open(path, "w") as f:
        f.write(props(a.columns, a.change))


if __name__ == "__main__":
    main()
