-- Housekeeping sweeps. One row per kind of sweep: the time the last one
-- started (set by a compare-and-set, so processes sharing the database
-- run each sweep once per interval) and how many have run.
CREATE TABLE sweeps (
    name        TEXT PRIMARY KEY,
    last_run_at BIGINT NOT NULL,
    runs        BIGINT NOT NULL
);

INSERT INTO sweeps (name, last_run_at, runs) VALUES ('housekeeping', 0, 0);

-- What the sweep deletes, found by expiry.
CREATE INDEX sign_in_tokens_by_expiry ON sign_in_tokens (expires_at);
CREATE INDEX refresh_tokens_by_expiry ON refresh_tokens (expires_at);
