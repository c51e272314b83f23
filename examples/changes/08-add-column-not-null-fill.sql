-- NOT NULL without a default: existing rows get the fill value.
-- bellows:fill 'USD'
ALTER TABLE orders ADD COLUMN currency char(3) NOT NULL;
