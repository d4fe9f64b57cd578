-- A ledger page filtered by category read the ledger-order index and looked each entry's row up
-- to test its category: at the province profile (a category holds a few percent of five million
-- items) a page visited thousands of rows, 300 ms. The category index now carries ledger order
-- and the columns the other filters test, so such a page is one range of it, and the index still
-- serves every lookup by category alone (the frame checks, the inspection statistics).
DROP INDEX findings_category_idx;
CREATE INDEX findings_category_idx ON findings(category_id, deadline, id, state, org_path);
