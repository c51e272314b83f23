CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, total numeric);
CREATE TABLE customers (id bigint PRIMARY KEY);
