-- JWT templates. Claims are JSON text. A template with its own signing key
-- stores the key sealed like the instance's keys (`custom_key_sealing`).
CREATE TABLE jwt_templates (
    id                   TEXT PRIMARY KEY,
    name                 TEXT NOT NULL UNIQUE,
    claims               TEXT NOT NULL,
    lifetime             BIGINT NOT NULL,
    allowed_clock_skew   BIGINT NOT NULL,
    custom_key_algorithm TEXT,
    custom_key           TEXT,
    custom_key_sealing   TEXT,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL,
    CHECK ((custom_key_algorithm IS NULL) = (custom_key IS NULL)),
    CHECK ((custom_key IS NULL) = (custom_key_sealing IS NULL))
);

-- Lists are newest first.
CREATE INDEX jwt_templates_newest ON jwt_templates (created_at DESC, id DESC);
