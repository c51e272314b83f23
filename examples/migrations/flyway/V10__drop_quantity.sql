ALTER TABLE accounts DROP COLUMN quantity;
