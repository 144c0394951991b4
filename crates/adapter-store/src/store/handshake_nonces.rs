//! Handshake nonces, each read at most once: the `HandshakeNonceStore` port.

use diesel::prelude::*;
use hallpass_adapter_store::blocking::run;
use hallpass_adapter_store::errors::unexpected;
use hallpass_adapter_store::rows::{handshake_directives, handshake_payload};
use hallpass_adapter_store::schema::handshake_nonces;
use hallpass_domain::UnixMillis;
use hallpass_ports::{HandshakeNonceStore, InsertError, StoreError};

use super::insert_row;
use crate::backend::{Conn, Store};

impl HandshakeNonceStore for Store {
    async fn insert_handshake_nonce(
        &self,
        nonce_hash: &str,
        directives: &[String],
        expires_at: UnixMillis,
        now: UnixMillis,
    ) -> Result<(), InsertError> {
        let payload = handshake_payload(directives);
        let (hash, expires_at, now) = (
            nonce_hash.to_owned(),
            expires_at.as_millis(),
            now.as_millis(),
        );
        run(&self.pool, move |conn: &mut Conn| {
            insert_row(
                conn,
                diesel::insert_into(handshake_nonces::table).values((
                    handshake_nonces::nonce_hash.eq(&hash),
                    handshake_nonces::payload.eq(&payload),
                    handshake_nonces::expires_at.eq(expires_at),
                    handshake_nonces::created_at.eq(now),
                )),
                "inserting a handshake nonce",
            )
        })
        .await
    }

    async fn take_handshake_nonce(
        &self,
        nonce_hash: &str,
        now: UnixMillis,
    ) -> Result<Option<Vec<String>>, StoreError> {
        let (hash, now) = (nonce_hash.to_owned(), now.as_millis());
        run(&self.pool, move |conn: &mut Conn| {
            // DELETE … RETURNING: one reader wins, even when raced.
            let taken: Option<(String, i64)> = diesel::delete(handshake_nonces::table.find(&hash))
                .returning((handshake_nonces::payload, handshake_nonces::expires_at))
                .get_result(conn)
                .optional()
                .map_err(|e| unexpected(e, "taking a handshake nonce"))?;
            let Some((payload, _)) = taken.filter(|(_, expires_at)| *expires_at > now) else {
                return Ok(None);
            };
            let directives = handshake_directives(&payload).map_err(StoreError)?;
            Ok(Some(directives))
        })
        .await
    }
}
