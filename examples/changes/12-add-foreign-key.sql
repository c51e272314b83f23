-- A new column and its foreign key; bellows adds the index the FK needs.
ALTER TABLE users ADD COLUMN referred_by bigint;
ALTER TABLE users ADD CONSTRAINT users_referred_by_fkey FOREIGN KEY (referred_by) REFERENCES users (id);
