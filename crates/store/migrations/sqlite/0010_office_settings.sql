-- Settings and the holiday calendar belong to an office (an organisation) and inherit downward:
-- an office's value for a key is its own row, else its nearest ancestor's, else the default in
-- code. Rows that existed before become the root organisation's (the province's). Rows that are
-- no office's setting (the scheduler's lease) are kept under organisation 0.
CREATE TABLE office_settings (
    org_id      BIGINT NOT NULL,
    key         TEXT NOT NULL,
    value       TEXT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (org_id, key)
);
INSERT INTO office_settings (org_id, key, value, version, updated_at)
SELECT CASE WHEN key = 'scheduler.lease' THEN 0
            ELSE COALESCE((SELECT id FROM organisations WHERE parent_id IS NULL ORDER BY id LIMIT 1), 0) END,
       key, value, version, updated_at
FROM settings;
DROP TABLE settings;
ALTER TABLE office_settings RENAME TO settings;

-- An office's calendar is the union along its chain, the nearest office's entry winning a day.
CREATE TABLE office_holidays (
    org_id  BIGINT NOT NULL,
    day     TEXT NOT NULL,
    kind    TEXT NOT NULL,
    name    TEXT NOT NULL,
    PRIMARY KEY (org_id, day)
);
INSERT INTO office_holidays (org_id, day, kind, name)
SELECT COALESCE((SELECT id FROM organisations WHERE parent_id IS NULL ORDER BY id LIMIT 1), 0), day, kind, name
FROM holidays;
DROP TABLE holidays;
ALTER TABLE office_holidays RENAME TO holidays;
