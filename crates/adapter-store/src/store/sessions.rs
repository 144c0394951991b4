//! Sessions, read with their client and written with it: the `SessionStore`
//! port. The hot reads (`find_client_with_sessions`, `find_client_session`)
//! are one statement each.

use anyhow::Context as _;
use diesel::prelude::*;
use hallpass_adapter_store::blocking::run;
use hallpass_adapter_store::errors::{TxError, is_unique_violation, unexpected};
use hallpass_adapter_store::identity_rows::{
    EmailAddressRow, MembershipRow, OrganizationRow, PhoneNumberRow, UserRow,
};
use hallpass_adapter_store::rows::{ClientRow, SessionRow, SignInTokenRow, status_names};
use hallpass_adapter_store::schema::{
    clients, organization_memberships, organizations, sessions, sign_in_tokens,
    user_email_addresses, user_phone_numbers, users,
};
use hallpass_domain::sign_in_token::SignInToken;
use hallpass_domain::{
    Client, ClientId, OrganizationId, Session, SessionId, SessionStatus, UnixMillis,
};
use hallpass_ports::{
    ActiveOrganization, FindClientError, FindSessionError, SaveSignInError, SessionPage,
    SessionQuery, SessionStore, StoreError, TemplateUser, UpdateClientError, UpdateSessionError,
    UserChange,
};

use super::LIVE;
use super::clients::{client_missing_or_changed, update_client_row};
use super::identity_query::updated_at_moved_to;
use super::session_activities::load_session_activities;
use super::users::cas_user_row;
use crate::backend::{Conn, Store, write_tx};

fn current_status(conn: &mut Conn, id: &str) -> Result<Option<SessionStatus>, anyhow::Error> {
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

/// The active organization a minting read joined: both the organization
/// and the membership, or none (either is gone).
fn active_organization(
    organization: Option<OrganizationRow>,
    membership: Option<MembershipRow>,
) -> anyhow::Result<Option<ActiveOrganization>> {
    Ok(match (organization, membership) {
        (Some(o), Some(m)) => Some(ActiveOrganization {
            organization: o.into_domain()?.organization,
            membership: m.into_domain()?,
        }),
        _ => None,
    })
}

impl SessionStore for Store {
    async fn find_session(&self, id: &SessionId) -> Result<Session, FindSessionError> {
        let id = id.to_string();
        run(&self.pool, move |conn: &mut Conn| {
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

    async fn list_client_sessions(&self, client_id: &ClientId) -> Result<Vec<Session>, StoreError> {
        let client_id = client_id.to_string();
        run(&self.pool, move |conn: &mut Conn| {
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
        run(&self.pool, move |conn: &mut Conn| {
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
        run(&self.pool, move |conn: &mut Conn| {
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

    async fn find_client_session_with_organization(
        &self,
        client_id: &ClientId,
        session_id: &SessionId,
    ) -> Result<(Client, Option<Session>, Option<ActiveOrganization>), FindClientError> {
        let client_id = client_id.to_string();
        let session_id = session_id.to_string();
        run(&self.pool, move |conn: &mut Conn| {
            // One statement: the client, its session (ownership checked in
            // the join), the session's active organization and the session
            // user's membership in it, each by a unique index.
            let (client, session, organization, membership): (
                ClientRow,
                Option<SessionRow>,
                Option<OrganizationRow>,
                Option<MembershipRow>,
            ) = clients::table
                .left_join(
                    sessions::table.on(sessions::client_id
                        .eq(clients::id)
                        .and(sessions::id.eq(session_id.clone()))),
                )
                .left_join(
                    organizations::table.on(organizations::id
                        .nullable()
                        .eq(sessions::last_active_organization_id)),
                )
                .left_join(
                    organization_memberships::table.on(organization_memberships::organization_id
                        .nullable()
                        .eq(sessions::last_active_organization_id)
                        .and(
                            organization_memberships::user_id
                                .nullable()
                                .eq(sessions::user_id.nullable()),
                        )),
                )
                .filter(clients::id.eq(client_id.clone()))
                .select((
                    ClientRow::as_select(),
                    Option::<SessionRow>::as_select(),
                    Option::<OrganizationRow>::as_select(),
                    Option::<MembershipRow>::as_select(),
                ))
                .first(conn)
                .optional()
                .map_err(|e| unexpected(e, "reading a client, a session and its organization"))?
                .ok_or(FindClientError::NotFound)?;
            let active = active_organization(organization, membership)?;
            Ok((
                client.into_domain()?,
                session.map(SessionRow::into_domain).transpose()?,
                active,
            ))
        })
        .await
    }

    async fn find_session_with_organization(
        &self,
        id: &SessionId,
    ) -> Result<(Session, Option<ActiveOrganization>), FindSessionError> {
        let id = id.to_string();
        run(&self.pool, move |conn: &mut Conn| {
            // One statement: the session, its active organization and the
            // session user's membership in it, each by a unique index.
            let (session, organization, membership): (
                SessionRow,
                Option<OrganizationRow>,
                Option<MembershipRow>,
            ) = sessions::table
                .left_join(
                    organizations::table.on(organizations::id
                        .nullable()
                        .eq(sessions::last_active_organization_id)),
                )
                .left_join(
                    organization_memberships::table.on(organization_memberships::organization_id
                        .nullable()
                        .eq(sessions::last_active_organization_id)
                        .and(organization_memberships::user_id.eq(sessions::user_id))),
                )
                .filter(sessions::id.eq(id.clone()))
                .select((
                    SessionRow::as_select(),
                    Option::<OrganizationRow>::as_select(),
                    Option::<MembershipRow>::as_select(),
                ))
                .first(conn)
                .optional()
                .map_err(|e| unexpected(e, "reading a session and its organization"))?
                .ok_or(FindSessionError::NotFound)?;
            let active = active_organization(organization, membership)?;
            Ok((session.into_domain()?, active))
        })
        .await
    }

    async fn find_session_for_template(
        &self,
        id: &SessionId,
    ) -> Result<(Session, Option<ActiveOrganization>, Option<TemplateUser>), FindSessionError> {
        let id = id.to_string();
        run(&self.pool, move |conn: &mut Conn| {
            // One statement: the minting read by session id, with the
            // session's user and its primary identifiers, each by a unique
            // index.
            type Read = (
                SessionRow,
                Option<OrganizationRow>,
                Option<MembershipRow>,
                Option<UserRow>,
                Option<EmailAddressRow>,
                Option<PhoneNumberRow>,
            );
            let (session, organization, membership, user, email, phone): Read = sessions::table
                .left_join(
                    organizations::table.on(organizations::id
                        .nullable()
                        .eq(sessions::last_active_organization_id)),
                )
                .left_join(
                    organization_memberships::table.on(organization_memberships::organization_id
                        .nullable()
                        .eq(sessions::last_active_organization_id)
                        .and(organization_memberships::user_id.eq(sessions::user_id))),
                )
                .left_join(users::table.on(users::id.eq(sessions::user_id)))
                .left_join(
                    user_email_addresses::table.on(user_email_addresses::id
                        .nullable()
                        .eq(users::primary_email_address_id)),
                )
                .left_join(
                    user_phone_numbers::table.on(user_phone_numbers::id
                        .nullable()
                        .eq(users::primary_phone_number_id)),
                )
                .filter(sessions::id.eq(id.clone()))
                .select((
                    SessionRow::as_select(),
                    Option::<OrganizationRow>::as_select(),
                    Option::<MembershipRow>::as_select(),
                    Option::<UserRow>::as_select(),
                    Option::<EmailAddressRow>::as_select(),
                    Option::<PhoneNumberRow>::as_select(),
                ))
                .first(conn)
                .optional()
                .map_err(|e| unexpected(e, "reading a session, its organization and its user"))?
                .ok_or(FindSessionError::NotFound)?;
            let active = active_organization(organization, membership)?;
            let user = user
                .map(|u| u.into_domain(email.into_iter().collect(), phone.into_iter().collect()))
                .transpose()?
                .map(TemplateUser);
            Ok((session.into_domain()?, active, user))
        })
        .await
    }

    async fn forget_active_organization(
        &self,
        session: &SessionId,
        organization: &OrganizationId,
        now: UnixMillis,
    ) -> Result<bool, StoreError> {
        let session = session.to_string();
        let organization = organization.to_string();
        let now = now.as_millis();
        run(&self.pool, move |conn: &mut Conn| {
            let n = diesel::update(
                sessions::table
                    .filter(sessions::id.eq(&session))
                    .filter(sessions::last_active_organization_id.eq(&organization)),
            )
            .set((
                sessions::last_active_organization_id.eq(None::<String>),
                sessions::updated_at.eq(updated_at_moved_to(now)),
            ))
            .execute(conn)
            .map_err(|e| unexpected(e, "forgetting a session's organization"))?;
            Ok(n > 0)
        })
        .await
    }

    async fn list_sessions(&self, query: &SessionQuery) -> Result<SessionPage, StoreError> {
        let client_id = query.client_id.as_ref().map(ToString::to_string);
        let user_id = query.user_id.as_ref().map(ToString::to_string);
        let status = query.status.map(|s| s.as_str());
        let (limit, offset) = (i64::from(query.limit), i64::from(query.offset));
        run(&self.pool, move |conn: &mut Conn| {
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
        run(&self.pool, move |conn: &mut Conn| {
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
        run(&self.pool, move |conn: &mut Conn| {
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
        user: Option<UserChange<'_>>,
    ) -> Result<(), SaveSignInError> {
        let user_row = user.map(|u| (UserRow::from_domain(u.user), u.previous.updated_at()));
        let client_row = ClientRow::from_domain(client);
        let previous_updated_at = previous.updated_at().as_millis();
        let session_row = SessionRow::from_domain(session);
        let ticket_row = ticket.map(SignInTokenRow::from_domain);
        let replaced: Vec<SessionRow> = replaced.iter().map(SessionRow::from_domain).collect();
        run(&self.pool, move |conn: &mut Conn| {
            let result = write_tx(conn, |conn| {
                if update_client_row(conn, &client_row, previous_updated_at)? == 0 {
                    return Err(TxError::Abort(
                        match client_missing_or_changed(conn, &client_row.id)? {
                            UpdateClientError::NotFound => SaveSignInError::ClientNotFound,
                            _ => SaveSignInError::ClientChanged,
                        },
                    ));
                }
                if let Some((row, previous_updated_at)) = &user_row
                    && !cas_user_row(conn, row, *previous_updated_at)?
                {
                    return Err(TxError::Abort(SaveSignInError::UserChanged));
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
                TxError::Db(e) => SaveSignInError::Unexpected(unexpected(e, "saving a sign-in")),
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
        let rows: Vec<SessionRow> = sessions.iter().map(SessionRow::from_domain).collect();
        run(&self.pool, move |conn: &mut Conn| {
            let result = write_tx(conn, |conn| {
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
                TxError::Db(e) => UpdateClientError::Unexpected(unexpected(e, "saving a sign-out")),
            })
        })
        .await
    }
}
