-- Foundation: organisation tree, accounts, roles, sessions, API tokens, audit trail.
-- Kept in parity with ../postgres/0001_foundation.sql (a test compares the two schemas).
-- Instants are stored as UTC text (RFC 3339, sqlx's encoding), booleans as 0/1.

CREATE TABLE organisations (
    id              INTEGER PRIMARY KEY,
    -- Distribution key: the id of the tree's root (the province). Large tables carry it too.
    province_id     BIGINT,
    parent_id       BIGINT REFERENCES organisations(id),
    code            TEXT NOT NULL,
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL,
    party_org_kind  TEXT,
    -- Materialised path '/1/5/23/': a subtree is one range scan on path.
    path            TEXT NOT NULL,
    depth           INTEGER NOT NULL,
    active          BOOLEAN NOT NULL DEFAULT 1,
    version         BIGINT NOT NULL DEFAULT 1,
    created_by      BIGINT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE UNIQUE INDEX organisations_code_key ON organisations(code);
CREATE UNIQUE INDEX organisations_path_key ON organisations(path);
CREATE INDEX organisations_parent_idx ON organisations(parent_id, name);

CREATE TABLE users (
    id                    INTEGER PRIMARY KEY,
    username              TEXT NOT NULL,
    display_name          TEXT NOT NULL,
    org_id                BIGINT NOT NULL REFERENCES organisations(id),
    password_hash         TEXT NOT NULL,
    must_change_password  BOOLEAN NOT NULL DEFAULT 0,
    failed_attempts       INTEGER NOT NULL DEFAULT 0,
    locked_until          TEXT,
    locked_by_admin       BOOLEAN NOT NULL DEFAULT 0,
    -- SM4-GCM ciphertext of the TOTP secret (nonce || ciphertext).
    totp_secret_enc       BLOB,
    totp_enabled          BOOLEAN NOT NULL DEFAULT 0,
    totp_last_step        BIGINT,
    last_login_at         TEXT,
    version               BIGINT NOT NULL DEFAULT 1,
    created_by            BIGINT,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL
);
CREATE UNIQUE INDEX users_username_key ON users(username);
CREATE INDEX users_org_idx ON users(org_id);

CREATE TABLE roles (
    id            INTEGER PRIMARY KEY,
    code          TEXT NOT NULL,
    name          TEXT NOT NULL,
    -- JSON arrays of codes.
    permissions   TEXT NOT NULL,
    data_scope    TEXT NOT NULL,
    compartments  TEXT NOT NULL,
    builtin       BOOLEAN NOT NULL DEFAULT 0,
    admin_class   TEXT,
    version       BIGINT NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX roles_code_key ON roles(code);

CREATE TABLE role_custom_orgs (
    role_id  BIGINT NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    org_id   BIGINT NOT NULL REFERENCES organisations(id),
    PRIMARY KEY (role_id, org_id)
);

CREATE TABLE user_roles (
    user_id  BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role_id  BIGINT NOT NULL REFERENCES roles(id),
    PRIMARY KEY (user_id, role_id)
);
CREATE INDEX user_roles_role_idx ON user_roles(role_id);

CREATE TABLE sessions (
    -- SM3 of the session token; the token itself is never stored.
    token_hash    TEXT PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    ip            TEXT NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions(user_id);

CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL,
    permissions   TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    last_used_at  TEXT,
    revoked_at    TEXT
);
CREATE UNIQUE INDEX api_tokens_hash_key ON api_tokens(token_hash);
CREATE INDEX api_tokens_user_idx ON api_tokens(user_id);

CREATE TABLE security_policy (
    id                  INTEGER PRIMARY KEY CHECK (id = 1),
    min_password_length INTEGER NOT NULL,
    min_password_classes INTEGER NOT NULL,
    max_login_failures  INTEGER NOT NULL,
    lock_minutes        INTEGER NOT NULL,
    session_minutes     INTEGER NOT NULL,
    version             BIGINT NOT NULL DEFAULT 1
);
INSERT INTO security_policy VALUES (1, 8, 3, 5, 15, 480, 1);

-- Append-only, hash-chained audit trail: operations, logins and reads of compartmented data.
CREATE TABLE audit_log (
    seq          BIGINT PRIMARY KEY,
    at           TEXT NOT NULL,
    category     TEXT NOT NULL,
    actor_id     BIGINT,
    actor_name   TEXT NOT NULL,
    action       TEXT NOT NULL,
    target_type  TEXT NOT NULL,
    target_id    TEXT NOT NULL,
    summary      TEXT NOT NULL,
    ip           TEXT NOT NULL,
    success      BOOLEAN NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);
CREATE INDEX audit_log_category_at_idx ON audit_log(category, at);
CREATE INDEX audit_log_actor_idx ON audit_log(actor_name, at);

-- The chain head: the last sequence number and hash. Appends lock this row.
CREATE TABLE audit_head (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    seq   BIGINT NOT NULL,
    hash  TEXT NOT NULL
);
INSERT INTO audit_head VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
