-- Rename users.email on a table too large to copy: new code uses the new name through a
-- view in schema helpdesk_v2 (search_path helpdesk_v2, public); the column is renamed in
-- place after the gate. Nothing is copied.
-- bellows:versioned-views helpdesk_v2
ALTER TABLE users RENAME COLUMN email TO email_address;
