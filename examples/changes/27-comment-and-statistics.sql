-- Document the orders table, give the planner a finer picture of a skewed column and of
-- an expression index, and keep big event payloads out of line, uncompressed.
COMMENT ON TABLE orders IS 'One row per checkout.';
COMMENT ON COLUMN orders.status IS 'pending, paid or shipped';
COMMENT ON INDEX orders_user_id_idx IS 'Finds the orders of one user.';
ALTER TABLE orders ALTER COLUMN status SET STATISTICS 1000;
ALTER INDEX users_lower_email_idx ALTER COLUMN 1 SET STATISTICS 500;
ALTER TABLE events ALTER COLUMN payload SET STORAGE EXTERNAL;
