-- 码上巡察: the public channel of a round unit, reports from the public, the two-way messages
-- and attachments. Nothing about the reporter's address or browser is stored. Report text,
-- the reporter's name and phone, messages and attachments are SM4-GCM ciphertext (the caller
-- encrypts, as for clues); the receipt code and its secret are stored only as SM3 digests.

CREATE TABLE public_channels (
    id             INTEGER PRIMARY KEY,
    round_unit_id  BIGINT NOT NULL REFERENCES round_units(id),
    -- The random token of the channel's URL (/r/{token}); public by design (printed on posters).
    token          TEXT NOT NULL,
    created_by     BIGINT,
    created_at     TEXT NOT NULL
);
CREATE UNIQUE INDEX public_channels_unit_key ON public_channels(round_unit_id);
CREATE UNIQUE INDEX public_channels_token_key ON public_channels(token);

CREATE TABLE public_reports (
    id                  INTEGER PRIMARY KEY,
    province_id         BIGINT,
    channel_id          BIGINT NOT NULL REFERENCES public_channels(id),
    round_unit_id       BIGINT NOT NULL REFERENCES round_units(id),
    category            TEXT NOT NULL,
    subject_enc         BLOB NOT NULL,
    facts_enc           BLOB NOT NULL,
    happened_enc        BLOB NOT NULL,
    named               BOOLEAN NOT NULL DEFAULT 0,
    reporter_name_enc   BLOB,
    reporter_phone_enc  BLOB,
    receipt_hash        TEXT NOT NULL,
    secret_hash         TEXT NOT NULL,
    state               TEXT NOT NULL,
    -- The team's reason for declining, shown to the reporter.
    reason              TEXT,
    clue_id             BIGINT REFERENCES clues(id),
    version             BIGINT NOT NULL DEFAULT 1,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE UNIQUE INDEX public_reports_receipt_key ON public_reports(receipt_hash);
CREATE INDEX public_reports_unit_idx ON public_reports(round_unit_id, state);

CREATE TABLE public_report_messages (
    id          INTEGER PRIMARY KEY,
    report_id   BIGINT NOT NULL REFERENCES public_reports(id),
    -- team | reporter
    author      TEXT NOT NULL,
    body_enc    BLOB NOT NULL,
    created_by  BIGINT,
    created_at  TEXT NOT NULL
);
CREATE INDEX public_report_messages_report_idx ON public_report_messages(report_id);

CREATE TABLE public_report_files (
    id          INTEGER PRIMARY KEY,
    report_id   BIGINT NOT NULL REFERENCES public_reports(id),
    name        TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    size        BIGINT NOT NULL,
    bytes_enc   BLOB NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX public_report_files_report_idx ON public_report_files(report_id);
