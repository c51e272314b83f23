-- Every user gets a display name; old code that leaves it out keeps working.
-- bellows:fill split_part(email, '@', 1)
ALTER TABLE users ALTER COLUMN display_name SET NOT NULL;
