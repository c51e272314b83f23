ALTER TABLE accounts ADD COLUMN quantity bigint;
