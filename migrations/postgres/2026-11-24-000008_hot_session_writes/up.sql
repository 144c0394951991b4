-- Session status changes (revoke, sign-out, end, remove, replace, expiry)
-- as HOT updates: no index names `status`, in its columns or in a
-- predicate, so a status change rewrites the row on its own page and
-- touches no index. The `sessions` pages keep 15% free for those new row
-- versions (applies to pages written from now on).
DROP INDEX sessions_status_newest;
DROP INDEX sessions_live_by_expiry;
-- Unscoped lists (deprecated by Clerk), newest first, with or without a
-- status filter.
CREATE INDEX sessions_newest ON sessions (created_at DESC, id DESC);
-- The sweep finds live sessions by deadline, from shortly before the last
-- sweep's deadline on (`sweeps.swept_through`), not through every session
-- that ever expired.
CREATE INDEX sessions_by_expiry ON sessions (expire_at);
ALTER TABLE sessions SET (fillfactor = 85);

-- Every live session whose `expire_at` is at or before this instant was
-- stored expired (or abandoned) by a committed sweep; 0: none yet.
ALTER TABLE sweeps ADD COLUMN swept_through BIGINT NOT NULL DEFAULT 0;
