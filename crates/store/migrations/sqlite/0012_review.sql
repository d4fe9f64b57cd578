-- 纪委监委 supervise their party committee's whole jurisdiction (issue 8: the discipline
-- commission could not see the plans it reviews): the built-in role's data scope becomes the
-- level (the parent organisation's subtree) unless an administrator already changed it.
UPDATE roles SET data_scope = 'level' WHERE code = 'discipline' AND builtin = TRUE AND data_scope = 'org_and_below';

-- Every measure's deadline is watched (issue 8): a measure is done on its own (done_on), and an
-- item's warning follows its next due date — the earliest deadline of its open measures, or the
-- item's deadline when none is open — not only the latest one.
ALTER TABLE measures ADD COLUMN done_on TEXT;
ALTER TABLE findings ADD COLUMN due_date TEXT;
UPDATE findings SET due_date = COALESCE(
    (SELECT MIN(m.deadline) FROM measures m WHERE m.finding_id = findings.id AND m.state = 'OPEN'),
    deadline);
CREATE INDEX findings_due_idx ON findings(due_date, id);
