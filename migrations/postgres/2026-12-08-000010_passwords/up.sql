-- A user's password, as its digest (an Argon2id PHC string, or an argon2i
-- or bcrypt digest imported through the Backend API until the first
-- sign-in rehashes it), and when it was set: both or neither. Nullable
-- columns without a default are added without rewriting the table; the
-- check is NOT VALID (every existing row has neither, so it holds) so
-- the upgrade does not scan the users under an exclusive lock, and it is
-- enforced on every write from now on.
ALTER TABLE users
    ADD COLUMN password_digest TEXT,
    ADD COLUMN password_updated_at BIGINT;
ALTER TABLE users
    ADD CONSTRAINT users_password_with_its_time
    CHECK ((password_digest IS NULL) = (password_updated_at IS NULL)) NOT VALID;
