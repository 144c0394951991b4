DROP INDEX refresh_tokens_by_expiry;
DROP INDEX sign_in_tokens_by_expiry;
DROP TABLE sweeps;
