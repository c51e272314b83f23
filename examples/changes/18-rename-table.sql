ALTER TABLE order_items RENAME TO order_lines;
