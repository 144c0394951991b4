//! Sign-in tokens (tickets): the `SignInTokenStore` port.

use diesel::prelude::*;
use hallpass_adapter_store::blocking::run;
use hallpass_adapter_store::errors::unexpected;
use hallpass_adapter_store::rows::SignInTokenRow;
use hallpass_adapter_store::schema::sign_in_tokens;
use hallpass_domain::SignInTokenId;
use hallpass_domain::sign_in_token::{SignInToken, SignInTokenStatus};
use hallpass_ports::{InsertError, SignInTokenStore, StoreError, UpdateSignInTokenError};

use super::insert_row;
use crate::backend::{Conn, Store};

impl SignInTokenStore for Store {
    async fn insert_sign_in_token(&self, token: &SignInToken) -> Result<(), InsertError> {
        let row = SignInTokenRow::from_domain(token);
        run(&self.pool, move |conn: &mut Conn| {
            insert_row(
                conn,
                diesel::insert_into(sign_in_tokens::table).values(&row),
                "inserting a sign-in token",
            )
        })
        .await
    }

    async fn find_sign_in_token(
        &self,
        id: &SignInTokenId,
    ) -> Result<Option<SignInToken>, StoreError> {
        let id = id.to_string();
        run(&self.pool, move |conn: &mut Conn| {
            let row = sign_in_tokens::table
                .find(&id)
                .select(SignInTokenRow::as_select())
                .first(conn)
                .optional()
                .map_err(|e| unexpected(e, "finding a sign-in token"))?;
            Ok(row.map(SignInTokenRow::into_domain).transpose()?)
        })
        .await
    }

    async fn find_sign_in_token_by_hash(
        &self,
        hash: &str,
    ) -> Result<Option<SignInToken>, StoreError> {
        let hash = hash.to_owned();
        run(&self.pool, move |conn: &mut Conn| {
            let row = sign_in_tokens::table
                .filter(sign_in_tokens::token_hash.eq(&hash))
                .select(SignInTokenRow::as_select())
                .first(conn)
                .optional()
                .map_err(|e| unexpected(e, "finding a sign-in token"))?;
            Ok(row.map(SignInTokenRow::into_domain).transpose()?)
        })
        .await
    }

    async fn update_sign_in_token(
        &self,
        token: &SignInToken,
        expected: SignInTokenStatus,
    ) -> Result<(), UpdateSignInTokenError> {
        let row = SignInTokenRow::from_domain(token);
        run(&self.pool, move |conn: &mut Conn| {
            let n = diesel::update(
                sign_in_tokens::table
                    .filter(sign_in_tokens::id.eq(&row.id))
                    .filter(sign_in_tokens::status.eq(expected.as_str())),
            )
            .set(&row)
            .execute(conn)
            .map_err(|e| unexpected(e, "updating a sign-in token"))?;
            if n > 0 {
                return Ok(());
            }
            let exists: bool =
                diesel::select(diesel::dsl::exists(sign_in_tokens::table.find(&row.id)))
                    .get_result(conn)
                    .map_err(|e| unexpected(e, "checking a sign-in token"))?;
            Err(if exists {
                UpdateSignInTokenError::Changed
            } else {
                UpdateSignInTokenError::NotFound
            })
        })
        .await
    }
}
