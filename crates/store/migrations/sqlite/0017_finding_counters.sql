-- Findings (every state, drafts included) counted per office running the round, round, category
-- (0: uncategorised) and state, with their 立行立改 requirements issued and done: the inspection
-- statistics read these instead of scanning findings. Maintained on write with the rectification
-- counters (crates/store/src/counters.rs); `xuncha rebuild-counters` recomputes them.
CREATE TABLE finding_counters (
    owner_org_id    BIGINT NOT NULL,
    round_id        BIGINT NOT NULL,
    category_id     BIGINT NOT NULL,
    state           TEXT NOT NULL,
    findings        BIGINT NOT NULL DEFAULT 0,
    immediate       BIGINT NOT NULL DEFAULT 0,
    immediate_done  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (owner_org_id, round_id, category_id, state)
) WITHOUT ROWID;
