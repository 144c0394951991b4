//! Refresh tokens and the instance secrets that seal them: the
//! `RefreshTokenStore` port.

use diesel::prelude::*;
use hallpass_adapter_store::blocking::run;
use hallpass_adapter_store::errors::{TxError, unexpected};
use hallpass_adapter_store::rows::RefreshTokenRow;
use hallpass_adapter_store::schema::{instance_secrets, refresh_tokens};
use hallpass_domain::{SessionId, SigningAlgorithm, UnixMillis};
use hallpass_ports::{
    InsertError, RefreshTokenRecord, RefreshTokenStore, RotateRefreshError, SealedCustomKey,
    StoreError,
};

use super::insert_row;
use crate::backend::{Conn, Store, write_tx};

impl RefreshTokenStore for Store {
    async fn find_instance_secret(
        &self,
        name: &str,
    ) -> Result<Option<SealedCustomKey>, StoreError> {
        let name = name.to_owned();
        run(&self.pool, move |conn: &mut Conn| {
            let row: Option<(String, String, String)> = instance_secrets::table
                .find(&name)
                .select((
                    instance_secrets::algorithm,
                    instance_secrets::sealed,
                    instance_secrets::sealing,
                ))
                .first(conn)
                .optional()
                .map_err(|e| unexpected(e, "finding an instance secret"))?;
            row.map(|(algorithm, sealed, sealing)| {
                Ok(SealedCustomKey {
                    algorithm: SigningAlgorithm::parse(&algorithm).map_err(|_| {
                        StoreError(anyhow::anyhow!("corrupt instance secret algorithm"))
                    })?,
                    sealed,
                    sealing,
                })
            })
            .transpose()
        })
        .await
    }

    async fn insert_instance_secret(
        &self,
        name: &str,
        secret: &SealedCustomKey,
        now: UnixMillis,
    ) -> Result<(), InsertError> {
        let (name, algorithm, sealed, sealing, now) = (
            name.to_owned(),
            secret.algorithm.as_str().to_owned(),
            secret.sealed.clone(),
            secret.sealing.clone(),
            now.as_millis(),
        );
        run(&self.pool, move |conn: &mut Conn| {
            insert_row(
                conn,
                diesel::insert_into(instance_secrets::table).values((
                    instance_secrets::name.eq(&name),
                    instance_secrets::algorithm.eq(&algorithm),
                    instance_secrets::sealed.eq(&sealed),
                    instance_secrets::sealing.eq(&sealing),
                    instance_secrets::created_at.eq(now),
                )),
                "inserting an instance secret",
            )
        })
        .await
    }

    async fn insert_refresh_token(&self, token: &RefreshTokenRecord) -> Result<(), InsertError> {
        let row = RefreshTokenRow::from_record(token);
        run(&self.pool, move |conn: &mut Conn| {
            insert_row(
                conn,
                diesel::insert_into(refresh_tokens::table).values(&row),
                "inserting a refresh token",
            )
        })
        .await
    }

    async fn find_refresh_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<RefreshTokenRecord>, StoreError> {
        let hash = token_hash.to_owned();
        run(&self.pool, move |conn: &mut Conn| {
            let row = refresh_tokens::table
                .find(&hash)
                .select(RefreshTokenRow::as_select())
                .first(conn)
                .optional()
                .map_err(|e| unexpected(e, "finding a refresh token"))?;
            Ok(row.map(RefreshTokenRow::into_record).transpose()?)
        })
        .await
    }

    async fn rotate_refresh_token(
        &self,
        token_hash: &str,
        successor: &RefreshTokenRecord,
        now: UnixMillis,
    ) -> Result<(), RotateRefreshError> {
        let (hash, now) = (token_hash.to_owned(), now.as_millis());
        let row = RefreshTokenRow::from_record(successor);
        run(&self.pool, move |conn: &mut Conn| {
            let result = write_tx(conn, |conn| {
                let n = diesel::update(
                    refresh_tokens::table
                        .filter(refresh_tokens::token_hash.eq(&hash))
                        .filter(refresh_tokens::status.eq("active")),
                )
                .set((
                    refresh_tokens::status.eq("rotated"),
                    refresh_tokens::successor_hash.eq(Some(&row.token_hash)),
                    refresh_tokens::rotated_at.eq(Some(now)),
                ))
                .execute(conn)?;
                if n == 0 {
                    return Err(TxError::Abort(RotateRefreshError::Changed));
                }
                diesel::insert_into(refresh_tokens::table)
                    .values(&row)
                    .execute(conn)?;
                Ok(())
            });
            result.map_err(|e| match e {
                TxError::Abort(e) => e,
                TxError::Db(e) => {
                    RotateRefreshError::Unexpected(unexpected(e, "rotating a refresh token"))
                }
            })
        })
        .await
    }

    async fn revoke_refresh_tokens(&self, session_id: &SessionId) -> Result<(), StoreError> {
        let id = session_id.to_string();
        run(&self.pool, move |conn: &mut Conn| {
            diesel::update(refresh_tokens::table.filter(refresh_tokens::session_id.eq(&id)))
                .set(refresh_tokens::status.eq("revoked"))
                .execute(conn)
                .map(|_| ())
                .map_err(|e| StoreError(unexpected(e, "revoking refresh tokens")))
        })
        .await
    }
}
