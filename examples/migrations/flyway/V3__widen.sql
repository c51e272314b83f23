-- varchar(100) to varchar(200) is binary-coercible: no rewrite.
ALTER TABLE accounts ALTER COLUMN email TYPE varchar(200);
ALTER TABLE accounts ALTER COLUMN quantity TYPE bigint;
