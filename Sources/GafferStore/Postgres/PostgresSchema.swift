import Foundation
import Logging
import PostgresNIO

/// The PostgreSQL store's shape, one migration per change, applied in order and recorded in
/// `gaffer_migrations`. Each migration is a list of statements (PostgreSQL runs one per query)
/// applied in the same transaction as its record: a migration is in whole or not at all.
///
/// The tables hold what SQLite's do (`Schema`), so `gaffer migrate --from sqlite` copies row for row.
enum PostgresSchema {
    /// The advisory lock every migrating process takes first ("gaffer" in ASCII).
    static let lockKey: Int64 = 0x6761_6666_6572

    static let migrations: [(name: String, statements: [String])] = [
        (
            "v1: deliveries, jobs, job events, audit log, control",
            [
                """
                CREATE TABLE deliveries (
                    id text PRIMARY KEY,
                    event text NOT NULL,
                    action text,
                    received_at double precision NOT NULL,
                    body bytea NOT NULL
                )
                """,
                "CREATE INDEX deliveries_received_at ON deliveries (received_at)",
                """
                CREATE TABLE jobs (
                    id bigserial PRIMARY KEY,
                    type text NOT NULL,
                    payload bytea NOT NULL,
                    state text NOT NULL,
                    attempts bigint NOT NULL DEFAULT 0,
                    max_attempts bigint NOT NULL,
                    run_after double precision NOT NULL,
                    lease_owner text,
                    lease_expires_at double precision,
                    created_at double precision NOT NULL,
                    started_at double precision,
                    finished_at double precision,
                    updated_at double precision NOT NULL,
                    result bytea,
                    error text,
                    delivery_id text REFERENCES deliveries (id)
                )
                """,
                "CREATE INDEX jobs_claimable ON jobs (run_after, id) WHERE state = 'queued'",
                "CREATE INDEX jobs_leased ON jobs (lease_expires_at) WHERE state = 'running'",
                "CREATE INDEX jobs_owner ON jobs (lease_owner) WHERE state = 'running'",
                "CREATE INDEX jobs_state ON jobs (state, id)",
                "CREATE INDEX jobs_finished ON jobs (finished_at) WHERE state IN ('succeeded', 'failed', 'cancelled')",
                "CREATE INDEX jobs_delivery ON jobs (delivery_id)",
                """
                CREATE TABLE job_events (
                    id bigserial PRIMARY KEY,
                    job_id bigint NOT NULL REFERENCES jobs (id),
                    at double precision NOT NULL,
                    from_state text,
                    to_state text NOT NULL,
                    reason text NOT NULL,
                    worker text
                )
                """,
                "CREATE INDEX job_events_job ON job_events (job_id, id)",
                """
                CREATE TABLE audit_log (
                    id bigserial PRIMARY KEY,
                    at double precision NOT NULL,
                    actor text NOT NULL,
                    action text NOT NULL,
                    subject text NOT NULL,
                    detail text
                )
                """,
                "CREATE INDEX audit_log_subject ON audit_log (subject, id)",
                "CREATE TABLE control (key text PRIMARY KEY, value bytea NOT NULL)",
            ]
        ),
        (
            "v2: plans, steps, change plans, decisions, locks, registry, deployments, learnings, sessions",
            [
                """
                CREATE TABLE plans (
                    id text PRIMARY KEY,
                    seq bigserial NOT NULL,
                    issue bigint,
                    repository text,
                    state text NOT NULL,
                    created_at double precision NOT NULL,
                    updated_at double precision NOT NULL,
                    plan bytea NOT NULL
                )
                """,
                "CREATE INDEX plans_issue ON plans (lower(repository), issue)",
                "CREATE INDEX plans_state ON plans (state, updated_at)",
                "CREATE INDEX plans_updated ON plans (updated_at)",
                """
                CREATE TABLE plan_steps (
                    plan_id text NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
                    position bigint NOT NULL,
                    id text NOT NULL,
                    agent text NOT NULL,
                    state text NOT NULL,
                    attempts bigint NOT NULL,
                    started_at double precision,
                    ended_at double precision,
                    step bytea NOT NULL,
                    PRIMARY KEY (plan_id, id)
                )
                """,
                "CREATE INDEX plan_steps_running ON plan_steps (state) WHERE state = 'running'",
                """
                CREATE TABLE agent_messages (
                    plan_id text NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
                    position bigint NOT NULL,
                    sender text NOT NULL,
                    recipient text,
                    intent text NOT NULL,
                    at double precision NOT NULL,
                    message bytea NOT NULL,
                    PRIMARY KEY (plan_id, position)
                )
                """,
                """
                CREATE TABLE capability_gaps (
                    plan_id text NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
                    position bigint NOT NULL,
                    agent text NOT NULL,
                    asked text NOT NULL,
                    lacking text NOT NULL,
                    PRIMARY KEY (plan_id, position)
                )
                """,
                """
                CREATE TABLE change_plans (
                    id text PRIMARY KEY,
                    -- The order of saving (SQLite's rowid): plans made in the same second keep it.
                    seq bigserial NOT NULL,
                    repository text NOT NULL,
                    pull_request bigint NOT NULL,
                    issue bigint,
                    state text NOT NULL,
                    created_at double precision NOT NULL,
                    plan bytea NOT NULL
                )
                """,
                "CREATE INDEX change_plans_pull ON change_plans (repository, pull_request, created_at)",
                "CREATE INDEX change_plans_state ON change_plans (state, created_at)",
                "CREATE INDEX change_plans_issue ON change_plans (repository, issue)",
                """
                CREATE TABLE decisions (
                    position bigserial PRIMARY KEY,
                    repository text NOT NULL,
                    pull_request bigint NOT NULL,
                    decision bytea NOT NULL
                )
                """,
                "CREATE INDEX decisions_pull ON decisions (repository, pull_request)",
                """
                CREATE TABLE stack_locks (
                    stack text PRIMARY KEY,
                    repository text NOT NULL,
                    pull_request bigint NOT NULL,
                    lock bytea NOT NULL
                )
                """,
                "CREATE INDEX stack_locks_pull ON stack_locks (repository, pull_request)",
                "CREATE TABLE registry (arn text PRIMARY KEY, stack text NOT NULL, resource bytea NOT NULL)",
                "CREATE INDEX registry_stack ON registry (stack)",
                """
                CREATE TABLE deployments (
                    position bigserial PRIMARY KEY,
                    repository text NOT NULL,
                    plan_id text NOT NULL,
                    stack text NOT NULL,
                    deployment bytea NOT NULL
                )
                """,
                "CREATE INDEX deployments_repository ON deployments (repository)",
                "CREATE UNIQUE INDEX deployments_plan_stack ON deployments (plan_id, stack)",
                """
                CREATE TABLE learnings (
                    position bigserial PRIMARY KEY,
                    plan_id text NOT NULL,
                    stack text NOT NULL,
                    repository text NOT NULL,
                    issue bigint NOT NULL,
                    resource_type text NOT NULL,
                    fixed boolean NOT NULL DEFAULT false,
                    learning bytea NOT NULL
                )
                """,
                "CREATE UNIQUE INDEX learnings_plan_stack ON learnings (plan_id, stack)",
                "CREATE INDEX learnings_task ON learnings (repository, issue, fixed)",
                "CREATE INDEX learnings_type ON learnings (resource_type)",
                """
                CREATE TABLE dashboard_sessions (
                    token_hash text PRIMARY KEY,
                    expires_at double precision NOT NULL,
                    session bytea NOT NULL
                )
                """,
                "CREATE INDEX dashboard_sessions_expiry ON dashboard_sessions (expires_at)",
            ]
        ),
        (
            "v3: model calls",
            [
                """
                CREATE TABLE model_calls (
                    position bigserial PRIMARY KEY,
                    at double precision NOT NULL,
                    repository text NOT NULL,
                    issue bigint NOT NULL,
                    usd double precision NOT NULL,
                    call bytea NOT NULL
                )
                """,
                "CREATE INDEX model_calls_task ON model_calls (repository, issue)",
                "CREATE INDEX model_calls_at ON model_calls (at)",
                "CREATE TABLE model_spend (scope text PRIMARY KEY, usd double precision NOT NULL)",
            ]
        ),
    ]

    /// Applies what is missing, inside the caller's transaction, under the advisory lock.
    static func migrate(_ connection: PostgresConnection, logger: Logger, at now: Date) async throws -> [String] {
        // Held until the transaction ends; a second process waits here, then finds the work done.
        _ = try await connection.rows("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
        _ = try await connection.rows(
            "CREATE TABLE IF NOT EXISTS gaffer_migrations (name text PRIMARY KEY, applied_at double precision NOT NULL)",
            logger: logger
        )
        let applied = Set(
            try await connection.rows("SELECT name FROM gaffer_migrations", logger: logger).map { try $0.decode(String.self, column: 0) }
        )
        var names: [String] = []
        for migration in migrations where !applied.contains(migration.name) {
            for statement in migration.statements {
                _ = try await connection.rows(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            _ = try await connection.rows(
                "INSERT INTO gaffer_migrations (name, applied_at) VALUES (\(migration.name), \(now.storeSeconds))",
                logger: logger
            )
            names.append(migration.name)
        }
        return names
    }
}
