#!/usr/bin/env python3
"""From an issue to its pull request, with the demo's parts: a release `gaffer demo`
(GitHub sandbox, moto_server, Gaffer with 2 workers and SQLite) on this machine.

For each issue ("Create an S3 bucket named bench-N in us-east-1", label gaffer):
  to_pr    from the sandbox's answer to the issue (the `issues.opened` delivery leaves
           right after it) to the pull request being listed on its branch: Gaffer's
           intake, plan, commit, push, pull request and GitHub calls, with the
           demo's gap between GitHub writes (--gap);
  pipeline from the pull request to its `gaffer/pipeline` check completing: the
           checkout and the buildspec's commands (cfn-lint), reported apart.
First --sequential issues one after another (each waits for its check), then --burst
issues opened at once. Prints one JSON object.

    scripts/bench/issue_to_pr.py [--binary .build/release/gaffer] [--sequential 50] [--burst 20] [--gap 0.1]
"""
import argparse, json, os, statistics, subprocess, sys, tempfile, threading, time, urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def call(api, token, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(api + path, data=data, method=method,
                                     headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read() or b"null")


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1))]


def one_issue(api, token, n, results, wait_for_check):
    title = f"Create an S3 bucket named bench-{n} in us-east-1"
    issue = call(api, token, "POST", "/repos/acme/infra/issues", {"title": title, "body": "", "labels": ["gaffer"]})
    start = time.monotonic()
    branch = f"gaffer/{issue['number']}-s3-bucket"
    deadline = start + 120
    pull = None
    while pull is None:
        pulls = call(api, token, "GET", f"/repos/acme/infra/pulls?head=acme:{branch}&state=open")
        pull = pulls[0] if pulls else None
        if pull is None:
            if time.monotonic() > deadline:
                raise SystemExit(f"no pull request for #{issue['number']} after 120 s")
            time.sleep(0.01)
    opened = time.monotonic()
    record = {"issue": issue["number"], "to_pr_ms": (opened - start) * 1000}
    if wait_for_check:
        sha = pull["head"]["sha"]
        while True:
            runs = call(api, token, "GET", f"/repos/acme/infra/commits/{sha}/check-runs?check_name=gaffer/pipeline")["check_runs"]
            if runs and runs[0]["status"] == "completed":
                record["pipeline_ms"] = (time.monotonic() - opened) * 1000
                record["conclusion"] = runs[0]["conclusion"]
                break
            if time.monotonic() > opened + 300:
                raise SystemExit(f"the check of #{issue['number']} did not complete in 300 s")
            time.sleep(0.05)
    results.append(record)


def summary(values):
    return {"p50": round(statistics.median(values), 1), "p99": round(percentile(values, 99), 1),
            "min": round(min(values), 1), "max": round(max(values), 1)}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "gaffer"))
    p.add_argument("--sequential", type=int, default=50)
    p.add_argument("--burst", type=int, default=20)
    p.add_argument("--gap", type=float, default=0.1, help="seconds between Gaffer's GitHub writes")
    args = p.parse_args()
    folder = tempfile.mkdtemp(prefix="gaffer-bench-demo-")
    state = os.path.join(folder, "demo.json")
    demo = subprocess.Popen([args.binary, "demo", "--json", "--state-file", state, "--data", os.path.join(folder, "data"),
                             "--github-mutation-gap", str(args.gap), "--log-level", "warning"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        info = json.loads(demo.stdout.readline())
        api, token = info["github_api"], info["users"]["alice"]
        sequential = []
        for n in range(args.sequential):
            one_issue(api, token, n, sequential, wait_for_check=True)
        burst = []
        threads = [threading.Thread(target=one_issue, args=(api, token, 1000 + n, burst, False)) for n in range(args.burst)]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        makespan = (time.monotonic() - began) * 1000
        failed = [r for r in sequential if r.get("conclusion") != "success"]
        if failed or len(burst) != args.burst:
            raise SystemExit(f"not every issue got its pull request and a green check: {failed}, {len(burst)} of {args.burst}")
        print(json.dumps({
            "gap_s": args.gap, "workers": 2,
            "sequential": {"issues": len(sequential), "to_pr_ms": summary([r["to_pr_ms"] for r in sequential]),
                           "pipeline_ms": summary([r["pipeline_ms"] for r in sequential])},
            "burst": {"issues": len(burst), "to_pr_ms": summary([r["to_pr_ms"] for r in burst]), "all_opened_ms": round(makespan, 1)},
        }))
    finally:
        demo.terminate()
        demo.wait(timeout=60)


if __name__ == "__main__":
    sys.exit(main())
