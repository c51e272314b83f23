-- messages.id is an integer running out; attachments reference it with a DEFERRABLE key.
-- What old code keeps running until contract (the test harness runs each after every step):
-- old code: INSERT INTO messages (ticket_id, ticket_created_at, body) SELECT id, created_at, 'old code' FROM tickets WHERE id = 1
-- old code: INSERT INTO attachments (id, message_id, file_name, byte_size) VALUES (90002, 5, 'old.png', 10)
ALTER TABLE messages ALTER COLUMN id TYPE bigint;
