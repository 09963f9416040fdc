#!/usr/bin/env python3
"""Webhook ingest benchmark: wrk against a release `gaffer serve`.

Posts one real `issues.opened` payload (compact JSON, as GitHub sends it) with
a valid signature and a unique X-GitHub-Delivery per request, then checks that
the rows stored match the 2xx answers counted. Prints one JSON object.
"""
import argparse, hashlib, hmac, json, os, socket, sqlite3, subprocess, sys, tempfile, threading, time, urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SECRET = "bench-webhook-secret"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def wait_healthy(port, deadline):
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as r:
                if r.status == 200:
                    return
        except Exception:
            time.sleep(0.05)
    raise SystemExit("gaffer did not become healthy")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binary", default=os.path.join(ROOT, ".build/release/gaffer"))
    p.add_argument("--duration", type=int, default=15)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--synchronous", choices=["normal", "full"], default="normal")
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--bad-signature", action="store_true")
    p.add_argument("--reference", action="store_true", help="run the Python reference receiver instead of gaffer")
    p.add_argument("--under", default=os.path.join(ROOT, "bench", "tmp"), help="where to make the data directory")
    p.add_argument("--payload", default=os.path.join(ROOT, "..", "shared", "conformance", "webhooks", "issues", "opened.payload.json"))
    args = p.parse_args()

    with open(args.payload) as f:
        body = json.dumps(json.load(f), separators=(",", ":")).encode()
    os.makedirs(args.under, exist_ok=True)
    data = tempfile.mkdtemp(prefix="gaffer-bench-", dir=args.under)
    body_file = os.path.join(data, "body.json")
    with open(body_file, "wb") as f:
        f.write(body)
    key = b"wrong-secret" if args.bad_signature else SECRET.encode()
    signature = "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()

    port = free_port()
    env = dict(os.environ, GAFFER_HOST="127.0.0.1", GAFFER_PORT=str(port), GAFFER_DATA_DIR=data,
               GAFFER_WEBHOOK_SECRET=SECRET, GAFFER_WORKERS=str(args.workers), GAFFER_LOG_LEVEL="warning",
               GAFFER_SQLITE_SYNCHRONOUS=args.synchronous)
    command = [sys.executable, os.path.join(ROOT, "scripts/bench/reference_receiver.py"), str(port), data, SECRET] if args.reference else [args.binary, "serve"]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(data, "server.log"), "w"))
    try:
        wait_healthy(port, time.time() + 30)
        time.sleep(1)
        idle_kib = rss_kib(server.pid)

        peak = [0]
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                peak[0] = max(peak[0], rss_kib(server.pid))
                time.sleep(0.1)

        sampler = threading.Thread(target=sample)
        sampler.start()
        wrk_env = dict(os.environ, BENCH_BODY=body_file, BENCH_SIGNATURE=signature, BENCH_RUN=f"r{int(time.time())}")
        out = subprocess.run(
            ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--timeout", "10s",
             "-s", os.path.join(ROOT, "scripts/bench/deliveries.lua"), f"http://127.0.0.1:{port}"],
            env=wrk_env, capture_output=True, text=True, check=True).stdout
        stop.set()
        sampler.join()
        result_line = next(line for line in out.splitlines() if line.startswith("RESULT "))
        fields = dict(kv.split("=") for kv in result_line.split()[1:])
        fields = {k: int(v) for k, v in fields.items()}

        # Let answers still in flight when wrk stopped land, then count.
        time.sleep(0.5)
        db = sqlite3.connect(os.path.join(data, "gaffer.sqlite"))
        stored = db.execute("SELECT count(*) FROM deliveries").fetchone()[0]
        jobs = db.execute("SELECT count(*) FROM jobs").fetchone()[0]
        db.close()

        seconds = fields["duration_us"] / 1e6
        acknowledged = fields["ok"]
        result = {
            "benchmark": ("ingest-bad-signature" if args.bad_signature else "ingest") + ("-python-reference" if args.reference else ""),
            "synchronous": args.synchronous,
            "workers": None if args.reference else args.workers,
            "payload_bytes": len(body),
            "threads": args.threads,
            "connections": args.connections,
            "duration_s": round(seconds, 2),
            "requests": fields["requests"],
            "requests_per_s": round(fields["requests"] / seconds),
            "acknowledged_2xx": acknowledged,
            "durable_per_s": round(acknowledged / seconds),
            "rejected_401": fields["rejected"],
            "other_status": fields["other"],
            "socket_errors": fields["errors"],
            "p50_ms": fields["p50_us"] / 1000,
            "p90_ms": fields["p90_us"] / 1000,
            "p99_ms": fields["p99_us"] / 1000,
            "max_ms": fields["max_us"] / 1000,
            "rows_stored": stored,
            "jobs_queued": jobs,
            # Answers wrk had not read when its time was up were still stored:
            # every acknowledged delivery must be stored, and at most one more per connection.
            "stored_matches_acknowledged": acknowledged <= stored <= acknowledged + args.connections,
            "rss_idle_mib": round(idle_kib / 1024, 1),
            "rss_loaded_mib": round(peak[0] / 1024, 1),
        }
        print(json.dumps(result))
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        subprocess.run(["rm", "-rf", data])


if __name__ == "__main__":
    main()
