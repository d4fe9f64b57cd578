-- Inspection work: terms, rounds, round units and their events, people and teams,
-- fieldwork, supervision frames, findings and clues.
-- Kept in parity with the other backend's file of the same name.

CREATE TABLE terms (
    id              INTEGER PRIMARY KEY,
    owner_org_id    BIGINT NOT NULL REFERENCES organisations(id),
    name            TEXT NOT NULL,
    start_date      TEXT NOT NULL,
    end_date        TEXT NOT NULL,
    -- How many levels below the owner count for full coverage (1 = direct subordinates).
    coverage_depth  INTEGER NOT NULL DEFAULT 1,
    version         BIGINT NOT NULL DEFAULT 1,
    created_by      BIGINT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX terms_owner_idx ON terms(owner_org_id);

CREATE TABLE rounds (
    id            INTEGER PRIMARY KEY,
    term_id       BIGINT NOT NULL REFERENCES terms(id),
    -- The office running the round (the term's owner): its subtree sees the round's records.
    owner_org_id  BIGINT NOT NULL REFERENCES organisations(id),
    name          TEXT NOT NULL,
    -- JSON array of inspection kind codes (a set).
    kinds         TEXT NOT NULL,
    village_mode  TEXT,
    start_date    TEXT NOT NULL,
    end_date      TEXT NOT NULL,
    focus         TEXT NOT NULL,
    work_plan     TEXT NOT NULL,
    version       BIGINT NOT NULL DEFAULT 1,
    created_by    BIGINT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX rounds_term_idx ON rounds(term_id);

CREATE TABLE teams (
    id          INTEGER PRIMARY KEY,
    round_id    BIGINT NOT NULL REFERENCES rounds(id),
    name        TEXT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX teams_round_idx ON teams(round_id);

CREATE TABLE round_units (
    id                 INTEGER PRIMARY KEY,
    province_id        BIGINT,
    round_id           BIGINT NOT NULL REFERENCES rounds(id),
    owner_org_id       BIGINT NOT NULL REFERENCES organisations(id),
    -- The inspected organisation.
    org_id             BIGINT NOT NULL REFERENCES organisations(id),
    team_id            BIGINT REFERENCES teams(id),
    state              TEXT NOT NULL,
    stationed_on       TEXT,
    feedback_date      TEXT,
    rectification_due  TEXT,
    version            BIGINT NOT NULL DEFAULT 1,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE UNIQUE INDEX round_units_round_org_key ON round_units(round_id, org_id);
CREATE INDEX round_units_org_idx ON round_units(org_id, state);
CREATE INDEX round_units_team_idx ON round_units(team_id);
CREATE INDEX round_units_owner_idx ON round_units(owner_org_id);

-- Every state change of a round unit, finding or clue: the timeline of each item.
CREATE TABLE events (
    id           INTEGER PRIMARY KEY,
    entity_type  TEXT NOT NULL,
    entity_id    BIGINT NOT NULL,
    at           TEXT NOT NULL,
    actor_id     BIGINT,
    actor_name   TEXT NOT NULL,
    from_state   TEXT,
    to_state     TEXT NOT NULL,
    comment      TEXT NOT NULL
);
CREATE INDEX events_entity_idx ON events(entity_type, entity_id, id);

CREATE TABLE people (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    org_id       BIGINT NOT NULL REFERENCES organisations(id),
    user_id      BIGINT REFERENCES users(id),
    -- JSON arrays.
    specialties  TEXT NOT NULL,
    pools        TEXT NOT NULL,
    seconded     BOOLEAN NOT NULL DEFAULT 0,
    version      BIGINT NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX people_org_idx ON people(org_id);
CREATE INDEX people_user_idx ON people(user_id);

CREATE TABLE person_posts (
    id          INTEGER PRIMARY KEY,
    person_id   BIGINT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    org_id      BIGINT NOT NULL REFERENCES organisations(id),
    title       TEXT NOT NULL,
    start_date  TEXT NOT NULL,
    end_date    TEXT
);
CREATE INDEX person_posts_person_idx ON person_posts(person_id);

CREATE TABLE person_relations (
    id              INTEGER PRIMARY KEY,
    person_id       BIGINT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    related_name    TEXT NOT NULL,
    related_org_id  BIGINT REFERENCES organisations(id),
    note            TEXT NOT NULL
);
CREATE INDEX person_relations_person_idx ON person_relations(person_id);

CREATE TABLE trainings (
    id         INTEGER PRIMARY KEY,
    person_id  BIGINT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    held_on    TEXT NOT NULL,
    hours      INTEGER NOT NULL
);
CREATE INDEX trainings_person_idx ON trainings(person_id);

CREATE TABLE team_members (
    team_id          BIGINT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    person_id        BIGINT NOT NULL REFERENCES people(id),
    role             TEXT NOT NULL,
    override_by      BIGINT REFERENCES users(id),
    override_reason  TEXT,
    created_at       TEXT NOT NULL,
    PRIMARY KEY (team_id, person_id)
);
CREATE INDEX team_members_person_idx ON team_members(person_id);

-- The 12+N fieldwork methods (configurable).
CREATE TABLE fieldwork_methods (
    code         TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    compartment  TEXT,
    sort         INTEGER NOT NULL,
    active       BOOLEAN NOT NULL DEFAULT 1
);

CREATE TABLE activities (
    id               INTEGER PRIMARY KEY,
    province_id      BIGINT,
    round_unit_id    BIGINT NOT NULL REFERENCES round_units(id),
    method           TEXT NOT NULL REFERENCES fieldwork_methods(code),
    held_on          TEXT NOT NULL,
    persons          INTEGER NOT NULL,
    item_count       INTEGER NOT NULL,
    summary          TEXT NOT NULL,
    created_by       BIGINT,
    created_by_name  TEXT NOT NULL,
    created_at       TEXT NOT NULL
);
CREATE INDEX activities_unit_idx ON activities(round_unit_id, held_on);

-- Supervision frames (versioned) and their categories.
CREATE TABLE frames (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    version_no  INTEGER NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX frames_code_version_key ON frames(code, version_no);

CREATE TABLE categories (
    id         INTEGER PRIMARY KEY,
    frame_id   BIGINT NOT NULL REFERENCES frames(id),
    parent_id  BIGINT REFERENCES categories(id),
    code       TEXT NOT NULL,
    name       TEXT NOT NULL,
    sort       INTEGER NOT NULL
);
CREATE UNIQUE INDEX categories_frame_code_key ON categories(frame_id, code);

-- Findings (问题底稿 → problem list → rectification). 5 million at the province profile.
CREATE TABLE findings (
    id                     INTEGER PRIMARY KEY,
    province_id            BIGINT,
    round_unit_id          BIGINT NOT NULL REFERENCES round_units(id),
    org_id                 BIGINT NOT NULL REFERENCES organisations(id),
    category_id            BIGINT REFERENCES categories(id),
    title                  TEXT NOT NULL,
    facts                  TEXT NOT NULL,
    basis                  TEXT NOT NULL,
    responsibility         TEXT NOT NULL,
    evidence               TEXT NOT NULL,
    finder                 TEXT NOT NULL,
    team_opinion           TEXT NOT NULL,
    state                  TEXT NOT NULL,
    immediate_requirement  TEXT,
    immediate_deadline     TEXT,
    immediate_received_at  TEXT,
    immediate_done_at      TEXT,
    version                BIGINT NOT NULL DEFAULT 1,
    created_by             BIGINT,
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL
);
CREATE INDEX findings_unit_state_idx ON findings(round_unit_id, state);
CREATE INDEX findings_org_state_idx ON findings(org_id, state);
CREATE INDEX findings_category_idx ON findings(category_id);

CREATE TABLE finding_activities (
    finding_id   BIGINT NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
    activity_id  BIGINT NOT NULL REFERENCES activities(id),
    PRIMARY KEY (finding_id, activity_id)
);

-- Clues: compartmented; the fields about persons are SM4-GCM ciphertext.
CREATE TABLE clues (
    id                INTEGER PRIMARY KEY,
    province_id       BIGINT,
    round_unit_id     BIGINT NOT NULL REFERENCES round_units(id),
    org_id            BIGINT NOT NULL REFERENCES organisations(id),
    source            TEXT NOT NULL,
    summary           TEXT NOT NULL,
    subject_name_enc  BLOB NOT NULL,
    subject_post_enc  BLOB NOT NULL,
    informant_enc     BLOB NOT NULL,
    facts_enc         BLOB NOT NULL,
    state             TEXT NOT NULL,
    target_body       TEXT,
    receiving_org_id  BIGINT REFERENCES organisations(id),
    letter_no         TEXT,
    transferred_on    TEXT,
    received_at       TEXT,
    disposition       TEXT,
    result            TEXT,
    result_at         TEXT,
    finding_id        BIGINT REFERENCES findings(id),
    version           BIGINT NOT NULL DEFAULT 1,
    created_by        BIGINT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX clues_unit_idx ON clues(round_unit_id, state);
CREATE INDEX clues_receiving_idx ON clues(receiving_org_id, state);

INSERT INTO fieldwork_methods (code, name, compartment, sort, active) VALUES
    ('briefing', '听取汇报', NULL, 1, 1),
    ('talk', '个别谈话', 'talk', 2, 1),
    ('petition', '受理来信来电来访', NULL, 3, 1),
    ('personal_report_check', '抽查核实个人有关事项报告', NULL, 4, 1),
    ('inquiry', '向知情人询问', NULL, 5, 1),
    ('document_review', '调阅、复制资料', NULL, 6, 1),
    ('symposium', '召开座谈会', NULL, 7, 1),
    ('attend_meeting', '列席会议', NULL, 8, 1),
    ('rating_survey', '民主测评、问卷调查', NULL, 9, 1),
    ('field_visit', '下沉了解、走访', NULL, 10, 1),
    ('special_check', '专项检查', NULL, 11, 1),
    ('assistance', '提请有关单位协助', NULL, 12, 1),
    ('other', '其他经批准的方式', NULL, 13, 1);
