-- organizations.seats grows to bigint. The ticket_counts materialized view reads it: a twin is
-- built beside it with its unique index after the backfill and swapped in at the swap, keeping
-- its grant to helpdesk_readonly; REFRESH ... CONCURRENTLY keeps working after it.
-- What old code keeps running until contract (the test harness runs each after every step):
-- old code: UPDATE organizations SET seats = 7 WHERE id = 1
-- old code: SELECT seats, tickets FROM ticket_counts WHERE organization_id = 1
ALTER TABLE organizations ALTER COLUMN seats TYPE bigint;
