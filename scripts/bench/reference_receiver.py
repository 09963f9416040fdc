#!/usr/bin/env python3
"""The yardstick for the ingest benchmark: an idiomatic Python webhook
receiver (aiohttp + sqlite3) doing what Gaffer's webhook path does: verify
X-Hub-Signature-256, drop a seen delivery id, store the delivery and its job
in one transaction, then answer. One commit per request, WAL,
synchronous=NORMAL. Run by ingest.py --reference."""
import hashlib, hmac, json, os, sqlite3, sys
from aiohttp import web

port, data_dir, secret = int(sys.argv[1]), sys.argv[2], sys.argv[3].encode()
db = sqlite3.connect(os.path.join(data_dir, "gaffer.sqlite"), isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=NORMAL")
db.execute("CREATE TABLE IF NOT EXISTS deliveries (id TEXT PRIMARY KEY, event TEXT, action TEXT, body BLOB)")
db.execute("CREATE TABLE IF NOT EXISTS jobs (id INTEGER PRIMARY KEY, delivery_id TEXT, state TEXT)")


async def webhook(request):
    body = await request.read()
    expected = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, request.headers.get("X-Hub-Signature-256", "")):
        return web.json_response({"error": "bad signature"}, status=401)
    delivery = request.headers["X-GitHub-Delivery"]
    action = json.loads(body).get("action")
    db.execute("BEGIN")
    cursor = db.execute("INSERT OR IGNORE INTO deliveries VALUES (?, ?, ?, ?)",
                        (delivery, request.headers["X-GitHub-Event"], action, body))
    if cursor.rowcount:
        db.execute("INSERT INTO jobs (delivery_id, state) VALUES (?, 'queued')", (delivery,))
    db.execute("COMMIT")
    return web.json_response({"status": "queued" if cursor.rowcount else "duplicate"}, status=202 if cursor.rowcount else 200)


async def health(request):
    return web.json_response({"status": "ok"})

app = web.Application(client_max_size=25 * 1024 * 1024)
app.add_routes([web.post("/webhooks/github", webhook), web.get("/health", health)])
web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)
