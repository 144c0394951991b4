-- Handshake payloads too large for a cookie, stored under a single-use
-- nonce that the app's backend fetches once from the Backend API. Only a
-- hash of the nonce is stored.
CREATE TABLE handshake_nonces (
    nonce_hash TEXT PRIMARY KEY,
    payload    TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE INDEX handshake_nonces_by_expiry ON handshake_nonces (expires_at);
