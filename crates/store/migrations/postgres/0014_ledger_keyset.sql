-- The ledger page reads an index in ledger order (issue 10, point 3; docs/design/rectification.md,
-- "The ledger page"). Ledger order is items with a deadline by (deadline, id), then items without
-- one by id. The page query reads the two parts separately (`deadline IS NOT NULL` /
-- `deadline IS NULL`, each by (deadline, id)), so the same indexes serve it on SQLite (NULLs sort
-- first) and on PostgreSQL (NULLs sort last), with no column for write paths to maintain.
-- The state and the subtree path ride along, so filters on them are checked in the index and a
-- page touches only the rows it shows.
DROP INDEX findings_deadline_idx;
CREATE INDEX findings_ledger_order_idx ON findings(deadline, id, state, org_path);
-- A state filter is one range in deadline order; a warning colour (open items) reads the open
-- items in deadline order with their next due date. Both are partial, their state lists spelled
-- in sorted order (`LEDGER_INDEX_STATES` / `OPEN_INDEX_STATES` in store::rectification::ledger):
-- SQLite uses a partial index only for a query whose WHERE repeats its terms exactly, so only the
-- ledger page opts in, and the inspection lists filtered by state (or the other ledger queries)
-- are not drawn into a state-led index and a sort.
CREATE INDEX findings_ledger_state_idx ON findings(state, deadline, id, org_path)
    WHERE deadline IS NOT NULL AND state IN ('CLOSED', 'CLOSE_REQUESTED', 'FED_BACK', 'IN_PROGRESS', 'LONG_TERM', 'PLANNED', 'REOPENED');
CREATE INDEX findings_ledger_open_idx ON findings(deadline, id, state, org_path, due_date)
    WHERE deadline IS NOT NULL AND state IN ('CLOSE_REQUESTED', 'FED_BACK', 'IN_PROGRESS', 'PLANNED', 'REOPENED');
