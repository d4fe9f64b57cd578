-- 码上巡察 triage: 转办 to the responsible unit with a deadline and a reply the team reviews,
-- duplicates merged into an earlier report, and reports that arrive after the round ended
-- (the office's standing queue: only the office's clue leads see them, the team has left).

ALTER TABLE public_reports ADD COLUMN duplicate_of BIGINT REFERENCES public_reports(id);
ALTER TABLE public_reports ADD COLUMN standing BOOLEAN NOT NULL DEFAULT 0;
-- When the team first decided (accepted, declined, transferred, merged or converted it).
ALTER TABLE public_reports ADD COLUMN decided_at TEXT;

CREATE TABLE public_report_transfers (
    id               INTEGER PRIMARY KEY,
    report_id        BIGINT NOT NULL REFERENCES public_reports(id),
    -- The responsible unit or department that must reply.
    org_id           BIGINT NOT NULL REFERENCES organisations(id),
    -- The team's 转办 instruction: what the unit is asked to look into (SM4-GCM; the team writes
    -- it, so the reporter's identity is never in it unless the team puts it there).
    instruction_enc  BLOB NOT NULL,
    deadline         TEXT NOT NULL,
    -- PENDING | REPLIED | DONE
    state            TEXT NOT NULL,
    reply_enc        BLOB,
    replied_by       BIGINT,
    replied_at       TEXT,
    -- The team's comment when it returned the reply.
    review_comment   TEXT,
    reviewed_by      BIGINT,
    reviewed_at      TEXT,
    created_by       BIGINT,
    created_at       TEXT NOT NULL,
    version          BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX public_report_transfers_report_idx ON public_report_transfers(report_id);
CREATE INDEX public_report_transfers_org_idx ON public_report_transfers(org_id, state);
