import GRDB

/// The database's shape, one migration per change, applied in order and
/// recorded in the database so each runs once.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: deliveries, jobs, job events, audit log") { db in
            try db.execute(
                sql: """
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
                    """
            )
        }
        migrator.registerMigration("v2: plans, plan steps, agent messages, capability gaps") { db in
            // Each row holds its value as JSON beside the columns people query by, so a plan
            // reads back exactly as it was saved.
            try db.execute(
                sql: """
                    CREATE TABLE plans (
                        id TEXT PRIMARY KEY NOT NULL,
                        issue INTEGER,
                        repository TEXT,
                        state TEXT NOT NULL,
                        created_at REAL NOT NULL,
                        updated_at REAL NOT NULL,
                        plan BLOB NOT NULL
                    );
                    CREATE INDEX plans_issue ON plans(repository, issue);
                    CREATE INDEX plans_state ON plans(state, updated_at);

                    CREATE TABLE plan_steps (
                        plan_id TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
                        position INTEGER NOT NULL,
                        id TEXT NOT NULL,
                        agent TEXT NOT NULL,
                        state TEXT NOT NULL,
                        attempts INTEGER NOT NULL,
                        started_at REAL,
                        ended_at REAL,
                        step BLOB NOT NULL,
                        PRIMARY KEY (plan_id, id)
                    );

                    CREATE TABLE agent_messages (
                        plan_id TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
                        position INTEGER NOT NULL,
                        sender TEXT NOT NULL,
                        recipient TEXT,
                        intent TEXT NOT NULL,
                        at REAL NOT NULL,
                        message BLOB NOT NULL,
                        PRIMARY KEY (plan_id, position)
                    );

                    CREATE TABLE capability_gaps (
                        plan_id TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
                        position INTEGER NOT NULL,
                        agent TEXT NOT NULL,
                        asked TEXT NOT NULL,
                        lacking TEXT NOT NULL,
                        PRIMARY KEY (plan_id, position)
                    );
                    """
            )
        }
        migrator.registerMigration("v3: change plans, decisions, stack locks, registry, deployments") { db in
            try db.execute(
                sql: """
                    CREATE TABLE change_plans (
                        id TEXT PRIMARY KEY NOT NULL,
                        repository TEXT NOT NULL,
                        pull_request INTEGER NOT NULL,
                        state TEXT NOT NULL,
                        created_at REAL NOT NULL,
                        plan BLOB NOT NULL
                    );
                    CREATE INDEX change_plans_pull ON change_plans(repository, pull_request, created_at);

                    CREATE TABLE decisions (
                        position INTEGER PRIMARY KEY AUTOINCREMENT,
                        repository TEXT NOT NULL,
                        pull_request INTEGER NOT NULL,
                        decision BLOB NOT NULL
                    );
                    CREATE INDEX decisions_pull ON decisions(repository, pull_request);

                    CREATE TABLE stack_locks (
                        stack TEXT PRIMARY KEY NOT NULL,
                        repository TEXT NOT NULL,
                        pull_request INTEGER NOT NULL,
                        lock BLOB NOT NULL
                    );
                    CREATE INDEX stack_locks_pull ON stack_locks(repository, pull_request);

                    CREATE TABLE registry (
                        arn TEXT PRIMARY KEY NOT NULL,
                        stack TEXT NOT NULL,
                        resource BLOB NOT NULL
                    );
                    CREATE INDEX registry_stack ON registry(stack);

                    CREATE TABLE deployments (
                        position INTEGER PRIMARY KEY AUTOINCREMENT,
                        repository TEXT NOT NULL,
                        plan_id TEXT NOT NULL,
                        stack TEXT NOT NULL,
                        deployment BLOB NOT NULL
                    );
                    CREATE INDEX deployments_repository ON deployments(repository);
                    CREATE UNIQUE INDEX deployments_plan_stack ON deployments(plan_id, stack);
                    """
            )
        }
        migrator.registerMigration("v4: learnings") { db in
            try db.execute(
                sql: """
                    CREATE TABLE learnings (
                        position INTEGER PRIMARY KEY AUTOINCREMENT,
                        plan_id TEXT NOT NULL,
                        stack TEXT NOT NULL,
                        repository TEXT NOT NULL,
                        issue INTEGER NOT NULL,
                        resource_type TEXT NOT NULL,
                        fixed INTEGER NOT NULL DEFAULT 0,
                        learning BLOB NOT NULL
                    );
                    CREATE UNIQUE INDEX learnings_plan_stack ON learnings(plan_id, stack);
                    CREATE INDEX learnings_task ON learnings(repository, issue, fixed);
                    CREATE INDEX learnings_type ON learnings(resource_type);
                    """
            )
        }
        migrator.registerMigration("v5: control") { db in
            try db.execute(sql: "CREATE TABLE control (key TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL)")
        }
        migrator.registerMigration("v6: dashboard indexes, change plans by issue, dashboard sessions") { db in
            // The dashboard's lists read by these; without them its pages scan every step and plan.
            try db.execute(
                sql: """
                    CREATE INDEX plans_updated ON plans(updated_at);
                    -- latestPlan compares the repository without case: only an index with that collation serves it.
                    CREATE INDEX plans_issue_nocase ON plans(repository COLLATE NOCASE, issue);
                    CREATE INDEX plan_steps_state ON plan_steps(state) WHERE state = 'running';
                    CREATE INDEX change_plans_state ON change_plans(state, created_at);
                    ALTER TABLE change_plans ADD COLUMN issue INTEGER;
                    UPDATE change_plans SET issue = json_extract(CAST(plan AS TEXT), '$.issue');
                    CREATE INDEX change_plans_issue ON change_plans(repository, issue);

                    CREATE TABLE dashboard_sessions (
                        token_hash TEXT PRIMARY KEY NOT NULL,
                        expires_at REAL NOT NULL,
                        session BLOB NOT NULL
                    );
                    CREATE INDEX dashboard_sessions_expiry ON dashboard_sessions(expires_at);
                    """
            )
        }
        migrator.registerMigration("v7: model calls") { db in
            try db.execute(
                sql: """
                    CREATE TABLE model_calls (
                        position INTEGER PRIMARY KEY AUTOINCREMENT,
                        at REAL NOT NULL,
                        repository TEXT NOT NULL,
                        issue INTEGER NOT NULL,
                        usd REAL NOT NULL,
                        call BLOB NOT NULL
                    );
                    CREATE INDEX model_calls_task ON model_calls(repository, issue);
                    CREATE INDEX model_calls_at ON model_calls(at);
                    -- Running totals by task, UTC day and UTC month, kept with each call: the budget reads three rows, not the month's calls.
                    CREATE TABLE model_spend (scope TEXT PRIMARY KEY NOT NULL, usd REAL NOT NULL);
                    """
            )
        }
        return migrator
    }
}
