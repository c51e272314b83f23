-- Statements bellows does not model, run verbatim with their own rollback: vacuum the busy
-- orders table sooner, and teach the planner that status and created_at go together.
-- bellows:raw
-- bellows:raw-down ALTER TABLE orders RESET (autovacuum_vacuum_scale_factor)
ALTER TABLE orders SET (autovacuum_vacuum_scale_factor = 0.01);

-- bellows:raw
-- bellows:raw-down DROP STATISTICS orders_status_created_at
CREATE STATISTICS orders_status_created_at ON status, created_at FROM orders;
