ALTER TABLE items VALIDATE CONSTRAINT items_sku_not_null;
