-- Empty message bodies are repaired before the CHECK validates.
-- What old code keeps running until contract (the test harness runs each after every step):
-- old code: INSERT INTO messages (ticket_id, ticket_created_at, author_id, body) SELECT id, created_at, 4, 'old code' FROM tickets WHERE id = 3
-- bellows:fix-rows body = '(no text)'
ALTER TABLE messages ADD CONSTRAINT messages_body_check CHECK (body <> '');
