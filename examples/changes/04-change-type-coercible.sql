-- Relaxing a varchar limit needs no rewrite: one brief step.
ALTER TABLE products ALTER COLUMN sku TYPE varchar(64);
