#!/usr/bin/env python3
"""`/plan` to the plan comment and `/apply` to the issue's closing summary, for an S3 bucket, with the
demo's parts: a release `gaffer demo --no-autoplan` (GitHub sandbox, moto_server as AWS, Gaffer with
2 workers and SQLite) on this machine.

For each of --runs buckets: alice opens "Create an S3 bucket named bench-N in us-east-1" and the
script waits for its pull request and green check (not timed). Then
  plan   from the sandbox's answer to alice's `/plan` comment to the plan comment being listed on
         the pull request: delivery, queue, checkout of the head, one change set made and described,
         the comment written;
  apply  bob's `/approve` is answered first (not timed); then from alice's `/apply` to the issue's
         status comment saying "Done": the requirements read from GitHub, the change set executed
         and followed, the registry, the squash merge, the summary, the issue closed.
Each is reported as wall time and as Gaffer's own time: wall time less the time Gaffer waited for
AWS in that span (the sum of gaffer_aws_call_duration_seconds in /metrics). The polling of the
sandbox by this script (every 5 ms) adds to both. Prints one JSON object.

    scripts/bench/plan_apply.py [--binary .build/release/gaffer] [--runs 50] [--gap 0]
"""
import argparse, json, os, re, statistics, subprocess, sys, tempfile, time, urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def call(api, token, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(api + path, data=data, method=method,
                                     headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read() or b"null")


def aws_seconds(gaffer):
    """The total time Gaffer has waited for AWS, from its metrics."""
    with urllib.request.urlopen(gaffer + "/metrics", timeout=10) as answer:
        text = answer.read().decode()
    return sum(float(m.group(1)) for m in re.finditer(r"^gaffer_aws_call_duration_seconds_sum\{[^}]*\} ([0-9.e+-]+)$", text, re.M))


def wait(what, check, seconds=120):
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise SystemExit(f"waited {seconds} s for {what}")
        time.sleep(0.005)


def gaffer_comment(api, token, number, key):
    for comment in call(api, token, "GET", f"/repos/acme/infra/issues/{number}/comments?per_page=100"):
        if comment["user"]["login"] == "gaffer[bot]" and f"gaffer:status key={key} " in (comment["body"] or ""):
            return comment["body"]
    return None


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1))]


def summary(values):
    return {"p50": round(statistics.median(values), 1), "p99": round(percentile(values, 99), 1),
            "min": round(min(values), 1), "max": round(max(values), 1)}


def one_run(info, n):
    api, alice, bob = info["github_api"], info["users"]["alice"], info["users"]["bob"]
    gaffer = info["gaffer"]
    issue = call(api, alice, "POST", "/repos/acme/infra/issues",
                 {"title": f"Create an S3 bucket named bench-{n} in us-east-1", "body": "", "labels": ["gaffer"]})
    branch = f"gaffer/{issue['number']}-s3-bucket"
    pull = wait("the pull request", lambda: (call(api, alice, "GET", f"/repos/acme/infra/pulls?head=acme:{branch}&state=open") or [None])[0])
    sha = pull["head"]["sha"]
    check = wait("the check", lambda: next((r for r in call(api, alice, "GET", f"/repos/acme/infra/commits/{sha}/check-runs?check_name=gaffer/pipeline")["check_runs"] if r["status"] == "completed"), None))
    if check["conclusion"] != "success":
        raise SystemExit(f"the check of #{pull['number']} ended {check['conclusion']}")

    aws_before = aws_seconds(gaffer)
    call(api, alice, "POST", f"/repos/acme/infra/issues/{pull['number']}/comments", {"body": "/plan"})
    start = time.monotonic()
    plan = wait("the plan comment", lambda: gaffer_comment(api, alice, pull["number"], "plan"))
    plan_ms = (time.monotonic() - start) * 1000
    plan_aws_ms = (aws_seconds(gaffer) - aws_before) * 1000
    if "2 to add" not in plan:
        raise SystemExit(f"unexpected plan for #{pull['number']}:\n{plan}")

    approve = call(api, bob, "POST", f"/repos/acme/infra/issues/{pull['number']}/comments", {"body": "/approve"})
    wait("bob's approval to be answered", lambda: "approved" in (gaffer_comment(api, alice, pull["number"], f"reply-{approve['id']}") or ""))
    time.sleep(0.05)  # the approval's job ends just after its reply
    aws_before = aws_seconds(gaffer)
    call(api, alice, "POST", f"/repos/acme/infra/issues/{pull['number']}/comments", {"body": "/apply"})
    start = time.monotonic()
    wait("the closing summary", lambda: "### Done" in (gaffer_comment(api, alice, issue["number"], "status") or ""))
    apply_ms = (time.monotonic() - start) * 1000
    apply_aws_ms = (aws_seconds(gaffer) - aws_before) * 1000
    return {"plan_ms": plan_ms, "plan_aws_ms": plan_aws_ms, "apply_ms": apply_ms, "apply_aws_ms": apply_aws_ms}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "gaffer"))
    p.add_argument("--runs", type=int, default=50)
    p.add_argument("--gap", type=float, default=0, help="seconds between Gaffer's GitHub writes")
    args = p.parse_args()
    folder = tempfile.mkdtemp(prefix="gaffer-bench-plan-")
    demo = subprocess.Popen([args.binary, "demo", "--json", "--no-autoplan", "--state-file", os.path.join(folder, "demo.json"),
                             "--data", os.path.join(folder, "data"), "--github-mutation-gap", str(args.gap), "--log-level", "warning"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        info = json.loads(demo.stdout.readline())
        runs = [one_run(info, n) for n in range(args.runs)]
        own = lambda kind: [r[f"{kind}_ms"] - r[f"{kind}_aws_ms"] for r in runs]
        print(json.dumps({
            "runs": len(runs), "gap_s": args.gap, "workers": 2,
            "plan": {"gaffer_ms": summary(own("plan")), "wall_ms": summary([r["plan_ms"] for r in runs]),
                     "aws_ms": summary([r["plan_aws_ms"] for r in runs])},
            "apply": {"gaffer_ms": summary(own("apply")), "wall_ms": summary([r["apply_ms"] for r in runs]),
                      "aws_ms": summary([r["apply_aws_ms"] for r in runs])},
        }))
    finally:
        demo.terminate()
        demo.wait(timeout=60)


if __name__ == "__main__":
    sys.exit(main())
