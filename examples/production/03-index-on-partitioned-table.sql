-- An index on the partitioned tickets table: ON ONLY the parent, CONCURRENTLY per
-- partition, then attached.
-- What old code keeps running until contract (the test harness runs each after every step):
-- old code: INSERT INTO tickets (organization_id, requester_id, assignee_id, subject, created_at) VALUES (1, 1, 2, 'old code', '2026-01-15')
CREATE INDEX tickets_assignee_idx ON tickets (assignee_id);
