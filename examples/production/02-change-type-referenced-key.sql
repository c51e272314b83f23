-- messages.id is an integer running out; attachments reference it with a DEFERRABLE key.
ALTER TABLE messages ALTER COLUMN id TYPE bigint;
