-- A lookup key computed from the address, for old rows and for rows old code writes.
-- bellows:up lower(email)
ALTER TABLE users ADD COLUMN email_key text;
