-- liquibase formatted sql

--changeset team:1
CREATE TABLE invoices (id bigint PRIMARY KEY, amount numeric, note text);
--rollback DROP TABLE invoices;

--changeset team:2
BEGIN;
ALTER TABLE invoices ADD COLUMN paid boolean;
COMMIT;
--rollback ALTER TABLE invoices DROP COLUMN paid;

--changeset team:3 runInTransaction:false
CREATE INDEX CONCURRENTLY invoices_paid_idx ON invoices (paid);

--changeset team:4
-- bellows:ignore set-not-null
ALTER TABLE invoices ALTER COLUMN amount SET NOT NULL;
ALTER TABLE invoices ALTER COLUMN note SET NOT NULL;
