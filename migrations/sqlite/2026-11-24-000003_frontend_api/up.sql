-- Development browsers: the development-instance stand-in for the
-- `__client` cookie. The id is the bearer value (`__clerk_db_jwt`).
CREATE TABLE dev_browsers (
    id         TEXT PRIMARY KEY,
    client_id  TEXT REFERENCES clients (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Sign-in tokens ("tickets"): single use, expiring. Only a SHA-256 hash of
-- the ticket is stored.
CREATE TABLE sign_in_tokens (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    status     TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'revoked')),
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Clean-up of expired, unused tickets.
CREATE INDEX sign_in_tokens_pending_by_expiry ON sign_in_tokens (expires_at) WHERE status = 'pending';
