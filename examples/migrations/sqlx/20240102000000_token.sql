ALTER TABLE events ADD COLUMN token uuid DEFAULT gen_random_uuid();
ALTER TABLE events ADD COLUMN kind text DEFAULT 'click';
