CREATE INDEX CONCURRENTLY accounts_email_lower_idx ON accounts (lower(email));
