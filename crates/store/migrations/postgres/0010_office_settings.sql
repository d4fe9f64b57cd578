-- Settings and the holiday calendar belong to an office (an organisation) and inherit downward:
-- an office's value for a key is its own row, else its nearest ancestor's, else the default in
-- code. Rows that existed before become the root organisation's (the province's). Rows that are
-- no office's setting (the scheduler's lease) are kept under organisation 0.
ALTER TABLE settings ADD COLUMN org_id BIGINT NOT NULL DEFAULT 0;
UPDATE settings
   SET org_id = COALESCE((SELECT id FROM organisations WHERE parent_id IS NULL ORDER BY id LIMIT 1), 0)
 WHERE key <> 'scheduler.lease';
ALTER TABLE settings ALTER COLUMN org_id DROP DEFAULT;
ALTER TABLE settings DROP CONSTRAINT settings_pkey;
ALTER TABLE settings ADD PRIMARY KEY (org_id, key);

-- An office's calendar is the union along its chain, the nearest office's entry winning a day.
ALTER TABLE holidays ADD COLUMN org_id BIGINT NOT NULL DEFAULT 0;
UPDATE holidays
   SET org_id = COALESCE((SELECT id FROM organisations WHERE parent_id IS NULL ORDER BY id LIMIT 1), 0);
ALTER TABLE holidays ALTER COLUMN org_id DROP DEFAULT;
ALTER TABLE holidays DROP CONSTRAINT holidays_pkey;
ALTER TABLE holidays ADD PRIMARY KEY (org_id, day);
