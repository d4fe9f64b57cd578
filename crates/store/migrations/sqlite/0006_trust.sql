-- Talk records are compartmented: their summaries are stored encrypted (SM4-GCM by the api),
-- like the clue fields. `summary` stays for methods without a compartment.
ALTER TABLE activities ADD COLUMN summary_enc BLOB;
