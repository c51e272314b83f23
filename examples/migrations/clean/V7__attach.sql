ALTER TABLE items ADD CONSTRAINT items_sku_key UNIQUE USING INDEX items_sku_key;
