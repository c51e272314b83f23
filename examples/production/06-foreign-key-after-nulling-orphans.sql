-- Messages of deleted users keep their text but lose the author.
-- What old code keeps running until contract (the test harness runs each after every step):
-- old code: INSERT INTO messages (ticket_id, ticket_created_at, author_id, body) SELECT id, created_at, 4, 'old code' FROM tickets WHERE id = 2
-- bellows:fix-orphans null
ALTER TABLE messages ADD CONSTRAINT messages_author_fkey FOREIGN KEY (author_id) REFERENCES users (id);
