//! The instance and its keys (signing keys and their rotation, secret
//! keys): the `InstanceStore` port.

use diesel::prelude::*;
use hallpass_adapter_store::blocking::run;
use hallpass_adapter_store::errors::{TxError, is_unique_violation, unexpected};
use hallpass_adapter_store::rows::{InstanceRow, SecretKeyRow, SigningKeyRow};
use hallpass_adapter_store::schema::{instances, secret_keys, signing_keys};
use hallpass_domain::{Instance, UnixMillis};
use hallpass_ports::{
    CreateInstanceError, InsertError, InstanceInit, InstanceStore, RotateKeyError, SecretKeyRecord,
    SigningKeyRecord, StoreError,
};

use super::insert_row;
use crate::backend::{Conn, Store, write_tx};

impl InstanceStore for Store {
    async fn ping(&self) -> Result<(), StoreError> {
        run(&self.pool, |conn: &mut Conn| {
            // A read of the schema, not only of the connection: a database
            // that answers but lost its tables is not ready either.
            instances::table
                .select(instances::id)
                .limit(1)
                .load::<String>(conn)
                .map(|_| ())
                .map_err(|e| StoreError(unexpected(e, "pinging the database")))
        })
        .await
    }

    async fn load_instance(&self) -> Result<Option<Instance>, StoreError> {
        run(&self.pool, |conn: &mut Conn| {
            let row = instances::table
                .select(InstanceRow::as_select())
                .first(conn)
                .optional()
                .map_err(|e| unexpected(e, "loading the instance"))?;
            Ok(row.map(InstanceRow::into_domain).transpose()?)
        })
        .await
    }

    async fn create_instance(&self, init: &InstanceInit) -> Result<(), CreateInstanceError> {
        let instance = InstanceRow::from_domain(&init.instance);
        let key = SigningKeyRow::from_record(&init.signing_key);
        let secret = SecretKeyRow::from_record(&init.secret_key);
        run(&self.pool, move |conn: &mut Conn| {
            write_tx(conn, |conn| {
                diesel::insert_into(instances::table)
                    .values(&instance)
                    .execute(conn)?;
                diesel::insert_into(signing_keys::table)
                    .values(&key)
                    .execute(conn)?;
                diesel::insert_into(secret_keys::table)
                    .values(&secret)
                    .execute(conn)?;
                Ok::<_, diesel::result::Error>(())
            })
            .map_err(|e| {
                if is_unique_violation(&e) {
                    CreateInstanceError::AlreadyExists
                } else {
                    CreateInstanceError::Unexpected(unexpected(e, "creating the instance"))
                }
            })
        })
        .await
    }

    async fn list_signing_keys(&self) -> Result<Vec<SigningKeyRecord>, StoreError> {
        run(&self.pool, |conn: &mut Conn| {
            let rows = signing_keys::table
                .order((signing_keys::created_at.asc(), signing_keys::kid.asc()))
                .select(SigningKeyRow::as_select())
                .load(conn)
                .map_err(|e| unexpected(e, "listing signing keys"))?;
            Ok(rows.into_iter().map(SigningKeyRow::into_record).collect())
        })
        .await
    }

    async fn insert_signing_key(&self, key: &SigningKeyRecord) -> Result<(), InsertError> {
        let row = SigningKeyRow::from_record(key);
        run(&self.pool, move |conn: &mut Conn| {
            insert_row(
                conn,
                diesel::insert_into(signing_keys::table).values(&row),
                "inserting a signing key",
            )
        })
        .await
    }

    async fn rotate_signing_key(
        &self,
        next: &SigningKeyRecord,
        retire_others_at: UnixMillis,
        now: UnixMillis,
    ) -> Result<(), RotateKeyError> {
        let row = SigningKeyRow::from_record(next);
        let (retire, now) = (retire_others_at.as_millis(), now.as_millis());
        run(&self.pool, move |conn: &mut Conn| {
            let result = write_tx(conn, |conn| {
                // Serialise rotations: writing the instance row
                // takes its row lock (PostgreSQL) or is already
                // inside the one write lock (SQLite).
                diesel::update(instances::table)
                    .set(instances::id.eq(instances::id))
                    .execute(conn)?;
                let pending: Option<String> = signing_keys::table
                    .filter(signing_keys::activates_at.gt(now))
                    .select(signing_keys::kid)
                    .first(conn)
                    .optional()?;
                if let Some(kid) = pending {
                    return Err(TxError::Abort(RotateKeyError::Pending { kid }));
                }
                diesel::insert_into(signing_keys::table)
                    .values(&row)
                    .execute(conn)?;
                diesel::update(
                    signing_keys::table
                        .filter(signing_keys::kid.ne(&row.kid))
                        .filter(
                            signing_keys::retires_at
                                .is_null()
                                .or(signing_keys::retires_at.gt(retire)),
                        ),
                )
                .set(signing_keys::retires_at.eq(Some(retire)))
                .execute(conn)?;
                Ok(())
            });
            result.map_err(|e| match e {
                TxError::Abort(e) => e,
                TxError::Db(e) if is_unique_violation(&e) => RotateKeyError::Conflict,
                TxError::Db(e) => {
                    RotateKeyError::Unexpected(unexpected(e, "rotating the signing key"))
                }
            })
        })
        .await
    }

    async fn find_secret_key(&self, hash: &str) -> Result<Option<SecretKeyRecord>, StoreError> {
        let hash = hash.to_owned();
        run(&self.pool, move |conn: &mut Conn| {
            let row = secret_keys::table
                .filter(secret_keys::hash.eq(&hash))
                .select(SecretKeyRow::as_select())
                .first(conn)
                .optional()
                .map_err(|e| unexpected(e, "finding a secret key"))?;
            Ok(row.map(SecretKeyRow::into_record))
        })
        .await
    }

    async fn insert_secret_key(&self, key: &SecretKeyRecord) -> Result<(), InsertError> {
        let row = SecretKeyRow::from_record(key);
        run(&self.pool, move |conn: &mut Conn| {
            insert_row(
                conn,
                diesel::insert_into(secret_keys::table).values(&row),
                "inserting a secret key",
            )
        })
        .await
    }

    async fn list_secret_keys(&self) -> Result<Vec<SecretKeyRecord>, StoreError> {
        run(&self.pool, |conn: &mut Conn| {
            let rows = secret_keys::table
                .order((secret_keys::created_at.asc(), secret_keys::id.asc()))
                .select(SecretKeyRow::as_select())
                .load(conn)
                .map_err(|e| unexpected(e, "listing secret keys"))?;
            Ok(rows.into_iter().map(SecretKeyRow::into_record).collect())
        })
        .await
    }
}
