-- Talk records are compartmented: their summaries are stored encrypted (SM4-GCM by the api),
-- like the clue fields. `summary` stays for methods without a compartment.
ALTER TABLE activities ADD COLUMN summary_enc BYTEA;

-- The public counts (without exempted items) the public text was generated from: a submission
-- whose counts no longer match is refused until the text is regenerated.
ALTER TABLE disclosures ADD COLUMN public_basis TEXT;
