//! The query code, written once. See [`impl_diesel_store!`].

/// Implements every storage port for `$store` (a type with a
/// `pool: hallpass_storage_diesel::blocking::Db<$conn>` field) with diesel queries on
/// `$conn`. `$write_tx` names the connection method that opens a write
/// transaction (`transaction` on PostgreSQL, `immediate_transaction` on
/// SQLite, which takes the write lock up front instead of failing to upgrade).
#[macro_export]
macro_rules! impl_diesel_store {
    ($store:ty, $conn:ty, $write_tx:ident) => {
        const _: () = {
            use $crate::__private::anyhow::{self, Context as _};
            use $crate::__private::diesel::{self, prelude::*};
            use $crate::__private::hallpass_domain::sign_in_token::{
                SignInToken, SignInTokenStatus,
            };
            use $crate::__private::hallpass_domain::{
                Client, ClientId, Instance, Session, SessionId, SessionStatus,
            };
            use $crate::__private::hallpass_domain::{
                DevBrowserId, JwtTemplateId, SignInTokenId, UnixMillis,
            };
            use $crate::__private::hallpass_ports::{
                ClientStore, CreateInstanceError, DevBrowserRecord, DevBrowserStore,
                FindClientError, FindSessionError, FindTemplateError, HandshakeNonceStore,
                InsertError, InstanceInit, InstanceStore, RefreshTokenRecord, RefreshTokenStore,
                RotateKeyError, RotateRefreshError, SaveSignInError, SaveTemplateError,
                SealedCustomKey, SecretKeyRecord, SessionActivityStore, SessionPage, SessionQuery,
                SessionStore, SignInTokenStore, SigningKeyRecord, StoreError, SweepPlan,
                SweepReport, SweepStore, TemplateRow, TemplateStore, UpdateClientError, UpdateSessionError, UpdateSignInTokenError,
            };
            use $crate::blocking::run;
            use $crate::errors::{TxError, is_unique_violation, unexpected};
            use $crate::rows::*;
            use $crate::schema::{
                clients, dev_browsers, handshake_nonces, instance_secrets, instances,
                jwt_templates, refresh_tokens, secret_keys, session_activities, sessions,
                sign_in_tokens, signing_keys, sweeps,
            };

            const LIVE: [&str; 2] = ["active", "pending"];
            /// How far before the last sweep's `swept_through` a sweep
            /// looks again for live sessions past their deadline: a row
            /// committed while that sweep ran (its snapshot did not see it)
            /// or written by a node whose clock runs behind.
            const SWEEP_OVERLAP_MS: i64 = 60 * 60 * 1000;

            /// The latest activities of the sessions `ids` that have one.
            fn load_session_activities<I: AsRef<str>>(
                conn: &mut $conn,
                ids: &[I],
            ) -> anyhow::Result<
                Vec<(
                    SessionId,
                    $crate::__private::hallpass_domain::activity::SessionActivity,
                )>,
            > {
                let ids: Vec<&str> = ids.iter().map(AsRef::as_ref).collect();
                session_activities::table
                    .filter(session_activities::session_id.eq_any(&ids))
                    .select(SessionActivityRow::as_select())
                    .load(conn)
                    .map_err(|e| unexpected(e, "reading session activities"))?
                    .into_iter()
                    .map(SessionActivityRow::into_domain)
                    .collect()
            }

            /// Compare-and-set on the client's `updated_at`.
            fn update_client_row(
                conn: &mut $conn,
                row: &ClientRow,
                previous_updated_at: i64,
            ) -> Result<usize, diesel::result::Error> {
                diesel::update(
                    clients::table
                        .filter(clients::id.eq(&row.id))
                        .filter(clients::updated_at.eq(previous_updated_at)),
                )
                .set(row)
                .execute(conn)
            }

            fn client_missing_or_changed(
                conn: &mut $conn,
                id: &str,
            ) -> Result<UpdateClientError, diesel::result::Error> {
                let exists: bool = diesel::select(diesel::dsl::exists(clients::table.find(id)))
                    .get_result(conn)?;
                Ok(if exists {
                    UpdateClientError::Changed
                } else {
                    UpdateClientError::NotFound
                })
            }

            fn current_status(
                conn: &mut $conn,
                id: &str,
            ) -> Result<Option<SessionStatus>, anyhow::Error> {
                let status: Option<String> = sessions::table
                    .find(id)
                    .select(sessions::status)
                    .first(conn)
                    .optional()
                    .map_err(|e| unexpected(e, "reading a session status"))?;
                status
                    .map(|s| s.parse::<SessionStatus>().context("corrupt session status"))
                    .transpose()
            }

            impl InstanceStore for $store {
                async fn ping(&self) -> Result<(), StoreError> {
                    run(&self.pool, |conn: &mut $conn| {
                        diesel::sql_query("SELECT 1")
                            .execute(conn)
                            .map(|_| ())
                            .map_err(|e| StoreError(unexpected(e, "pinging the database")))
                    })
                    .await
                }

                async fn load_instance(&self) -> Result<Option<Instance>, StoreError> {
                    run(&self.pool, |conn: &mut $conn| {
                        let row = instances::table
                            .select(InstanceRow::as_select())
                            .first(conn)
                            .optional()
                            .map_err(|e| unexpected(e, "loading the instance"))?;
                        Ok(row.map(InstanceRow::into_domain).transpose()?)
                    })
                    .await
                }

                async fn create_instance(
                    &self,
                    init: &InstanceInit,
                ) -> Result<(), CreateInstanceError> {
                    let instance = InstanceRow::from_domain(&init.instance);
                    let key = SigningKeyRow::from_record(&init.signing_key);
                    let secret = SecretKeyRow::from_record(&init.secret_key);
                    run(&self.pool, move |conn: &mut $conn| {
                        conn.$write_tx(|conn| {
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
                                CreateInstanceError::Unexpected(unexpected(
                                    e,
                                    "creating the instance",
                                ))
                            }
                        })
                    })
                    .await
                }

                async fn list_signing_keys(&self) -> Result<Vec<SigningKeyRecord>, StoreError> {
                    run(&self.pool, |conn: &mut $conn| {
                        let rows = signing_keys::table
                            .order((signing_keys::created_at.asc(), signing_keys::kid.asc()))
                            .select(SigningKeyRow::as_select())
                            .load(conn)
                            .map_err(|e| unexpected(e, "listing signing keys"))?;
                        Ok(rows.into_iter().map(SigningKeyRow::into_record).collect())
                    })
                    .await
                }

                async fn insert_signing_key(
                    &self,
                    key: &SigningKeyRecord,
                ) -> Result<(), InsertError> {
                    let row = SigningKeyRow::from_record(key);
                    run(&self.pool, move |conn: &mut $conn| {
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
                    retire_others_at: $crate::__private::hallpass_domain::UnixMillis,
                    now: $crate::__private::hallpass_domain::UnixMillis,
                ) -> Result<(), RotateKeyError> {
                    let row = SigningKeyRow::from_record(next);
                    let (retire, now) = (retire_others_at.as_millis(), now.as_millis());
                    run(&self.pool, move |conn: &mut $conn| {
                        let result = conn.$write_tx(|conn| {
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
                            TxError::Db(e) => RotateKeyError::Unexpected(unexpected(
                                e,
                                "rotating the signing key",
                            )),
                        })
                    })
                    .await
                }

                async fn find_secret_key(
                    &self,
                    hash: &str,
                ) -> Result<Option<SecretKeyRecord>, StoreError> {
                    let hash = hash.to_owned();
                    run(&self.pool, move |conn: &mut $conn| {
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

                async fn insert_secret_key(
                    &self,
                    key: &SecretKeyRecord,
                ) -> Result<(), InsertError> {
                    let row = SecretKeyRow::from_record(key);
                    run(&self.pool, move |conn: &mut $conn| {
                        insert_row(
                            conn,
                            diesel::insert_into(secret_keys::table).values(&row),
                            "inserting a secret key",
                        )
                    })
                    .await
                }

                async fn list_secret_keys(&self) -> Result<Vec<SecretKeyRecord>, StoreError> {
                    run(&self.pool, |conn: &mut $conn| {
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

            fn insert_row<Q>(
                conn: &mut $conn,
                query: Q,
                doing: &'static str,
            ) -> Result<(), InsertError>
            where
                Q: RunQueryDsl<$conn> + diesel::query_dsl::methods::ExecuteDsl<$conn>,
            {
                query.execute(conn).map(|_| ()).map_err(|e| {
                    if is_unique_violation(&e) {
                        InsertError::Conflict
                    } else {
                        InsertError::Unexpected(unexpected(e, doing))
                    }
                })
            }

            impl ClientStore for $store {
                async fn insert_client(&self, client: &Client) -> Result<(), InsertError> {
                    let row = ClientRow::from_domain(client);
                    run(&self.pool, move |conn: &mut $conn| {
                        insert_row(
                            conn,
                            diesel::insert_into(clients::table).values(&row),
                            "inserting a client",
                        )
                    })
                    .await
                }

                async fn find_client(&self, id: &ClientId) -> Result<Client, FindClientError> {
                    let id = id.to_string();
                    run(&self.pool, move |conn: &mut $conn| {
                        let row = clients::table
                            .find(&id)
                            .select(ClientRow::as_select())
                            .first(conn)
                            .optional()
                            .map_err(|e| unexpected(e, "finding a client"))?
                            .ok_or(FindClientError::NotFound)?;
                        Ok(row.into_domain()?)
                    })
                    .await
                }

                async fn update_client(
                    &self,
                    client: &Client,
                    previous: &Client,
                ) -> Result<(), UpdateClientError> {
                    let row = ClientRow::from_domain(client);
                    let previous_updated_at = previous.updated_at().as_millis();
                    run(&self.pool, move |conn: &mut $conn| {
                        let n = update_client_row(conn, &row, previous_updated_at)
                            .map_err(|e| unexpected(e, "updating a client"))?;
                        if n > 0 {
                            return Ok(());
                        }
                        Err(client_missing_or_changed(conn, &row.id)
                            .map_err(|e| unexpected(e, "checking a client"))?)
                    })
                    .await
                }
            }

            fn save_error(e: diesel::result::Error, doing: &'static str) -> SaveTemplateError {
                if is_unique_violation(&e) {
                    SaveTemplateError::NameTaken
                } else {
                    SaveTemplateError::Unexpected(unexpected(e, doing))
                }
            }

            impl TemplateStore for $store {
                async fn insert_template(
                    &self,
                    template: &TemplateRow,
                ) -> Result<(), SaveTemplateError> {
                    let row = JwtTemplateRow::from_record(template);
                    run(&self.pool, move |conn: &mut $conn| {
                        diesel::insert_into(jwt_templates::table)
                            .values(&row)
                            .execute(conn)
                            .map(|_| ())
                            .map_err(|e| save_error(e, "inserting a template"))
                    })
                    .await
                }

                async fn update_template(
                    &self,
                    template: &TemplateRow,
                ) -> Result<(), SaveTemplateError> {
                    let row = JwtTemplateRow::from_record(template);
                    run(&self.pool, move |conn: &mut $conn| {
                        let n = diesel::update(jwt_templates::table.find(&row.id))
                            .set(&row)
                            .execute(conn)
                            .map_err(|e| save_error(e, "updating a template"))?;
                        if n == 0 {
                            Err(SaveTemplateError::NotFound)
                        } else {
                            Ok(())
                        }
                    })
                    .await
                }

                async fn find_template(
                    &self,
                    id: &JwtTemplateId,
                ) -> Result<TemplateRow, FindTemplateError> {
                    let id = id.to_string();
                    run(&self.pool, move |conn: &mut $conn| {
                        let row = jwt_templates::table
                            .find(&id)
                            .select(JwtTemplateRow::as_select())
                            .first(conn)
                            .optional()
                            .map_err(|e| unexpected(e, "finding a template"))?
                            .ok_or(FindTemplateError::NotFound)?;
                        Ok(row.into_record()?)
                    })
                    .await
                }

                async fn find_template_by_name(
                    &self,
                    name: &str,
                ) -> Result<TemplateRow, FindTemplateError> {
                    let name = name.to_owned();
                    run(&self.pool, move |conn: &mut $conn| {
                        let row = jwt_templates::table
                            .filter(jwt_templates::name.eq(&name))
                            .select(JwtTemplateRow::as_select())
                            .first(conn)
                            .optional()
                            .map_err(|e| unexpected(e, "finding a template by name"))?
                            .ok_or(FindTemplateError::NotFound)?;
                        Ok(row.into_record()?)
                    })
                    .await
                }

                async fn list_templates(
                    &self,
                    limit: u32,
                    offset: u32,
                ) -> Result<(Vec<TemplateRow>, u64), StoreError> {
                    run(&self.pool, move |conn: &mut $conn| {
                        let total: i64 = jwt_templates::table
                            .count()
                            .get_result(conn)
                            .map_err(|e| unexpected(e, "counting templates"))?;
                        let rows = jwt_templates::table
                            .order((jwt_templates::created_at.desc(), jwt_templates::id.desc()))
                            .limit(i64::from(limit))
                            .offset(i64::from(offset))
                            .select(JwtTemplateRow::as_select())
                            .load(conn)
                            .map_err(|e| unexpected(e, "listing templates"))?;
                        let templates = rows
                            .into_iter()
                            .map(JwtTemplateRow::into_record)
                            .collect::<anyhow::Result<_>>()?;
                        Ok((templates, u64::try_from(total).unwrap_or(0)))
                    })
                    .await
                }

                async fn delete_template(
                    &self,
                    id: &JwtTemplateId,
                ) -> Result<(), FindTemplateError> {
                    let id = id.to_string();
                    run(&self.pool, move |conn: &mut $conn| {
                        let n = diesel::delete(jwt_templates::table.find(&id))
                            .execute(conn)
                            .map_err(|e| unexpected(e, "deleting a template"))?;
                        if n == 0 {
                            Err(FindTemplateError::NotFound)
                        } else {
                            Ok(())
                        }
                    })
                    .await
                }
            }

            impl DevBrowserStore for $store {
                async fn insert_dev_browser(
                    &self,
                    browser: &DevBrowserRecord,
                ) -> Result<(), InsertError> {
                    let row = DevBrowserRow::from_record(browser);
                    run(&self.pool, move |conn: &mut $conn| {
                        insert_row(
                            conn,
                            diesel::insert_into(dev_browsers::table).values(&row),
                            "inserting a dev browser",
                        )
                    })
                    .await
                }

                async fn find_dev_browser(
                    &self,
                    id: &DevBrowserId,
                ) -> Result<Option<DevBrowserRecord>, StoreError> {
                    let id = id.to_string();
                    run(&self.pool, move |conn: &mut $conn| {
                        let row = dev_browsers::table
                            .find(&id)
                            .select(DevBrowserRow::as_select())
                            .first(conn)
                            .optional()
                            .map_err(|e| unexpected(e, "finding a dev browser"))?;
                        Ok(row.map(DevBrowserRow::into_record).transpose()?)
                    })
                    .await
                }

                async fn bind_dev_browser(
                    &self,
                    id: &DevBrowserId,
                    client_id: &ClientId,
                    now: UnixMillis,
                ) -> Result<bool, StoreError> {
                    let (id, client_id, now) =
                        (id.to_string(), client_id.to_string(), now.as_millis());
                    run(&self.pool, move |conn: &mut $conn| {
                        let n = diesel::update(dev_browsers::table.find(&id))
                            .set((
                                dev_browsers::client_id.eq(Some(&client_id)),
                                dev_browsers::updated_at.eq(now),
                            ))
                            .execute(conn)
                            .map_err(|e| unexpected(e, "binding a dev browser"))?;
                        Ok(n > 0)
                    })
                    .await
                }
            }

            impl SignInTokenStore for $store {
                async fn insert_sign_in_token(
                    &self,
                    token: &SignInToken,
                ) -> Result<(), InsertError> {
                    let row = SignInTokenRow::from_domain(token);
                    run(&self.pool, move |conn: &mut $conn| {
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
                    run(&self.pool, move |conn: &mut $conn| {
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
                    run(&self.pool, move |conn: &mut $conn| {
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
                    run(&self.pool, move |conn: &mut $conn| {
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
                        let exists: bool = diesel::select(diesel::dsl::exists(
                            sign_in_tokens::table.find(&row.id),
                        ))
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

            impl HandshakeNonceStore for $store {
                async fn insert_handshake_nonce(
                    &self,
                    nonce_hash: &str,
                    directives: &[String],
                    expires_at: UnixMillis,
                    now: UnixMillis,
                ) -> Result<(), InsertError> {
                    let payload = $crate::__private::hallpass_domain::Json::Array(
                        directives
                            .iter()
                            .map(|d| $crate::__private::hallpass_domain::Json::str(d.as_str()))
                            .collect(),
                    )
                    .to_compact_string();
                    let (hash, expires_at, now) = (
                        nonce_hash.to_owned(),
                        expires_at.as_millis(),
                        now.as_millis(),
                    );
                    run(&self.pool, move |conn: &mut $conn| {
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
                    run(&self.pool, move |conn: &mut $conn| {
                        // DELETE … RETURNING: one reader wins, even when raced.
                        let taken: Option<(String, i64)> =
                            diesel::delete(handshake_nonces::table.find(&hash))
                                .returning((
                                    handshake_nonces::payload,
                                    handshake_nonces::expires_at,
                                ))
                                .get_result(conn)
                                .optional()
                                .map_err(|e| unexpected(e, "taking a handshake nonce"))?;
                        let Some((payload, expires_at)) = taken.filter(|(_, exp)| *exp > now)
                        else {
                            return Ok(None);
                        };
                        let _ = expires_at;
                        let wrapped = format!("{{\"d\":{payload}}}");
                        let obj = $crate::__private::hallpass_json::parse_object(&wrapped)
                            .map_err(|e| {
                                StoreError(
                                    anyhow::Error::new(e).context("corrupt handshake payload"),
                                )
                            })?;
                        let directives = obj
                            .get("d")
                            .and_then(|d| d.as_array())
                            .map(|items| {
                                items
                                    .iter()
                                    .filter_map(|i| i.as_str().map(str::to_owned))
                                    .collect()
                            })
                            .unwrap_or_default();
                        Ok(Some(directives))
                    })
                    .await
                }
            }

            impl RefreshTokenStore for $store {
                async fn find_instance_secret(
                    &self,
                    name: &str,
                ) -> Result<Option<SealedCustomKey>, StoreError> {
                    let name = name.to_owned();
                    run(&self.pool, move |conn: &mut $conn| {
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
                                algorithm:
                                    $crate::__private::hallpass_domain::SigningAlgorithm::parse(
                                        &algorithm,
                                    )
                                    .map_err(|_| {
                                        StoreError(anyhow::anyhow!(
                                            "corrupt instance secret algorithm"
                                        ))
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
                    run(&self.pool, move |conn: &mut $conn| {
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

                async fn insert_refresh_token(
                    &self,
                    token: &RefreshTokenRecord,
                ) -> Result<(), InsertError> {
                    let row = RefreshTokenRow::from_record(token);
                    run(&self.pool, move |conn: &mut $conn| {
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
                    run(&self.pool, move |conn: &mut $conn| {
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
                    run(&self.pool, move |conn: &mut $conn| {
                        let result = conn.$write_tx(|conn| {
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
                            TxError::Db(e) => RotateRefreshError::Unexpected(unexpected(
                                e,
                                "rotating a refresh token",
                            )),
                        })
                    })
                    .await
                }

                async fn revoke_refresh_tokens(
                    &self,
                    session_id: &SessionId,
                ) -> Result<(), StoreError> {
                    let id = session_id.to_string();
                    run(&self.pool, move |conn: &mut $conn| {
                        diesel::update(
                            refresh_tokens::table.filter(refresh_tokens::session_id.eq(&id)),
                        )
                        .set(refresh_tokens::status.eq("revoked"))
                        .execute(conn)
                        .map(|_| ())
                        .map_err(|e| StoreError(unexpected(e, "revoking refresh tokens")))
                    })
                    .await
                }
            }

            impl SessionActivityStore for $store {
                async fn find_session_with_activity(
                    &self,
                    id: &SessionId,
                ) -> Result<
                    (
                        Session,
                        Option<$crate::__private::hallpass_domain::activity::SessionActivity>,
                    ),
                    FindSessionError,
                > {
                    let id = id.to_string();
                    run(&self.pool, move |conn: &mut $conn| {
                        let (session, activity): (SessionRow, Option<SessionActivityRow>) =
                            sessions::table
                                .left_join(
                                    session_activities::table
                                        .on(session_activities::session_id.eq(sessions::id)),
                                )
                                .filter(sessions::id.eq(&id))
                                .select((
                                    SessionRow::as_select(),
                                    Option::<SessionActivityRow>::as_select(),
                                ))
                                .first(conn)
                                .optional()
                                .map_err(|e| unexpected(e, "finding a session and its activity"))?
                                .ok_or(FindSessionError::NotFound)?;
                        let activity = match activity {
                            Some(row) => Some(row.into_domain()?.1),
                            None => None,
                        };
                        Ok((session.into_domain()?, activity))
                    })
                    .await
                }

                async fn record_session_activity(
                    &self,
                    session_id: &SessionId,
                    activity: &$crate::__private::hallpass_domain::activity::SessionActivity,
                    now: UnixMillis,
                ) -> Result<(), StoreError> {
                    let row = SessionActivityRow::from_domain(session_id, activity, now);
                    run(&self.pool, move |conn: &mut $conn| {
                        diesel::insert_into(session_activities::table)
                            .values(&row)
                            .on_conflict(session_activities::session_id)
                            .do_update()
                            .set(&row)
                            .execute(conn)
                            .map(|_| ())
                            .map_err(|e| StoreError(unexpected(e, "recording session activity")))
                    })
                    .await
                }

                async fn find_session_activities(
                    &self,
                    ids: &[SessionId],
                ) -> Result<
                    Vec<(
                        SessionId,
                        $crate::__private::hallpass_domain::activity::SessionActivity,
                    )>,
                    StoreError,
                > {
                    let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
                    run(&self.pool, move |conn: &mut $conn| {
                        Ok(load_session_activities(conn, &ids)?)
                    })
                    .await
                }
            }

            impl SweepStore for $store {
                async fn sweep(&self, plan: &SweepPlan) -> Result<Option<SweepReport>, StoreError> {
                    use diesel::dsl::sql;
                    use diesel::sql_types::{BigInt, Text};
                    let now = plan.now.as_millis();
                    let claim_if_last_before = now.saturating_sub(plan.min_gap_ms);
                    let delete_before = plan.delete_expired_before.as_millis();
                    run(&self.pool, move |conn: &mut $conn| {
                        let count = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
                        // The claim and the expiry commit together: a sweep
                        // that fails leaves neither its claim nor its
                        // `swept_through`, and the next one covers its range.
                        let claimed = conn.$write_tx(|conn| {
                            // The claim: one row, compare-and-set on the last
                            // start. Of processes racing here, one updates it
                            // and the others (re-reading the committed row)
                            // find the condition false.
                            let claimed = diesel::update(
                                sweeps::table
                                    .filter(sweeps::name.eq("housekeeping"))
                                    .filter(sweeps::last_run_at.le(claim_if_last_before)),
                            )
                            .set((
                                sweeps::last_run_at.eq(now),
                                sweeps::runs.eq(sweeps::runs + 1),
                            ))
                            .execute(conn)?;
                            if claimed == 0 {
                                return Ok::<_, diesel::result::Error>(None);
                            }
                            let swept_through: i64 = sweeps::table
                                .filter(sweeps::name.eq("housekeeping"))
                                .select(sweeps::swept_through)
                                .first(conn)?;
                            // The domain's `Session::observe`, in bulk: a live
                            // session past `abandon_at` is abandoned, past
                            // `expire_at` expired, dated when the deadline
                            // passed. A concurrent revoke or sign-out wins (the
                            // status filter is re-checked on the locked row).
                            // Only deadlines since shortly before the last
                            // sweep's are looked at: earlier ones were applied.
                            let from = if swept_through > 0 {
                                swept_through.saturating_sub(SWEEP_OVERLAP_MS)
                            } else {
                                i64::MIN
                            };
                            let expired = diesel::update(
                                sessions::table
                                    .filter(sessions::expire_at.le(now))
                                    .filter(sessions::expire_at.gt(from))
                                    .filter(sessions::status.eq_any(LIVE)),
                            )
                            .set((
                                sessions::status.eq(sql::<Text>(&format!(
                                    "CASE WHEN abandon_at <= {now} THEN 'abandoned' ELSE 'expired' END"
                                ))),
                                sessions::updated_at.eq(sql::<BigInt>(&format!(
                                    "CASE WHEN abandon_at <= {now} \
                                     THEN (CASE WHEN updated_at > abandon_at THEN updated_at ELSE abandon_at END) \
                                     ELSE (CASE WHEN updated_at > expire_at THEN updated_at ELSE expire_at END) END"
                                ))),
                            ))
                            .execute(conn)?;
                            diesel::update(sweeps::table.filter(sweeps::name.eq("housekeeping")))
                                .set(sweeps::swept_through.eq(now))
                                .execute(conn)?;
                            Ok(Some(expired))
                        })
                        .map_err(|e| unexpected(e, "claiming the sweep and expiring sessions"))?;
                        let Some(sessions_expired) = claimed else {
                            return Ok(None);
                        };
                        let handshake_nonces_deleted = diesel::delete(
                            handshake_nonces::table.filter(handshake_nonces::expires_at.le(now)),
                        )
                        .execute(conn)
                        .map_err(|e| unexpected(e, "deleting expired handshake nonces"))?;
                        let sign_in_tokens_deleted = diesel::delete(
                            sign_in_tokens::table
                                .filter(sign_in_tokens::expires_at.le(delete_before)),
                        )
                        .execute(conn)
                        .map_err(|e| unexpected(e, "deleting expired sign-in tokens"))?;
                        let refresh_tokens_deleted = diesel::delete(
                            refresh_tokens::table
                                .filter(refresh_tokens::expires_at.le(delete_before)),
                        )
                        .execute(conn)
                        .map_err(|e| unexpected(e, "deleting expired refresh tokens"))?;
                        Ok(Some(SweepReport {
                            sessions_expired: count(sessions_expired),
                            handshake_nonces_deleted: count(handshake_nonces_deleted),
                            sign_in_tokens_deleted: count(sign_in_tokens_deleted),
                            refresh_tokens_deleted: count(refresh_tokens_deleted),
                        }))
                    })
                    .await
                }
            }

            impl SessionStore for $store {
                async fn find_session(&self, id: &SessionId) -> Result<Session, FindSessionError> {
                    let id = id.to_string();
                    run(&self.pool, move |conn: &mut $conn| {
                        let row = sessions::table
                            .find(&id)
                            .select(SessionRow::as_select())
                            .first(conn)
                            .optional()
                            .map_err(|e| unexpected(e, "finding a session"))?
                            .ok_or(FindSessionError::NotFound)?;
                        Ok(row.into_domain()?)
                    })
                    .await
                }

                async fn list_client_sessions(
                    &self,
                    client_id: &ClientId,
                ) -> Result<Vec<Session>, StoreError> {
                    let client_id = client_id.to_string();
                    run(&self.pool, move |conn: &mut $conn| {
                        let rows = sessions::table
                            .filter(sessions::client_id.eq(&client_id))
                            .order((sessions::created_at.desc(), sessions::id.desc()))
                            .select(SessionRow::as_select())
                            .load(conn)
                            .map_err(|e| unexpected(e, "listing a client's sessions"))?;
                        Ok(rows
                            .into_iter()
                            .map(SessionRow::into_domain)
                            .collect::<anyhow::Result<_>>()?)
                    })
                    .await
                }

                async fn find_client_with_sessions(
                    &self,
                    client_id: &ClientId,
                ) -> Result<(Client, Vec<Session>), FindClientError> {
                    let client_id = client_id.to_string();
                    run(&self.pool, move |conn: &mut $conn| {
                        // One statement: the client row repeated beside each
                        // of its sessions (or beside NULLs when it has none).
                        let rows: Vec<(ClientRow, Option<SessionRow>)> = clients::table
                            .left_join(sessions::table.on(sessions::client_id.eq(clients::id)))
                            .filter(clients::id.eq(&client_id))
                            .order((sessions::created_at.desc(), sessions::id.desc()))
                            .select((ClientRow::as_select(), Option::<SessionRow>::as_select()))
                            .load(conn)
                            .map_err(|e| unexpected(e, "reading a client and its sessions"))?;
                        let mut rows = rows.into_iter();
                        let Some((client, first)) = rows.next() else {
                            return Err(FindClientError::NotFound);
                        };
                        let sessions = first
                            .into_iter()
                            .chain(rows.filter_map(|(_, s)| s))
                            .map(SessionRow::into_domain)
                            .collect::<anyhow::Result<_>>()?;
                        Ok((client.into_domain()?, sessions))
                    })
                    .await
                }

                async fn find_client_session(
                    &self,
                    client_id: &ClientId,
                    session_id: &SessionId,
                ) -> Result<(Client, Option<Session>), FindClientError> {
                    let client_id = client_id.to_string();
                    let session_id = session_id.to_string();
                    run(&self.pool, move |conn: &mut $conn| {
                        // One statement; the ownership check is in the join.
                        let (client, session): (ClientRow, Option<SessionRow>) = clients::table
                            .left_join(
                                sessions::table.on(sessions::client_id
                                    .eq(clients::id)
                                    .and(sessions::id.eq(&session_id))),
                            )
                            .filter(clients::id.eq(&client_id))
                            .select((ClientRow::as_select(), Option::<SessionRow>::as_select()))
                            .first(conn)
                            .optional()
                            .map_err(|e| unexpected(e, "reading a client and a session"))?
                            .ok_or(FindClientError::NotFound)?;
                        Ok((
                            client.into_domain()?,
                            session.map(SessionRow::into_domain).transpose()?,
                        ))
                    })
                    .await
                }

                async fn list_sessions(
                    &self,
                    query: &SessionQuery,
                ) -> Result<SessionPage, StoreError> {
                    let client_id = query.client_id.as_ref().map(ToString::to_string);
                    let user_id = query.user_id.as_ref().map(ToString::to_string);
                    let status = query.status.map(|s| s.as_str());
                    let (limit, offset) = (i64::from(query.limit), i64::from(query.offset));
                    run(&self.pool, move |conn: &mut $conn| {
                        let filtered = || {
                            let mut q = sessions::table.into_boxed();
                            if let Some(c) = &client_id {
                                q = q.filter(sessions::client_id.eq(c.clone()));
                            }
                            if let Some(u) = &user_id {
                                q = q.filter(sessions::user_id.eq(u.clone()));
                            }
                            if let Some(s) = status {
                                q = q.filter(sessions::status.eq(s));
                            }
                            q
                        };
                        // The count and the page: two statements, each
                        // planned on every call (the filters vary, so they
                        // are not cached prepared statements). A window count
                        // in the page's statement measured slower (PostgreSQL
                        // CPU per Backend API list ~240 against ~170 µs), and
                        // over the whole table it reads every row through the
                        // index (399 against 78 ms at a million sessions).
                        let total: i64 = filtered()
                            .count()
                            .get_result(conn)
                            .map_err(|e| unexpected(e, "counting sessions"))?;
                        let rows: Vec<SessionRow> = filtered()
                            .order((sessions::created_at.desc(), sessions::id.desc()))
                            .limit(limit)
                            .offset(offset)
                            .select(SessionRow::as_select())
                            .load(conn)
                            .map_err(|e| unexpected(e, "listing sessions"))?;
                        // The listed sessions' latest activities, on the same
                        // connection (a prepared statement).
                        let activities = if rows.is_empty() {
                            std::collections::HashMap::new()
                        } else {
                            let ids: Vec<&str> = rows.iter().map(|s| s.id.as_str()).collect();
                            load_session_activities(conn, &ids)?.into_iter().collect()
                        };
                        let sessions = rows
                            .into_iter()
                            .map(SessionRow::into_domain)
                            .collect::<anyhow::Result<Vec<_>>>()?;
                        Ok(SessionPage {
                            sessions,
                            activities,
                            total_count: u64::try_from(total).unwrap_or(0),
                        })
                    })
                    .await
                }

                async fn update_session(
                    &self,
                    session: &Session,
                    expected: &[SessionStatus],
                ) -> Result<(), UpdateSessionError> {
                    let row = SessionRow::from_domain(session);
                    let expected = status_names(expected);
                    run(&self.pool, move |conn: &mut $conn| {
                        let n = diesel::update(
                            sessions::table
                                .filter(sessions::id.eq(&row.id))
                                .filter(sessions::status.eq_any(&expected)),
                        )
                        .set(&row)
                        .execute(conn)
                        .map_err(|e| unexpected(e, "updating a session"))?;
                        if n > 0 {
                            return Ok(());
                        }
                        match current_status(conn, &row.id)? {
                            None => Err(UpdateSessionError::NotFound),
                            Some(current) => Err(UpdateSessionError::StatusChanged { current }),
                        }
                    })
                    .await
                }

                async fn update_last_active(
                    &self,
                    session: &Session,
                    read_last_active_at: UnixMillis,
                ) -> Result<bool, UpdateSessionError> {
                    let row = SessionRow::from_domain(session);
                    let live = status_names(&[SessionStatus::Active, SessionStatus::Pending]);
                    let read = read_last_active_at.as_millis();
                    run(&self.pool, move |conn: &mut $conn| {
                        let n = diesel::update(
                            sessions::table
                                .filter(sessions::id.eq(&row.id))
                                .filter(sessions::status.eq_any(&live))
                                .filter(sessions::last_active_at.eq(read)),
                        )
                        .set(&row)
                        .execute(conn)
                        .map_err(|e| unexpected(e, "recording session activity"))?;
                        if n > 0 {
                            return Ok(true);
                        }
                        match current_status(conn, &row.id)? {
                            None => Err(UpdateSessionError::NotFound),
                            Some(SessionStatus::Active | SessionStatus::Pending) => Ok(false),
                            Some(current) => Err(UpdateSessionError::StatusChanged { current }),
                        }
                    })
                    .await
                }

                async fn save_sign_in(
                    &self,
                    client: &Client,
                    previous: &Client,
                    session: &Session,
                    replaced: &[Session],
                    ticket: Option<&SignInToken>,
                ) -> Result<(), SaveSignInError> {
                    let client_row = ClientRow::from_domain(client);
                    let previous_updated_at = previous.updated_at().as_millis();
                    let session_row = SessionRow::from_domain(session);
                    let ticket_row = ticket.map(SignInTokenRow::from_domain);
                    let replaced: Vec<SessionRow> =
                        replaced.iter().map(SessionRow::from_domain).collect();
                    run(&self.pool, move |conn: &mut $conn| {
                        let result = conn.$write_tx(|conn| {
                            if update_client_row(conn, &client_row, previous_updated_at)? == 0 {
                                return Err(TxError::Abort(
                                    match client_missing_or_changed(conn, &client_row.id)? {
                                        UpdateClientError::NotFound => {
                                            SaveSignInError::ClientNotFound
                                        }
                                        _ => SaveSignInError::ClientChanged,
                                    },
                                ));
                            }
                            if let Some(t) = &ticket_row {
                                let n = diesel::update(
                                    sign_in_tokens::table
                                        .filter(sign_in_tokens::id.eq(&t.id))
                                        .filter(sign_in_tokens::status.eq("pending")),
                                )
                                .set(t)
                                .execute(conn)?;
                                if n == 0 {
                                    return Err(TxError::Abort(SaveSignInError::TicketUsed));
                                }
                            }
                            diesel::insert_into(sessions::table)
                                .values(&session_row)
                                .execute(conn)?;
                            for old in &replaced {
                                diesel::update(
                                    sessions::table
                                        .filter(sessions::id.eq(&old.id))
                                        .filter(sessions::status.eq_any(LIVE)),
                                )
                                .set(old)
                                .execute(conn)?;
                            }
                            Ok(())
                        });
                        result.map_err(|e| match e {
                            TxError::Abort(e) => e,
                            TxError::Db(e) if is_unique_violation(&e) => SaveSignInError::Conflict,
                            TxError::Db(e) => {
                                SaveSignInError::Unexpected(unexpected(e, "saving a sign-in"))
                            }
                        })
                    })
                    .await
                }

                async fn save_sign_out(
                    &self,
                    client: &Client,
                    previous: &Client,
                    sessions: &[Session],
                ) -> Result<usize, UpdateClientError> {
                    let client_row = ClientRow::from_domain(client);
                    let previous_updated_at = previous.updated_at().as_millis();
                    let rows: Vec<SessionRow> =
                        sessions.iter().map(SessionRow::from_domain).collect();
                    run(&self.pool, move |conn: &mut $conn| {
                        let result = conn.$write_tx(|conn| {
                            let mut written = 0;
                            for row in &rows {
                                written += diesel::update(
                                    sessions::table
                                        .filter(sessions::id.eq(&row.id))
                                        .filter(sessions::status.eq_any(LIVE)),
                                )
                                .set(row)
                                .execute(conn)?;
                            }
                            if update_client_row(conn, &client_row, previous_updated_at)? == 0 {
                                return Err(TxError::Abort(client_missing_or_changed(
                                    conn,
                                    &client_row.id,
                                )?));
                            }
                            Ok(written)
                        });
                        result.map_err(|e| match e {
                            TxError::Abort(e) => e,
                            TxError::Db(e) => {
                                UpdateClientError::Unexpected(unexpected(e, "saving a sign-out"))
                            }
                        })
                    })
                    .await
                }
            }
        };
    };
}
