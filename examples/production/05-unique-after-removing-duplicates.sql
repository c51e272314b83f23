-- Attachment names become unique per message; the latest upload of each name stays.
-- bellows:fix-duplicates keep highest id
ALTER TABLE attachments ADD CONSTRAINT attachments_message_file_key UNIQUE (message_id, file_name);
