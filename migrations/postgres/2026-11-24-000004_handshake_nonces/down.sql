DROP TABLE handshake_nonces;
