-- 指导督导 (Guidance): a higher office's guidance visits to the offices below it, and the
-- problems found in those offices' own work with their rectification to write-off. Kept apart
-- from the rectification ledger (findings) and its counters.

CREATE TABLE guidance_visits (
    id             INTEGER PRIMARY KEY,
    -- The visiting (issuing) office.
    org_id         BIGINT NOT NULL REFERENCES organisations(id),
    title          TEXT NOT NULL,
    form           TEXT NOT NULL,
    period_from    TEXT NOT NULL,
    period_to      TEXT NOT NULL,
    state          TEXT NOT NULL,
    fed_back_on    TEXT,
    created_by     BIGINT,
    version        BIGINT NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX guidance_visits_org_idx ON guidance_visits(org_id, id);

CREATE TABLE guidance_visit_members (
    visit_id  BIGINT NOT NULL REFERENCES guidance_visits(id),
    user_id   BIGINT NOT NULL REFERENCES users(id),
    PRIMARY KEY (visit_id, user_id)
);
CREATE INDEX guidance_visit_members_user_idx ON guidance_visit_members(user_id, visit_id);

CREATE TABLE guidance_visit_orgs (
    visit_id  BIGINT NOT NULL REFERENCES guidance_visits(id),
    org_id    BIGINT NOT NULL REFERENCES organisations(id),
    PRIMARY KEY (visit_id, org_id)
);

CREATE TABLE guidance_problems (
    id             INTEGER PRIMARY KEY,
    visit_id       BIGINT NOT NULL REFERENCES guidance_visits(id),
    -- The lower office concerned, and its path (the data scope of the lower office).
    org_id         BIGINT NOT NULL REFERENCES organisations(id),
    org_path       TEXT NOT NULL,
    category       TEXT NOT NULL,
    text           TEXT NOT NULL,
    state          TEXT NOT NULL,
    measure        TEXT,
    progress       TEXT,
    deadline       TEXT,
    opinion        TEXT,
    closed_on      TEXT,
    created_by     BIGINT,
    version        BIGINT NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX guidance_problems_visit_idx ON guidance_problems(visit_id, id);
CREATE INDEX guidance_problems_lower_idx ON guidance_problems(org_path, state, id);
CREATE INDEX guidance_problems_state_idx ON guidance_problems(state, visit_id);
