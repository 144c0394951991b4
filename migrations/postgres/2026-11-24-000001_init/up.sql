-- The instance this database serves. One row at most: `singleton` is
-- unique and always true, so two processes starting at once cannot both
-- create an instance.
CREATE TABLE instances (
    id          TEXT PRIMARY KEY,
    singleton   BOOLEAN NOT NULL DEFAULT TRUE UNIQUE CHECK (singleton),
    environment TEXT NOT NULL CHECK (environment IN ('development', 'production')),
    created_at  BIGINT NOT NULL
);

-- Token signing keys. Published in JWKS from creation, used for signing
-- from `activates_at`, withdrawn at `retires_at`.
CREATE TABLE signing_keys (
    kid          TEXT PRIMARY KEY,
    algorithm    TEXT NOT NULL,
    private_key  TEXT NOT NULL,
    sealing      TEXT NOT NULL,
    public_jwk   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    activates_at BIGINT NOT NULL,
    retires_at   BIGINT
);

-- Backend API secret keys: only a SHA-256 hash is stored.
CREATE TABLE secret_keys (
    id         TEXT PRIMARY KEY,
    hash       TEXT NOT NULL UNIQUE,
    hint       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE clients (
    id                     TEXT PRIMARY KEY,
    rotating_token         TEXT NOT NULL,
    last_active_session_id TEXT,
    cookie_expires_at      BIGINT NOT NULL,
    created_at             BIGINT NOT NULL,
    updated_at             BIGINT NOT NULL
);

CREATE TABLE sessions (
    id                          TEXT PRIMARY KEY,
    client_id                   TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    user_id                     TEXT NOT NULL,
    status                      TEXT NOT NULL CHECK (status IN
        ('pending', 'active', 'ended', 'removed', 'revoked', 'expired', 'abandoned', 'replaced')),
    actor_sub                   TEXT,
    actor_iss                   TEXT,
    actor_sid                   TEXT,
    last_active_organization_id TEXT,
    -- Outstanding session tasks, comma-separated keys ('' when none).
    tasks                       TEXT NOT NULL DEFAULT '',
    last_active_at              BIGINT NOT NULL,
    expire_at                   BIGINT NOT NULL,
    abandon_at                  BIGINT NOT NULL,
    created_at                  BIGINT NOT NULL,
    updated_at                  BIGINT NOT NULL
);

-- Lists are newest first: by client, by user, by status (BAPI filters).
CREATE INDEX sessions_client_newest ON sessions (client_id, created_at DESC, id DESC);
CREATE INDEX sessions_user_newest ON sessions (user_id, created_at DESC, id DESC);
CREATE INDEX sessions_status_newest ON sessions (status, created_at DESC, id DESC);
-- Expiry sweeps look only at live sessions.
CREATE INDEX sessions_live_by_expiry ON sessions (expire_at) WHERE status IN ('active', 'pending');
