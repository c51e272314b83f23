-- Empty message bodies are repaired before the CHECK validates.
-- bellows:fix-rows body = '(no text)'
ALTER TABLE messages ADD CONSTRAINT messages_body_check CHECK (body <> '');
