-- 上下联动: tasks a higher inspection office issues to lower offices (one row per recipient,
-- each with its own state), and focus points (重点) pushed down, adopted by the lower offices'
-- rounds and followed up by their findings.

CREATE TABLE linkage_tasks (
    id             INTEGER PRIMARY KEY,
    -- The issuing office: its subtree sees the task and every recipient's progress.
    issuer_org_id  BIGINT NOT NULL REFERENCES organisations(id),
    title          TEXT NOT NULL,
    content        TEXT NOT NULL,
    focus          TEXT,
    term_id        BIGINT REFERENCES terms(id),
    deadline       TEXT NOT NULL,
    created_by     BIGINT,
    created_at     TEXT NOT NULL
);
CREATE INDEX linkage_tasks_issuer_idx ON linkage_tasks(issuer_org_id, id);

CREATE TABLE linkage_recipients (
    id             INTEGER PRIMARY KEY,
    task_id        BIGINT NOT NULL REFERENCES linkage_tasks(id),
    -- The recipient office: it sees its own row only.
    org_id         BIGINT NOT NULL REFERENCES organisations(id),
    -- ISSUED, ACCEPTED, REPORTED, DONE
    state          TEXT NOT NULL,
    report         TEXT,
    -- The issuer's reason of the last return.
    return_reason  TEXT,
    accepted_at    TEXT,
    reported_at    TEXT,
    done_at        TEXT,
    version        BIGINT NOT NULL DEFAULT 1,
    updated_at     TEXT NOT NULL
);
CREATE UNIQUE INDEX linkage_recipients_task_org_key ON linkage_recipients(task_id, org_id);
CREATE INDEX linkage_recipients_org_idx ON linkage_recipients(org_id, state);

-- The recipient's own rounds its report back links.
CREATE TABLE linkage_recipient_rounds (
    recipient_id  BIGINT NOT NULL REFERENCES linkage_recipients(id),
    round_id      BIGINT NOT NULL REFERENCES rounds(id),
    PRIMARY KEY (recipient_id, round_id)
);

CREATE TABLE focus_points (
    id                 INTEGER PRIMARY KEY,
    issuer_org_id      BIGINT NOT NULL REFERENCES organisations(id),
    title              TEXT NOT NULL,
    content            TEXT NOT NULL,
    category_id        BIGINT REFERENCES categories(id),
    -- The issuer's own finding it was copied from.
    source_finding_id  BIGINT REFERENCES findings(id),
    created_by         BIGINT,
    created_at         TEXT NOT NULL
);
CREATE INDEX focus_points_issuer_idx ON focus_points(issuer_org_id, id);

-- The lower offices a focus point is pushed to.
CREATE TABLE focus_point_targets (
    focus_point_id  BIGINT NOT NULL REFERENCES focus_points(id),
    org_id          BIGINT NOT NULL REFERENCES organisations(id),
    PRIMARY KEY (focus_point_id, org_id)
);
CREATE INDEX focus_point_targets_org_idx ON focus_point_targets(org_id, focus_point_id);

-- A lower office's round adopting a focus point.
CREATE TABLE round_focus_points (
    round_id        BIGINT NOT NULL REFERENCES rounds(id),
    focus_point_id  BIGINT NOT NULL REFERENCES focus_points(id),
    adopted_by      BIGINT,
    adopted_at      TEXT NOT NULL,
    PRIMARY KEY (round_id, focus_point_id)
);
CREATE INDEX round_focus_points_focus_idx ON round_focus_points(focus_point_id, round_id);

-- A finding following up a focus point its round adopted.
CREATE TABLE finding_focus_points (
    finding_id      BIGINT NOT NULL PRIMARY KEY REFERENCES findings(id),
    focus_point_id  BIGINT NOT NULL REFERENCES focus_points(id),
    round_id        BIGINT NOT NULL REFERENCES rounds(id)
);
CREATE INDEX finding_focus_points_focus_idx ON finding_focus_points(focus_point_id, round_id);
