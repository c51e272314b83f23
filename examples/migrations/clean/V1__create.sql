CREATE TABLE items (id bigint PRIMARY KEY, sku text, price numeric(10,2), note varchar(20));
