ALTER TABLE orders DROP CONSTRAINT orders_total_positive;
DROP INDEX orders_total_idx;
