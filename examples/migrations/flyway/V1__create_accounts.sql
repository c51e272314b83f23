CREATE TABLE accounts (
    id bigint PRIMARY KEY,
    email varchar(100),
    quantity integer
);
-- A new table is empty and unused: indexing it here is fine.
CREATE INDEX accounts_quantity_idx ON accounts (quantity);
