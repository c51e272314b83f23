-- An index on the partitioned tickets table: ON ONLY the parent, CONCURRENTLY per
-- partition, then attached.
CREATE INDEX tickets_assignee_idx ON tickets (assignee_id);
