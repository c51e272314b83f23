-- A foreign key from the partitioned tickets table: NOT VALID and VALIDATE per partition.
-- What old code keeps running until contract (the test harness runs each after every step):
-- old code: INSERT INTO tickets (organization_id, requester_id, assignee_id, subject, created_at) VALUES (1, 1, 2, 'old code', '2026-02-15')
-- old code: UPDATE tickets SET assignee_id = 3 WHERE id = 1
ALTER TABLE tickets ADD CONSTRAINT tickets_assignee_fkey FOREIGN KEY (assignee_id) REFERENCES users (id);
