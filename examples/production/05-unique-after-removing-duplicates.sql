-- Attachment names become unique per message; the latest upload of each name stays.
-- What old code keeps running until contract (the test harness runs each after every step):
-- old code: INSERT INTO attachments (id, message_id, file_name, byte_size) VALUES (90005, 1, 'another.png', 10)
-- bellows:fix-duplicates keep highest id
ALTER TABLE attachments ADD CONSTRAINT attachments_message_file_key UNIQUE (message_id, file_name);
