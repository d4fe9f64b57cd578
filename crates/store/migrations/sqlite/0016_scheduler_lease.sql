-- Several nodes on one database (issue 10, point 7; docs/operations.md, "Several nodes").
-- Kept in parity with ../postgres/0016_scheduler_lease.sql.
--
-- A named lease: the node whose `holder` it is, until `expires_at` on the server's clock, runs
-- the periodic jobs. Taking and renewing are one upsert that succeeds only for the holder or
-- once the lease has expired (store::scheduler::take_lease), so two nodes never both hold it.
CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    -- When this holder took it (kept when it renews).
    taken_at    TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);

-- One row per run of a periodic job: the key (job, period) lets a period's job run once, on one
-- node, whoever holds the lease. `finished_at` stays empty for a run that did not finish.
CREATE TABLE scheduler_runs (
    job           TEXT NOT NULL,
    period_start  TEXT NOT NULL,
    holder        TEXT NOT NULL,
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    items         BIGINT,
    PRIMARY KEY (job, period_start)
);

-- The lease used to be a settings row of organisation 0; it has its own table now.
DELETE FROM settings WHERE org_id = 0 AND key = 'scheduler.lease';
