-- Messages of deleted users keep their text but lose the author.
-- bellows:fix-orphans null
ALTER TABLE messages ADD CONSTRAINT messages_author_fkey FOREIGN KEY (author_id) REFERENCES users (id);
