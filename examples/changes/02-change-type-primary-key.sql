-- Widen products.id (serial, referenced by order_items) from integer to bigint.
ALTER TABLE products ALTER COLUMN id TYPE bigint;
