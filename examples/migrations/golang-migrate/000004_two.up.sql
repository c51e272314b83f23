CREATE INDEX CONCURRENTLY orders_total_idx ON orders (total);
ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0) NOT VALID;
