-- Rectification assessment (整改评估), satisfaction surveys (满意度测评), the 回头看 list and
-- disclosure (整改公开): domain.md §6.5, §6.6. The rubric and grade bands live in `settings`
-- (`assessment.indicators`, `assessment.grades`); an assessment keeps a snapshot of both.

-- One assessment per round unit. Points are integer tenths (87.5 points = 875).
CREATE TABLE assessments (
    id                 INTEGER PRIMARY KEY,
    province_id        BIGINT,
    round_unit_id      BIGINT NOT NULL REFERENCES round_units(id),
    state              TEXT NOT NULL,
    indicators         TEXT NOT NULL,
    grades             TEXT NOT NULL,
    assessed_on        TEXT NOT NULL,
    conclusion         TEXT NOT NULL,
    score              BIGINT,
    grade_code         TEXT,
    grade_name         TEXT,
    satisfaction_bp    BIGINT,
    finalised_at       TEXT,
    finalised_by_name  TEXT,
    version            BIGINT NOT NULL DEFAULT 1,
    created_by         BIGINT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE UNIQUE INDEX assessments_unit_key ON assessments(round_unit_id);
CREATE INDEX assessments_state_idx ON assessments(state, id);

CREATE TABLE assessment_deductions (
    id             INTEGER PRIMARY KEY,
    assessment_id  BIGINT NOT NULL REFERENCES assessments(id),
    indicator      TEXT NOT NULL,
    points         BIGINT NOT NULL,
    reason         TEXT NOT NULL,
    sort           INTEGER NOT NULL
);
CREATE INDEX assessment_deductions_assessment_idx ON assessment_deductions(assessment_id, sort);

-- What finalising set in motion (重新整改, 约谈, 回头看, 与分管领导谈话).
CREATE TABLE assessment_consequences (
    id             INTEGER PRIMARY KEY,
    assessment_id  BIGINT NOT NULL REFERENCES assessments(id),
    round_unit_id  BIGINT NOT NULL REFERENCES round_units(id),
    kind           TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE INDEX assessment_consequences_assessment_idx ON assessment_consequences(assessment_id);

-- The 回头看 list: units to re-inspect because their rectification was graded low.
CREATE TABLE revisit_list (
    id             INTEGER PRIMARY KEY,
    province_id    BIGINT,
    round_unit_id  BIGINT NOT NULL REFERENCES round_units(id),
    org_id         BIGINT NOT NULL REFERENCES organisations(id),
    assessment_id  BIGINT REFERENCES assessments(id),
    reason         TEXT NOT NULL,
    state          TEXT NOT NULL,
    added_at       TEXT NOT NULL
);
CREATE UNIQUE INDEX revisit_list_unit_key ON revisit_list(round_unit_id);
CREATE INDEX revisit_list_org_idx ON revisit_list(org_id);

-- 满意度测评: one survey per assessment, one anonymous link per rater group. Links are random
-- 128-bit tokens stored only as SM3 digests. Responses carry no identity, no address and only
-- the day they came in.
CREATE TABLE surveys (
    id             INTEGER PRIMARY KEY,
    assessment_id  BIGINT NOT NULL REFERENCES assessments(id),
    questions      TEXT NOT NULL,
    state          TEXT NOT NULL,
    max_per_group  INTEGER NOT NULL,
    created_at     TEXT NOT NULL,
    closed_at      TEXT
);
CREATE UNIQUE INDEX surveys_assessment_key ON surveys(assessment_id);

CREATE TABLE survey_groups (
    id          INTEGER PRIMARY KEY,
    survey_id   BIGINT NOT NULL REFERENCES surveys(id),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    token_hash  TEXT NOT NULL,
    sort        INTEGER NOT NULL
);
CREATE UNIQUE INDEX survey_groups_token_key ON survey_groups(token_hash);
CREATE UNIQUE INDEX survey_groups_survey_code_key ON survey_groups(survey_id, code);

CREATE TABLE survey_responses (
    id            INTEGER PRIMARY KEY,
    survey_id     BIGINT NOT NULL REFERENCES surveys(id),
    group_id      BIGINT NOT NULL REFERENCES survey_groups(id),
    answers       TEXT NOT NULL,
    comment       TEXT NOT NULL,
    submitted_on  TEXT NOT NULL
);
CREATE INDEX survey_responses_group_idx ON survey_responses(group_id);

-- 整改公开: one disclosure per round unit. The figures are frozen when it is submitted, so the
-- approver approves exactly what is published.
CREATE TABLE disclosures (
    id               INTEGER PRIMARY KEY,
    province_id      BIGINT,
    round_unit_id    BIGINT NOT NULL REFERENCES round_units(id),
    state            TEXT NOT NULL,
    title            TEXT NOT NULL,
    internal_text    TEXT NOT NULL,
    public_text      TEXT NOT NULL,
    counts           TEXT,
    public_counts    TEXT,
    public_items     TEXT,
    drafted_by       BIGINT,
    drafted_by_name  TEXT NOT NULL,
    submitted_at     TEXT,
    decided_by       BIGINT,
    decided_by_name  TEXT,
    decided_at       TEXT,
    opinion          TEXT,
    version          BIGINT NOT NULL DEFAULT 1,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE UNIQUE INDEX disclosures_unit_key ON disclosures(round_unit_id);
CREATE INDEX disclosures_public_idx ON disclosures(state, decided_at);

-- Findings kept out of the public release, with the reason (domain.md §6.6).
CREATE TABLE disclosure_exemptions (
    id             INTEGER PRIMARY KEY,
    disclosure_id  BIGINT NOT NULL REFERENCES disclosures(id),
    finding_id     BIGINT NOT NULL REFERENCES findings(id),
    reason         TEXT NOT NULL,
    note           TEXT NOT NULL
);
CREATE UNIQUE INDEX disclosure_exemptions_key ON disclosure_exemptions(disclosure_id, finding_id);
