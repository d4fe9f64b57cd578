-- Accounts (issue 8, point 4): lockout backoff, one-time passwords, approved resets.
-- How many lockouts in a row the account has had since its last successful login; each one
-- doubles the next delay (capped).
ALTER TABLE users ADD COLUMN lockouts INTEGER NOT NULL DEFAULT 0;
-- When the current password is a one-time password issued by a reset: it stops working at
-- this instant, and a session opened with it can only set a new password.
ALTER TABLE users ADD COLUMN password_expires_at TEXT;

-- A reset of an administrator account (三员) waits for the security administrator's approval.
CREATE TABLE password_resets (
    id            INTEGER PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES users(id),
    requested_by  BIGINT NOT NULL REFERENCES users(id),
    requested_at  TEXT NOT NULL,
    -- pending, approved, rejected
    state         TEXT NOT NULL,
    decided_by    BIGINT REFERENCES users(id),
    decided_at    TEXT
);
CREATE INDEX password_resets_state_idx ON password_resets(state, id);
