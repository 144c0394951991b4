DROP TABLE sign_in_tokens;
DROP TABLE dev_browsers;
