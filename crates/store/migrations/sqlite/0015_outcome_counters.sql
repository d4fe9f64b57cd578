-- 成果运用 outcomes (rules made, money recovered, people held accountable) rolled up the same way:
-- the inspected organisation's own row per round, one roll-up row per strict ancestor (round 0).
CREATE TABLE rect_outcome_counters (
    node_id      BIGINT NOT NULL,
    own          SMALLINT NOT NULL,
    round_id     BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    records      BIGINT NOT NULL DEFAULT 0,
    count        BIGINT NOT NULL DEFAULT 0,
    amount_fen   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (node_id, own, round_id, kind)
) WITHOUT ROWID;
