CREATE UNIQUE INDEX CONCURRENTLY items_sku_key ON items (sku);
