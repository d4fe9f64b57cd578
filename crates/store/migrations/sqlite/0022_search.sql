-- Full-text search (issue 13). The index itself lives beside each node (tantivy, in the data
-- directory) and is rebuildable; the database keeps only what the nodes need to stay in step.
--
-- search_outbox: one row per change of an indexed record, written by trigger in the same
-- transaction as the change, so a crash loses no update. Ids only grow (AUTOINCREMENT: never
-- reused, even after pruning); each node applies the rows after its own cursor (kept in its
-- index) and never deletes them. Rows every node has applied are pruned (search_nodes).
CREATE TABLE search_outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL,
    record_id  BIGINT NOT NULL
);

-- The nodes' cursors, reported by each node's search worker; pruning keeps every row after the
-- lowest cursor of the nodes seen lately.
CREATE TABLE search_nodes (
    node             TEXT PRIMARY KEY,
    applied_through  BIGINT NOT NULL,
    seen_at          TEXT NOT NULL
);

-- The highest outbox id pruned: a node whose cursor is below it missed rows and rebuilds.
CREATE TABLE search_outbox_pruned (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    last_id  BIGINT NOT NULL
);
INSERT INTO search_outbox_pruned (id, last_id) VALUES (1, 0);

CREATE TRIGGER findings_search_insert AFTER INSERT ON findings
BEGIN INSERT INTO search_outbox (kind, record_id) VALUES ('finding', NEW.id); END;
CREATE TRIGGER findings_search_update AFTER UPDATE OF title, facts, basis, responsibility, team_opinion, state, org_id, org_path, round_unit_id, category_id ON findings
BEGIN INSERT INTO search_outbox (kind, record_id) VALUES ('finding', NEW.id); END;
CREATE TRIGGER findings_search_delete AFTER DELETE ON findings
BEGIN INSERT INTO search_outbox (kind, record_id) VALUES ('finding', OLD.id); END;

CREATE TRIGGER measures_search_insert AFTER INSERT ON measures
BEGIN INSERT INTO search_outbox (kind, record_id) VALUES ('measure', NEW.id); END;
CREATE TRIGGER measures_search_update AFTER UPDATE OF content, target, state, deadline, finding_id ON measures
BEGIN INSERT INTO search_outbox (kind, record_id) VALUES ('measure', NEW.id); END;
CREATE TRIGGER measures_search_delete AFTER DELETE ON measures
BEGIN INSERT INTO search_outbox (kind, record_id) VALUES ('measure', OLD.id); END;

CREATE TRIGGER organisations_search_insert AFTER INSERT ON organisations
BEGIN INSERT INTO search_outbox (kind, record_id) VALUES ('org', NEW.id); END;
CREATE TRIGGER organisations_search_update AFTER UPDATE OF name, code, path, parent_id, active ON organisations
BEGIN INSERT INTO search_outbox (kind, record_id) VALUES ('org', NEW.id); END;
CREATE TRIGGER organisations_search_delete AFTER DELETE ON organisations
BEGIN INSERT INTO search_outbox (kind, record_id) VALUES ('org', OLD.id); END;
