-- A user's password, as its digest (an Argon2id PHC string, or an argon2i
-- or bcrypt digest imported through the Backend API until the first
-- sign-in rehashes it), and when it was set: both or neither.
ALTER TABLE users ADD COLUMN password_digest TEXT;
ALTER TABLE users ADD COLUMN password_updated_at BIGINT
    CHECK ((password_digest IS NULL) = (password_updated_at IS NULL));
