-- Rectification (issue 4): plans and their review, measures, progress with evidence, two-step
-- write-off, deadline extensions, outcomes, escalation letters, reports, the holiday calendar
-- and in-app notifications. Shaped for the province profile (docs/design/rectification.md).

-- The ledger lives on the findings themselves: a fed-back finding is a ledger item.
ALTER TABLE findings ADD COLUMN org_path TEXT;
ALTER TABLE findings ADD COLUMN deadline TEXT;
ALTER TABLE findings ADD COLUMN original_deadline TEXT;
ALTER TABLE findings ADD COLUMN closed_on TEXT;
ALTER TABLE findings ADD COLUMN outcome TEXT;
ALTER TABLE findings ADD COLUMN explanation TEXT;
ALTER TABLE findings ADD COLUMN extensions INTEGER NOT NULL DEFAULT 0;
UPDATE findings SET org_path = (SELECT o.path FROM organisations o WHERE o.id = findings.org_id);
-- A subtree of the ledger, by state, in deadline order; and the province-wide deadline order
-- (not led by state: an index on (state, …) would draw the inspection lists by state into sorting).
CREATE INDEX findings_ledger_idx ON findings(org_path, state, deadline, id);
CREATE INDEX findings_deadline_idx ON findings(deadline, id);

-- 整改方案: one row per revision; the items (measures per finding) are an immutable JSON
-- snapshot, so a resubmission is compared with the revision before it and nothing is rewritten.
CREATE TABLE rect_plans (
    id                INTEGER PRIMARY KEY,
    province_id       BIGINT,
    round_unit_id     BIGINT NOT NULL REFERENCES round_units(id),
    revision          INTEGER NOT NULL,
    state             TEXT NOT NULL,
    principal_leader  TEXT NOT NULL,
    signed_on         TEXT,
    summary           TEXT NOT NULL,
    items             TEXT NOT NULL,
    submitted_at      TEXT,
    decided_at        TEXT,
    version           BIGINT NOT NULL DEFAULT 1,
    created_by        BIGINT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE UNIQUE INDEX rect_plans_unit_revision_key ON rect_plans(round_unit_id, revision);

-- 会审: each reviewing body's decision on a revision, and per-item comments.
CREATE TABLE plan_reviews (
    id             INTEGER PRIMARY KEY,
    plan_id        BIGINT NOT NULL REFERENCES rect_plans(id),
    body           TEXT NOT NULL,
    decision       TEXT NOT NULL,
    opinion        TEXT NOT NULL,
    reviewer_id    BIGINT,
    reviewer_name  TEXT NOT NULL,
    at             TEXT NOT NULL
);
CREATE INDEX plan_reviews_plan_idx ON plan_reviews(plan_id, id);

CREATE TABLE plan_comments (
    id             INTEGER PRIMARY KEY,
    plan_id        BIGINT NOT NULL REFERENCES rect_plans(id),
    finding_id     BIGINT NOT NULL REFERENCES findings(id),
    body           TEXT NOT NULL,
    text           TEXT NOT NULL,
    reviewer_id    BIGINT,
    reviewer_name  TEXT NOT NULL,
    at             TEXT NOT NULL
);
CREATE INDEX plan_comments_plan_idx ON plan_comments(plan_id, id);

-- 整改措施 of an approved plan (12 million at the province profile).
CREATE TABLE measures (
    id                  INTEGER PRIMARY KEY,
    province_id         BIGINT,
    finding_id          BIGINT NOT NULL REFERENCES findings(id),
    plan_id             BIGINT REFERENCES rect_plans(id),
    kind                TEXT NOT NULL,
    content             TEXT NOT NULL,
    target              TEXT NOT NULL,
    responsible_leader  TEXT NOT NULL,
    lead_dept           TEXT NOT NULL,
    co_depts            TEXT NOT NULL,
    deadline            TEXT NOT NULL,
    original_deadline   TEXT NOT NULL,
    state               TEXT NOT NULL,
    version             BIGINT NOT NULL DEFAULT 1,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX measures_finding_idx ON measures(finding_id);

-- Progress reports: append-only (30 million at the province profile).
CREATE TABLE progress (
    id                INTEGER PRIMARY KEY,
    province_id       BIGINT,
    finding_id        BIGINT NOT NULL REFERENCES findings(id),
    effective_date    TEXT NOT NULL,
    content           TEXT NOT NULL,
    outcome           TEXT,
    reported_by       BIGINT,
    reported_by_name  TEXT NOT NULL,
    reported_at       TEXT NOT NULL
);
CREATE INDEX progress_finding_idx ON progress(finding_id, id);

-- Evidence and generated documents, content-addressed by their SM3 hash: identical bytes are
-- stored once, and a stored file never changes.
CREATE TABLE files (
    hash        TEXT PRIMARY KEY,
    size        BIGINT NOT NULL,
    media_type  TEXT NOT NULL,
    bytes       BLOB NOT NULL,
    created_at  TEXT NOT NULL
);

-- A named, versioned use of a file: by a progress report, a write-off request, a letter or a report.
CREATE TABLE file_links (
    id                INTEGER PRIMARY KEY,
    province_id       BIGINT,
    finding_id        BIGINT REFERENCES findings(id),
    owner_type        TEXT NOT NULL,
    owner_id          BIGINT NOT NULL,
    name              TEXT NOT NULL,
    hash              TEXT NOT NULL REFERENCES files(hash),
    version_no        INTEGER NOT NULL,
    effective_date    TEXT NOT NULL,
    uploaded_by       BIGINT,
    uploaded_by_name  TEXT NOT NULL,
    uploaded_at       TEXT NOT NULL
);
CREATE INDEX file_links_finding_idx ON file_links(finding_id, name, version_no);
CREATE INDEX file_links_owner_idx ON file_links(owner_type, owner_id);

-- 申请销号 → 核验: a returned request stays as it was; a new request is a new row.
CREATE TABLE write_offs (
    id                 INTEGER PRIMARY KEY,
    province_id        BIGINT,
    finding_id         BIGINT NOT NULL REFERENCES findings(id),
    state              TEXT NOT NULL,
    outcome            TEXT NOT NULL,
    explanation        TEXT NOT NULL,
    from_state         TEXT NOT NULL,
    requested_by       BIGINT,
    requested_by_name  TEXT NOT NULL,
    requested_at       TEXT NOT NULL,
    decided_by         BIGINT,
    decided_by_name    TEXT,
    decided_at         TEXT,
    reason             TEXT,
    version            BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX write_offs_finding_idx ON write_offs(finding_id, id);
CREATE INDEX write_offs_state_idx ON write_offs(state);

-- A deadline moves only through an approved extension; the measure keeps its original date.
CREATE TABLE deadline_extensions (
    id                 INTEGER PRIMARY KEY,
    province_id        BIGINT,
    finding_id         BIGINT NOT NULL REFERENCES findings(id),
    measure_id         BIGINT REFERENCES measures(id),
    old_deadline       TEXT NOT NULL,
    new_deadline       TEXT NOT NULL,
    reason             TEXT NOT NULL,
    state              TEXT NOT NULL,
    requested_by       BIGINT,
    requested_by_name  TEXT NOT NULL,
    requested_at       TEXT NOT NULL,
    decided_by         BIGINT,
    decided_by_name    TEXT,
    decided_at         TEXT,
    opinion            TEXT,
    version            BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX deadline_extensions_finding_idx ON deadline_extensions(finding_id);
CREATE INDEX deadline_extensions_state_idx ON deadline_extensions(state);

-- 成果: rules made, money returned, losses recovered (integer fen), people held accountable.
CREATE TABLE rect_outcomes (
    id           INTEGER PRIMARY KEY,
    province_id  BIGINT,
    finding_id   BIGINT NOT NULL REFERENCES findings(id),
    kind         TEXT NOT NULL,
    detail       TEXT NOT NULL,
    count        BIGINT NOT NULL,
    amount_fen   BIGINT NOT NULL,
    person       TEXT,
    treatment    TEXT,
    recorded_by  BIGINT,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX rect_outcomes_finding_idx ON rect_outcomes(finding_id);

-- The working-day calendar: public holidays and 调休 make-up working days.
CREATE TABLE holidays (
    day   TEXT PRIMARY KEY,
    kind  TEXT NOT NULL,
    name  TEXT NOT NULL
);

-- Escalation letters issued (提醒函 → 督办函 → 约谈 → 通报 → 问责), each with its .docx.
CREATE TABLE letters (
    id               INTEGER PRIMARY KEY,
    province_id      BIGINT,
    round_unit_id    BIGINT NOT NULL REFERENCES round_units(id),
    letter_type      TEXT NOT NULL,
    letter_name      TEXT NOT NULL,
    doc_year         INTEGER NOT NULL,
    doc_seq          INTEGER NOT NULL,
    doc_no           TEXT NOT NULL,
    finding_ids      TEXT NOT NULL,
    requirement      TEXT NOT NULL,
    new_deadline     TEXT,
    file_hash        TEXT NOT NULL REFERENCES files(hash),
    issued_by        BIGINT,
    issued_by_name   TEXT NOT NULL,
    issued_at        TEXT NOT NULL
);
CREATE INDEX letters_unit_idx ON letters(round_unit_id, id);
CREATE UNIQUE INDEX letters_doc_no_key ON letters(doc_year, doc_seq);

-- 整改情况报告, 专题民主生活会 records, long-term items' periodic reports; filed upward.
CREATE TABLE rect_reports (
    id                INTEGER PRIMARY KEY,
    province_id       BIGINT,
    round_unit_id     BIGINT NOT NULL REFERENCES round_units(id),
    kind              TEXT NOT NULL,
    title             TEXT NOT NULL,
    content           TEXT NOT NULL,
    principal_leader  TEXT NOT NULL,
    signed_on         TEXT NOT NULL,
    meeting_date      TEXT,
    participants      TEXT,
    filed_at          TEXT,
    filed_to_org_id   BIGINT REFERENCES organisations(id),
    created_by        BIGINT,
    created_by_name   TEXT NOT NULL,
    created_at        TEXT NOT NULL
);
CREATE INDEX rect_reports_unit_idx ON rect_reports(round_unit_id, id);

-- In-app notifications; the dedupe key makes the scheduler's sends idempotent.
CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users(id),
    kind        TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    link        TEXT,
    dedupe_key  TEXT,
    created_at  TEXT NOT NULL,
    read_at     TEXT,
    mailed_at   TEXT
);
CREATE INDEX notifications_user_idx ON notifications(user_id, id);
CREATE UNIQUE INDEX notifications_dedupe_key ON notifications(user_id, dedupe_key);

-- Where a user wants notifications e-mailed (set by the user; used when SMTP is configured).
CREATE TABLE notification_prefs (
    user_id     BIGINT PRIMARY KEY REFERENCES users(id),
    email       TEXT,
    updated_at  TEXT NOT NULL
);
