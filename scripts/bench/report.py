#!/usr/bin/env python3
"""Turns bench/results.jsonl into bench/RESULTS.md."""
import datetime, json, os, platform, subprocess, sys

results = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
commands = [line.strip() for line in open(sys.argv[2]) if line.strip()]


def sh(command):
    try:
        return subprocess.run(command, shell=True, capture_output=True, text=True).stdout.strip()
    except Exception:
        return "?"


cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
memory = sh("free -g | awk '/Mem:/ {print $2}'")
git = sh("git rev-parse --short HEAD")
df = sh("df -T bench | tail -1").split()
filesystem = f"{df[1]} ({df[0]})" if len(df) > 1 else "?"
print("# Benchmark results\n")
print(f"Made by `scripts/bench/run` on {datetime.date.today().isoformat()} at commit `{git}`, release build.\n")
print(f"Machine: {os.cpu_count()} cores ({cpu}), {memory} GiB memory, {platform.system()} {platform.release()}, "
      f"{sh('swift --version 2>&1 | head -1')}, {sh('wrk --version 2>&1 | head -1').split(' [')[0]}, "
      f"data on {filesystem}.\n")
print("The machine is shared and noisy: compare figures from the same run, not across runs.\n")

ingest = [r for r in results if r["benchmark"].startswith("ingest")]
if ingest:
    print("## Webhook ingest\n")
    print("wrk, 2 threads, 32 connections, a real `issues.opened` payload "
          f"({ingest[0]['payload_bytes']:,} bytes compact, as GitHub sends it) with a valid signature and a unique "
          "`X-GitHub-Delivery` per request. *Durable/s* counts 2xx answers, each sent only after its delivery "
          "and job were committed. *Stored ok* checks that every acknowledged delivery is in the store "
          "(and no more than one per connection besides, answered after wrk stopped counting).\n")
    print("| run | workers | synchronous | requests/s | durable/s | p50 ms | p99 ms | max ms | stored ok | RSS idle MiB | RSS loaded MiB |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in ingest:
        print(f"| {r['benchmark']} | {r['workers'] if r['workers'] is not None else '-'} | {r['synchronous']} | {r['requests_per_s']:,} | "
              f"{r['durable_per_s']:,} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['max_ms']:.1f} | "
              f"{'yes' if r['stored_matches_acknowledged'] else 'NO'} ({r['rows_stored']:,} rows, {r['acknowledged_2xx']:,} acks) | "
              f"{r['rss_idle_mib']} | {r['rss_loaded_mib']} |")
    print()

queue = [r for r in results if r["benchmark"] == "queue"]
if queue:
    print("## Job queue\n")
    print("`gaffer-queue-bench`: 64 tasks enqueue 20,000 `echo` jobs while the worker pool runs them, "
          "end to end: claim with a lease, run, write `<data>/jobs/<id>/result.json`, record success. "
          "*jobs/s* is 20,000 over the time from the first enqueue to the last success.\n")
    baselines = {r["data_under"]: r for r in results if r["benchmark"] == "fs-baseline"}
    if baselines:
        print("*Disk floor* is `scripts/bench/fs_baseline.py` in the same run: a directory and a small file "
              "made one after the other, the least each job costs the disk.\n")
        for under, r in baselines.items():
            print(f"- disk floor under `{under}`: {r['per_s']:,} directories with a file per second")
        print()
    print("*result.json* off (`--without-result-files`) measures the queue without a directory and file per job.\n")
    print("| data under | result.json | workers | synchronous | enqueue s | total s | jobs/s | succeeded | result files |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in queue:
        print(f"| `{r['data_under']}` | {'on' if r.get('result_files_written', True) else 'off'} | {int(r['workers'])} | {r['synchronous']} | {r['enqueue_s']} | {r['total_s']} | "
              f"{int(r['jobs_per_s']):,} | {int(r['succeeded']):,} | {int(r['result_files']):,} |")
    print()

parse = [r for r in results if r["benchmark"] == "parse"]
if parse:
    print("## Request parsers\n")
    print("`gaffer-parse-bench`: `IssueParser` on issue bodies and `CommandParser` on comments, realistic and hostile, "
          "at about 8 KB, 64 KB (GitHub's limit is 65,536 characters) and 512 KB, each repeated for at least 0.3 s. "
          "A linear parser takes about 8 times as long for 8 times the input.\n")
    print("| parser | input | µs at 8 KB | µs at 64 KB | µs at 512 KB | 64 KB / 8 KB | 512 KB / 64 KB | MB/s at 64 KB |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    rows = {}
    for r in parse:
        bucket = 0 if r["bytes"] < 20000 else 1 if r["bytes"] < 200000 else 2
        rows.setdefault((r["parser"], r["input"]), {})[bucket] = r
    for (parser, name), sizes in rows.items():
        if all(b in sizes for b in (0, 1, 2)):
            t = [sizes[b]["us_per_parse"] for b in (0, 1, 2)]
            print(f"| {parser} | {name} | {t[0]:,} | {t[1]:,} | {t[2]:,} | {t[1] / t[0]:.1f} | {t[2] / t[1]:.1f} | {sizes[1]['mb_per_s']} |")
    print()

git = [r for r in results if r["benchmark"] == "git-push"]
if git:
    print("## Git: commit and push N files\n")
    print("`gaffer-git-bench`: commit N generated files of 2 KB (ten to a folder) on a new branch and push it to a "
          "fresh, empty bare repository over `file://`, three ways in one run, each round cold (new repositories, "
          f"new cache), median of {git[0]['rounds']} rounds. *git CLI* is `git init`, write the files, `add -A`, `commit`, "
          "`branch`, `push`, as processes. *GafferGit* is the library in process with the files in memory, as an agent "
          "hands them over: fetch into a new mirror, workspace, stage, commit, push. *push-files* is the "
          "`gaffer git push-files` command, a process that reads the files from a directory. "
          "Each pushed branch is checked to hold all N files. Target: GafferGit at most 0.3 × the CLI at N = 1,000.\n")
    print("| files | git CLI ms | GafferGit ms | GafferGit / CLI | push-files ms | push-files / CLI |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in git:
        print(f"| {r['files']:,} | {r['cli_ms']:,} | {r['library_ms']:,} | {r['library_ratio']:.2f} | "
              f"{r['command_ms']:,} | {r['command_ratio']:.2f} |")
    print()

overhead = [r for r in results if r["benchmark"] == "pipeline-overhead"]
masking = [r for r in results if r["benchmark"] == "pipeline-masking"]
if overhead or masking:
    print("## Pipeline runner\n")
    print("`gaffer-pipeline-bench`, in one run. *Overhead*: a buildspec of N `true` commands run by `BuildRunner` "
          "(one bash for the build, each command's start and status marked, `[Container]` lines in the log), against "
          "bash running the same N commands from one script; the difference over N is what the runner adds to each "
          "command (target: at most 0.1 ms). *Masking*: `cat` of a file through the build log with 10 secret values "
          "to mask, some lines carrying one (target: at least 100 MB/s); each round checks no secret reached the log.\n")
    for r in overhead:
        print(f"- {r['commands']} commands: build {r['build_ms']} ms, bash script {r['bash_script_ms']} ms: "
              f"**{r['overhead_ms_per_command']} ms per command** (median of {r['rounds']})")
    for r in masking:
        print(f"- {r['megabytes']:.0f} MB with {r['secrets']} secrets: build {r['build_ms']:,} ms "
              f"(`cat` alone {r['cat_ms']} ms): **{r['mb_per_s']:,.0f} MB/s** (median of {r['rounds']})")
    print()

sigv4 = [r for r in results if r["benchmark"] == "sigv4"]
if sigv4:
    print("## SigV4 signing\n")
    print("`gaffer-aws-bench` pinned to one core (`taskset -c 0`): a DynamoDB-style POST with a 1 KB JSON body, four headers "
          "and a session token, signed in headers (body hash, canonical request, string to sign, HMAC), 50,000 "
          "signatures a round, median of the rounds. Target: at least 100,000 signatures/s.\n")
    botocore = next((r for r in results if r["benchmark"] == "sigv4-botocore"), None)
    for r in sigv4:
        print(f"- **{r['signatures_per_s']:,} signatures/s** ({r['microseconds_per_signature']} µs each, {r['body_bytes']} byte body)")
    if botocore:
        ratio = sigv4[0]["signatures_per_s"] / botocore["signatures_per_s"]
        print(f"- botocore (the AWS CLI's signer), same request, same core, same run: {botocore['signatures_per_s']:,} signatures/s "
              f"({botocore['microseconds_per_signature']} µs each); GafferAWS signs **{ratio:.1f}×** as many")
    print()

calls = [r for r in results if r["benchmark"].startswith(("model.", "mcp."))]
if calls:
    print("## Model and MCP calls: Gaffer's own time\n")
    print("`gaffer-model-bench`, the provider's time left out: `model.call.*` is one metered call (the budget's reservation, "
          "the request's body, the recorded answer read back) around a provider that answers at once, with an untimed 3 ms "
          "pause after each; `mcp.roundtrip` one tool call through the MCP SDK's client and server in memory; "
          "`mcp.dispatch` Gaffer's part of it. Target: at most 1 ms per call.\n")
    print("| measurement | p50 µs | p99 µs |")
    print("| --- | --- | --- |")
    for r in calls:
        print(f"| {r['benchmark']} | {r['p50_us']} | {r['p99_us']} |")
    print()

print("## Commands\n")
print("```")
for command in commands:
    print(command)
print("```\n")
print("## Raw figures (JSON lines)\n")
print("```")
for r in results:
    print(json.dumps(r, sort_keys=True))
print("```")
