-- Escalation letters: each rung has its own addressee (主送; the 问责建议函 goes to the 纪委监委 at
-- the office's level, not the unit), and a letter can be withdrawn with a reason. A withdrawn
-- letter keeps its number and its .docx; it no longer counts as issued for the ladder.
ALTER TABLE letters ADD COLUMN addressee_org_id BIGINT REFERENCES organisations(id);
ALTER TABLE letters ADD COLUMN addressee_name TEXT NOT NULL DEFAULT '';
ALTER TABLE letters ADD COLUMN state TEXT NOT NULL DEFAULT 'issued';
ALTER TABLE letters ADD COLUMN withdrawn_at TEXT;
ALTER TABLE letters ADD COLUMN withdrawn_by BIGINT;
ALTER TABLE letters ADD COLUMN withdrawn_by_name TEXT;
ALTER TABLE letters ADD COLUMN withdraw_reason TEXT;
ALTER TABLE letters ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
-- Letters issued before: addressed to the unit.
UPDATE letters SET
    addressee_org_id = (SELECT ru.org_id FROM round_units ru WHERE ru.id = letters.round_unit_id),
    addressee_name = (SELECT o.name FROM round_units ru JOIN organisations o ON o.id = ru.org_id WHERE ru.id = letters.round_unit_id);
