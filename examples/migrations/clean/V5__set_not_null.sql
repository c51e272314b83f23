SET lock_timeout = '2s';
ALTER TABLE items ALTER COLUMN sku SET NOT NULL;
