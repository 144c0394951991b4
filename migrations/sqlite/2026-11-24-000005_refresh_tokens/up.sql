-- Instance-wide secrets (sealed like signing keys), e.g. the key that
-- derives a refresh token's successor.
CREATE TABLE instance_secrets (
    name       TEXT PRIMARY KEY,
    algorithm  TEXT NOT NULL,
    sealed     TEXT NOT NULL,
    sealing    TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Refresh tokens (`__refresh_<suffix>`): only hashes. A token rotates into
-- exactly one successor; reusing a rotated token after the grace window
-- revokes the session.
CREATE TABLE refresh_tokens (
    token_hash     TEXT PRIMARY KEY,
    session_id     TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    status         TEXT NOT NULL CHECK (status IN ('active', 'rotated', 'revoked')),
    successor_hash TEXT,
    rotated_at     BIGINT,
    expires_at     BIGINT NOT NULL,
    created_at     BIGINT NOT NULL
);

CREATE INDEX refresh_tokens_by_session ON refresh_tokens (session_id);
