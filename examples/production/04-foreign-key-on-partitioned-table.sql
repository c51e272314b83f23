-- A foreign key from the partitioned tickets table: NOT VALID and VALIDATE per partition.
ALTER TABLE tickets ADD CONSTRAINT tickets_assignee_fkey FOREIGN KEY (assignee_id) REFERENCES users (id);
