ALTER TABLE items VALIDATE CONSTRAINT items_price_positive;
ALTER TABLE items ADD CONSTRAINT items_sku_not_null CHECK (sku IS NOT NULL) NOT VALID;
