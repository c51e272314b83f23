ALTER TABLE products ADD COLUMN position serial;
