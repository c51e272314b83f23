-- Names that say what they enforce. A plain index is renamed in expand (no query names it);
-- constraints wait for a gate, since code may name them (ON CONFLICT ON CONSTRAINT).
ALTER INDEX orders_user_id_idx RENAME TO orders_by_user_idx;
ALTER TABLE products RENAME CONSTRAINT products_price_check TO products_price_not_negative;
ALTER TABLE users RENAME CONSTRAINT users_email_key TO users_email_unique;
