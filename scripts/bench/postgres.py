"""Gaffer on PostgreSQL: the queue beside procrastinate on the same server in the same run, and
webhook ingest through three replicas beside one SQLite Gaffer.

Starts a PostgreSQL server of its own (Debian's postgresql, in a temporary directory, on a free
port, as the postgres user when run as root). For Gaffer, `gaffer-queue-bench --enqueue-only`
enqueues N echo jobs through PostgresStore, then 1 or 3 `gaffer worker` processes run them; for
procrastinate, `batch_defer_async` enqueues N echo tasks, then 1 or 3 worker processes run them.
Each run has a database of its own; the time to run is from the workers' start to the last job
done, read from the database. Prints one JSON object per run.

Run with the procrastinate virtual environment's python (scripts/bench/run makes it):
  /opt/procrastinate-venv/bin/python scripts/bench/postgres.py --jobs 20000 --duration 15
"""

import argparse
import json
import os
import pwd
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import psycopg

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RELEASE = os.path.join(ROOT, ".build", "release")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A PostgreSQL server in a temporary directory, password-protected, on 127.0.0.1."""

    def __init__(self):
        versions = sorted(int(v) for v in os.listdir("/usr/lib/postgresql") if v.isdigit())
        binaries = f"/usr/lib/postgresql/{versions[-1]}/bin"
        self.directory = tempfile.mkdtemp(prefix="gaffer-bench-pg-")
        self.password = "bench"
        self.port = free_port()
        as_user = []
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(self.directory, account.pw_uid, account.pw_gid)
            as_user = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"]
        password_file = os.path.join(self.directory, "password")
        with open(password_file, "w") as f:
            f.write(self.password)
        if as_user:
            os.chown(password_file, account.pw_uid, account.pw_gid)
        data = os.path.join(self.directory, "data")
        subprocess.run(as_user + [f"{binaries}/initdb", "-D", data, "-U", "gaffer", f"--pwfile={password_file}",
                                  "--auth=scram-sha-256", "-E", "UTF8"], check=True, stdout=subprocess.DEVNULL)
        # Defaults but for the connections: 3 processes of 64 workers each, with room.
        self.process = subprocess.Popen(as_user + [f"{binaries}/postgres", "-D", data, "-p", str(self.port), "-k", self.directory,
                                                   "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=400"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with psycopg.connect(self.url("postgres"), autocommit=True):
                    return
            except psycopg.OperationalError:
                time.sleep(0.1)
        raise SystemExit("postgres did not start")

    def url(self, database, scheme="postgresql"):
        return f"{scheme}://gaffer:{self.password}@127.0.0.1:{self.port}/{database}"

    def database(self, name):
        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name}")
            connection.execute(f"CREATE DATABASE {name}")
        return name

    def stop(self):
        self.process.terminate()
        self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


def wait_done(url, jobs, table, done_sql, last_sql, started, timeout=600):
    """Waits until `jobs` are done; the seconds from `started` to the last one's finish as the database
    recorded it. Polled only ten times a second: counting is work for the server the queues share."""
    with psycopg.connect(url, autocommit=True) as connection:
        while time.time() - started < timeout:
            count = connection.execute(done_sql).fetchone()[0]
            if count >= jobs:
                return float(connection.execute(last_sql).fetchone()[0]) - started
            time.sleep(0.1)
    raise SystemExit(f"{table}: not done after {timeout} s")


def gaffer(server, jobs, processes, workers, data_under, round_=0):
    name = server.database(f"gaffer_{processes}_{round_}")
    url = server.url(name, "postgres") + "?sslmode=disable"
    enqueue = subprocess.run([os.path.join(RELEASE, "gaffer-queue-bench"), "--jobs", str(jobs), "--producers", "32",
                              "--database-url", url, "--enqueue-only"], check=True, capture_output=True, text=True)
    enqueued = json.loads(enqueue.stdout.strip().splitlines()[-1])
    directory = tempfile.mkdtemp(prefix="gaffer-bench-workers-", dir=data_under)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GAFFER_")}
    environment.update({"GAFFER_DATABASE_URL": url, "GAFFER_WORKERS": str(workers), "GAFFER_LOG_LEVEL": "error",
                        "GAFFER_DATABASE_POOL_SIZE": str(workers + 4)})
    started = time.time()
    children = [subprocess.Popen([os.path.join(RELEASE, "gaffer"), "worker"],
                                 env=dict(environment, GAFFER_DATA_DIR=os.path.join(directory, str(index))))
                for index in range(processes)]
    seconds = wait_done(server.url(name), jobs, "gaffer", "SELECT count(*) FROM jobs WHERE state = 'succeeded'",
                        "SELECT max(finished_at) FROM jobs", started)
    for child in children:
        child.terminate()
    for child in children:
        child.wait()
    shutil.rmtree(directory, ignore_errors=True)
    return {"benchmark": "queue-postgres", "system": "gaffer", "jobs": jobs, "processes": processes, "workers_each": workers,
            "enqueue_s": enqueued["enqueue_s"], "run_s": round(seconds, 3), "jobs_per_s": round(jobs / seconds),
            "end_to_end_jobs_per_s": round(jobs / (seconds + enqueued["enqueue_s"]))}


PROCRASTINATE_APP = '''
import os, procrastinate
app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=os.environ["BENCH_URL"]))

@app.task(name="echo")
def echo(n, text):
    return {"n": n, "text": text}
'''


def procrastinate(server, jobs, processes, concurrency, round_=0):
    name = server.database(f"procrastinate_{processes}_{round_}")
    url = server.url(name)
    directory = tempfile.mkdtemp(prefix="procrastinate-bench-")
    with open(os.path.join(directory, "bench_app.py"), "w") as f:
        f.write(PROCRASTINATE_APP)
    environment = dict(os.environ, BENCH_URL=url, PYTHONPATH=directory)
    python = sys.executable
    subprocess.run([python, "-m", "procrastinate", "--app=bench_app.app", "schema", "--apply"], env=environment, check=True,
                   capture_output=True)
    enqueue = subprocess.run([python, "-c", f'''
import asyncio, time, bench_app
async def main():
    async with bench_app.app.open_async():
        start = time.time()
        for first in range(0, {jobs}, 1000):
            await bench_app.echo.batch_defer_async(*[{{"n": n, "text": "hello"}} for n in range(first, min(first + 1000, {jobs}))])
        print(time.time() - start)
asyncio.run(main())
'''], env=environment, check=True, capture_output=True, text=True)
    enqueue_s = float(enqueue.stdout.strip().splitlines()[-1])
    started = time.time()
    children = [subprocess.Popen([python, "-m", "procrastinate", "--app=bench_app.app", "worker", f"--concurrency={concurrency}"],
                                 env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                for _ in range(processes)]
    seconds = wait_done(url, jobs, "procrastinate", "SELECT count(*) FROM procrastinate_jobs WHERE status = 'succeeded'",
                        "SELECT extract(epoch FROM max(at)) FROM procrastinate_events WHERE type = 'succeeded'", started)
    for child in children:
        child.terminate()
    for child in children:
        child.wait()
    shutil.rmtree(directory, ignore_errors=True)
    return {"benchmark": "queue-postgres", "system": "procrastinate", "jobs": jobs, "processes": processes,
            "workers_each": concurrency, "enqueue_s": round(enqueue_s, 3), "run_s": round(seconds, 3),
            "jobs_per_s": round(jobs / seconds), "end_to_end_jobs_per_s": round(jobs / (seconds + enqueue_s))}


SECRET = "bench-secret"


def ingest(server, replicas, duration, connections):
    """wrk through `replicas` `gaffer serve` processes on one database (one wrk each, its share of the connections)."""
    import hashlib, hmac
    name = server.database("gaffer_ingest")
    url = server.url(name, "postgres") + "?sslmode=disable"
    payload = os.path.join(ROOT, "..", "shared", "conformance", "webhooks", "issues", "opened.payload.json")
    with open(payload) as f:
        body = json.dumps(json.load(f), separators=(",", ":")).encode()
    directory = tempfile.mkdtemp(prefix="gaffer-bench-ingest-")
    body_file = os.path.join(directory, "body.json")
    with open(body_file, "wb") as f:
        f.write(body)
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GAFFER_")}
    environment.update({"GAFFER_DATABASE_URL": url, "GAFFER_WORKERS": "0", "GAFFER_LOG_LEVEL": "error", "GAFFER_HOST": "127.0.0.1",
                        "GAFFER_WEBHOOK_SECRET": SECRET, "GAFFER_DATABASE_POOL_SIZE": str(connections)})
    ports = [free_port() for _ in range(replicas)]
    children = [subprocess.Popen([os.path.join(RELEASE, "gaffer"), "serve"],
                                 env=dict(environment, GAFFER_PORT=str(port), GAFFER_DATA_DIR=os.path.join(directory, str(port))))
                for port in ports]
    try:
        for port in ports:
            deadline = time.time() + 30
            while True:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        break
                except OSError:
                    if time.time() > deadline:
                        raise SystemExit("a replica did not start")
                    time.sleep(0.1)
        share = max(1, connections // replicas)
        runs = [subprocess.Popen(["wrk", "-t1", f"-c{share}", f"-d{duration}s", "--timeout", "10s",
                                  "-s", os.path.join(ROOT, "scripts/bench/deliveries.lua"), f"http://127.0.0.1:{port}"],
                                 env=dict(os.environ, BENCH_BODY=body_file, BENCH_SIGNATURE=signature, BENCH_RUN=f"r{int(time.time())}-{port}"),
                                 stdout=subprocess.PIPE, text=True)
                for port in ports]
        results = []
        for run in runs:
            out, _ = run.communicate()
            line = next(line for line in out.splitlines() if line.startswith("RESULT "))
            results.append({k: int(v) for k, v in (kv.split("=") for kv in line.split()[1:])})
        time.sleep(0.5)
        with psycopg.connect(server.url(name), autocommit=True) as connection:
            stored = connection.execute("SELECT count(*) FROM deliveries").fetchone()[0]
        seconds = max(r["duration_us"] for r in results) / 1e6
        acknowledged = sum(r["ok"] for r in results)
        return {"benchmark": "ingest-postgres", "replicas": replicas, "connections": share * replicas, "duration_s": round(seconds, 2),
                "acknowledged_2xx": acknowledged, "durable_per_s": round(acknowledged / seconds),
                "p50_ms_per_replica": [r["p50_us"] / 1000 for r in results], "p99_ms_per_replica": [r["p99_us"] / 1000 for r in results],
                "other_status": sum(r["other"] for r in results), "socket_errors": sum(r["errors"] for r in results),
                "rows_stored": stored, "stored_matches_acknowledged": acknowledged <= stored <= acknowledged + share * replicas}
    finally:
        for child in children:
            child.terminate()
        for child in children:
            child.wait()
        shutil.rmtree(directory, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=32, help="workers in each gaffer worker process")
    parser.add_argument("--concurrency", type=int, default=32, help="concurrency of each procrastinate worker")
    parser.add_argument("--under", default="/dev/shm", help="where the gaffer workers' data directories go")
    parser.add_argument("--duration", type=int, default=15, help="seconds of wrk for ingest")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections for ingest, shared by the replicas")
    parser.add_argument("--queue-only", action="store_true", help="Gaffer's queue alone: no procrastinate, no ingest (a quick look)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="rounds of the queue runs, interleaved; the summary takes each one's median (this machine is noisy)")
    arguments = parser.parse_args()
    server = Server()
    try:
        runs = {}
        for round_ in range(arguments.repeat):
            for processes in (1, 3):
                systems = [("gaffer", lambda: gaffer(server, arguments.jobs, processes, arguments.workers, arguments.under, round_))]
                if not arguments.queue_only:
                    systems.append(("procrastinate", lambda: procrastinate(server, arguments.jobs, processes, arguments.concurrency, round_)))
                for system, run in systems:
                    result = run()
                    print(json.dumps(result, sort_keys=True), flush=True)
                    runs.setdefault((system, processes), []).append(result["jobs_per_s"])
        summary = {"benchmark": "queue-postgres-summary", "rounds": arguments.repeat}
        for (system, processes), rates in sorted(runs.items()):
            summary[f"{system}_{processes}_median_jobs_per_s"] = statistics.median(rates)
        for processes in (1, 3):
            if ("procrastinate", processes) in runs:
                summary[f"ratio_{processes}"] = round(summary[f"gaffer_{processes}_median_jobs_per_s"]
                                                      / summary[f"procrastinate_{processes}_median_jobs_per_s"], 1)
        print(json.dumps(summary, sort_keys=True), flush=True)
        if arguments.queue_only:
            return
        print(json.dumps(ingest(server, 3, arguments.duration, arguments.connections), sort_keys=True), flush=True)
    finally:
        server.stop()
    # The same ingest on SQLite, one replica, in the same run.
    sqlite = subprocess.run(["python3", os.path.join(ROOT, "scripts/bench/ingest.py"), "--workers", "0",
                             "--duration", str(arguments.duration), "--connections", str(arguments.connections)],
                            capture_output=True, text=True, check=True)
    print(sqlite.stdout.strip().splitlines()[-1], flush=True)


if __name__ == "__main__":
    main()
