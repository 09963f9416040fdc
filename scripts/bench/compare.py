#!/usr/bin/env python3
"""Ingest and queue, two builds side by side in one run, alternating, so the noise of a shared
machine falls on both alike.

    scripts/bench/compare.py BEFORE_BUILD_DIR AFTER_BUILD_DIR [--rounds 2] [--duration 15]

Each build dir holds a release `gaffer` and `gaffer-queue-bench` (for example `.build/release`
of this tree and of a worktree of an earlier commit). Prints a markdown table: the median of
each figure per build, and after/before.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(command):
    print("+ " + " ".join(command), file=sys.stderr)
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("before")
    p.add_argument("after")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--duration", type=int, default=15)
    args = p.parse_args()
    cases = [
        ("ingest, 4 workers: durable/s", lambda b: run([sys.executable, "scripts/bench/ingest.py", "--binary", os.path.join(b, "gaffer"),
                                                         "--duration", str(args.duration), "--workers", "4"]), "durable_per_s"),
        ("ingest, 0 workers: durable/s", lambda b: run([sys.executable, "scripts/bench/ingest.py", "--binary", os.path.join(b, "gaffer"),
                                                         "--duration", str(args.duration), "--workers", "0"]), "durable_per_s"),
        ("ingest, 0 workers: p99 ms", None, "p99_ms"),
        ("queue, 4 workers, result files: jobs/s", lambda b: run([os.path.join(b, "gaffer-queue-bench"), "--jobs", "20000", "--workers", "4",
                                                                   "--under", "bench/tmp"]), "jobs_per_s"),
        ("queue, 64 workers, result files: jobs/s", lambda b: run([os.path.join(b, "gaffer-queue-bench"), "--jobs", "20000", "--workers", "64",
                                                                    "--under", "bench/tmp"]), "jobs_per_s"),
        ("queue, 64 workers, no result files: jobs/s", lambda b: run([os.path.join(b, "gaffer-queue-bench"), "--jobs", "20000", "--workers", "64",
                                                                       "--under", "bench/tmp", "--without-result-files"]), "jobs_per_s"),
    ]
    figures = {}
    for _ in range(args.rounds):
        for name, command, _key in cases:
            if command is None:
                continue
            for label, build in (("before", args.before), ("after", args.after)):
                figures.setdefault((name, label), []).append(command(build))
    print("| figure | before | after | after/before |")
    print("| --- | --- | --- | --- |")
    for name, command, key in cases:
        source = name if command is not None else "ingest, 0 workers: durable/s"
        before = statistics.median(r[key] for r in figures[(source, "before")])
        after = statistics.median(r[key] for r in figures[(source, "after")])
        print(f"| {name} | {before:,.1f} | {after:,.1f} | {after / before:.2f} |")


if __name__ == "__main__":
    main()
