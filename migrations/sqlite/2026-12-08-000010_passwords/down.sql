ALTER TABLE users DROP COLUMN password_updated_at;
ALTER TABLE users DROP COLUMN password_digest;
