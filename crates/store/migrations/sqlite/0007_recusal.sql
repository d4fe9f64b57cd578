-- Recusal exceptions (回避例外) are requested and decided in two sessions: the office asks, with a
-- reason and the conflicts found; a user holding `recusal:approve` in scope, never the requester,
-- approves or rejects. `join_team` requests add the member on approval; the others waive the
-- conflicts of an existing member for the units named (a unit being assigned to the team).
CREATE TABLE recusal_requests (
    id                INTEGER PRIMARY KEY,
    team_id           BIGINT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    person_id         BIGINT NOT NULL REFERENCES people(id),
    role              TEXT NOT NULL,
    join_team         BOOLEAN NOT NULL,
    -- JSON array of the round unit ids whose conflicts the request waives.
    unit_ids          TEXT NOT NULL,
    -- JSON array of {unit_id, rule, reason}: the conflicts found when the request was made.
    conflicts         TEXT NOT NULL,
    reason            TEXT NOT NULL,
    state             TEXT NOT NULL,
    requested_by      BIGINT NOT NULL REFERENCES users(id),
    requested_at      TEXT NOT NULL,
    decided_by        BIGINT REFERENCES users(id),
    decided_at        TEXT,
    decision_comment  TEXT,
    version           BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX recusal_requests_team_idx ON recusal_requests(team_id, person_id);
CREATE INDEX recusal_requests_state_idx ON recusal_requests(state, id);
