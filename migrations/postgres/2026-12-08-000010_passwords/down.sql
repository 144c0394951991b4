ALTER TABLE users DROP CONSTRAINT users_password_with_its_time;
ALTER TABLE users DROP COLUMN password_updated_at, DROP COLUMN password_digest;
