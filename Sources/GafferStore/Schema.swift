import GRDB

/// The database's shape, one migration per change, applied in order and
/// recorded in the database so each runs once.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: deliveries, jobs, job events, audit log") { db in
            try db.execute(sql: """
                CREATE TABLE deliveries (
                    id TEXT PRIMARY KEY NOT NULL,
                    event TEXT NOT NULL,
                    action TEXT,
                    received_at REAL NOT NULL,
                    body BLOB NOT NULL
                );
                CREATE INDEX deliveries_received_at ON deliveries(received_at);

                CREATE TABLE jobs (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    type TEXT NOT NULL,
                    payload BLOB NOT NULL,
                    state TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    max_attempts INTEGER NOT NULL,
                    run_after REAL NOT NULL,
                    lease_owner TEXT,
                    lease_expires_at REAL,
                    created_at REAL NOT NULL,
                    started_at REAL,
                    finished_at REAL,
                    updated_at REAL NOT NULL,
                    result BLOB,
                    error TEXT,
                    -- Not indexed: the deliveries key already makes it unique, and
                    -- an index on a random id costs a page write per delivery.
                    delivery_id TEXT REFERENCES deliveries(id)
                );
                CREATE INDEX jobs_claimable ON jobs(run_after, id) WHERE state = 'queued';
                CREATE INDEX jobs_leased ON jobs(lease_expires_at) WHERE state = 'running';
                CREATE INDEX jobs_state ON jobs(state, id);

                CREATE TABLE job_events (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    job_id INTEGER NOT NULL REFERENCES jobs(id),
                    at REAL NOT NULL,
                    from_state TEXT,
                    to_state TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    worker TEXT
                );
                CREATE INDEX job_events_job ON job_events(job_id, id);

                CREATE TABLE audit_log (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    at REAL NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    detail TEXT
                );
                """)
        }
        return migrator
    }
}
