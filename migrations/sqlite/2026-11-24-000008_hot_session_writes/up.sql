-- The same indexes as PostgreSQL's (where status changes become HOT
-- updates once no index names `status`); SQLite has no fillfactor.
DROP INDEX sessions_status_newest;
DROP INDEX sessions_live_by_expiry;
-- Unscoped lists (deprecated by Clerk), newest first, with or without a
-- status filter.
CREATE INDEX sessions_newest ON sessions (created_at DESC, id DESC);
-- The sweep finds live sessions by deadline, from shortly before the last
-- sweep's deadline on (`sweeps.swept_through`).
CREATE INDEX sessions_by_expiry ON sessions (expire_at);

-- Every live session whose `expire_at` is at or before this instant was
-- stored expired (or abandoned) by a committed sweep; 0: none yet.
ALTER TABLE sweeps ADD COLUMN swept_through BIGINT NOT NULL DEFAULT 0;
