-- One statement alone: golang-migrate sends it outside any transaction.
CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);
