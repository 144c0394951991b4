DROP TABLE refresh_tokens;
DROP TABLE instance_secrets;
