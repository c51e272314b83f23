-- bellows:fill 'anonymous'
ALTER TABLE users ALTER COLUMN name SET NOT NULL;
