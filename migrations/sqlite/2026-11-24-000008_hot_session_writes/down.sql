ALTER TABLE sweeps DROP COLUMN swept_through;
DROP INDEX sessions_by_expiry;
DROP INDEX sessions_newest;
CREATE INDEX sessions_live_by_expiry ON sessions (expire_at) WHERE status IN ('active', 'pending');
CREATE INDEX sessions_status_newest ON sessions (status, created_at DESC, id DESC);
