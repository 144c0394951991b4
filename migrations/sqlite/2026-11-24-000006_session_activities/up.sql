-- The latest device details seen for a session (Backend API
-- `latest_activity`), written on sign-in and touch, not on every request.
CREATE TABLE session_activities (
    session_id      TEXT PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
    is_mobile       BOOLEAN NOT NULL,
    device_type     TEXT,
    browser_name    TEXT,
    browser_version TEXT,
    ip_address      TEXT,
    city            TEXT,
    country         TEXT,
    updated_at      BIGINT NOT NULL
);
