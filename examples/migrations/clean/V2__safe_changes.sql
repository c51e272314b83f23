SET lock_timeout = '2s';
ALTER TABLE items ADD COLUMN color text;
ALTER TABLE items ADD COLUMN active boolean NOT NULL DEFAULT true;
ALTER TABLE items ALTER COLUMN note TYPE text;
ALTER TABLE items ALTER COLUMN price TYPE numeric(12,2);
ALTER TABLE items ADD CONSTRAINT items_price_positive CHECK (price > 0) NOT VALID;
