-- Rectification counters maintained on write (docs/design/rectification.md, "The dashboard:
-- counters maintained on write"). Every state change of a ledger item adjusts, in the same
-- transaction, its own organisation's row (per round and category) and one roll-up row per
-- strict ancestor (round 0). Uncategorised items count under category 0. WITHOUT ROWID: a node's
-- rows lie together in key order, so a roll-up reads one contiguous range.
CREATE TABLE rect_counters (
    node_id      BIGINT NOT NULL,
    own          SMALLINT NOT NULL,
    round_id     BIGINT NOT NULL,
    category_id  BIGINT NOT NULL,
    total        BIGINT NOT NULL DEFAULT 0,
    completed    BIGINT NOT NULL DEFAULT 0,
    long_term    BIGINT NOT NULL DEFAULT 0,
    extended     BIGINT NOT NULL DEFAULT 0,
    extensions   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (node_id, own, round_id, category_id)
) WITHOUT ROWID;
CREATE INDEX rect_counters_round_idx ON rect_counters(round_id, node_id);

-- The per-day histogram behind every figure that depends on today: items whose deadline is
-- `day` (and those of them closed on time), open items next due on `day`. Summing the days
-- before today answers due, on time, overdue and ageing; moving the clock rewrites nothing.
CREATE TABLE rect_day_counts (
    node_id      BIGINT NOT NULL,
    own          SMALLINT NOT NULL,
    round_id     BIGINT NOT NULL,
    category_id  BIGINT NOT NULL,
    day          TEXT NOT NULL,
    deadlines    BIGINT NOT NULL DEFAULT 0,
    on_time      BIGINT NOT NULL DEFAULT 0,
    open_due     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (node_id, own, round_id, category_id, day)
) WITHOUT ROWID;
CREATE INDEX rect_day_counts_round_idx ON rect_day_counts(round_id, node_id);
