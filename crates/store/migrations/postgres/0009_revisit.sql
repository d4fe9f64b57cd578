-- 回头看 list entries are acted on: the office schedules an entry into a round (the revisit
-- round) and marks it done. `version` guards both changes.
ALTER TABLE revisit_list ADD COLUMN revisit_round_id BIGINT REFERENCES rounds(id);
ALTER TABLE revisit_list ADD COLUMN scheduled_at TIMESTAMPTZ;
ALTER TABLE revisit_list ADD COLUMN scheduled_by_name TEXT;
ALTER TABLE revisit_list ADD COLUMN done_at TIMESTAMPTZ;
ALTER TABLE revisit_list ADD COLUMN done_by_name TEXT;
ALTER TABLE revisit_list ADD COLUMN note TEXT NOT NULL DEFAULT '';
ALTER TABLE revisit_list ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
CREATE INDEX revisit_list_round_idx ON revisit_list(revisit_round_id);
