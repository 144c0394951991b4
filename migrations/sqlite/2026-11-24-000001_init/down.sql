DROP TABLE sessions;
DROP TABLE clients;
DROP TABLE secret_keys;
DROP TABLE signing_keys;
DROP TABLE instances;
