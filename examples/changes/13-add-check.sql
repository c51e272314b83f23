ALTER TABLE orders ADD CONSTRAINT orders_status_known CHECK (status IN ('pending', 'paid', 'shipped'));
