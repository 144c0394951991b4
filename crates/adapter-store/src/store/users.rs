//! Users with their email addresses and phone numbers: the `UserStore`
//! port. A user is written with its identifiers in one transaction; a
//! unique index refusing an identifier is reported as which kind of
//! identifier another user holds, looked up after the rollback.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use hallpass_adapter_store::blocking::run;
use hallpass_adapter_store::errors::{TxError, is_unique_violation, unexpected};
use hallpass_adapter_store::identity_rows::{EmailAddressRow, PhoneNumberRow, UserRow};
use hallpass_adapter_store::schema::{
    organization_memberships, organizations, refresh_tokens, sessions, sign_in_tokens,
    user_email_addresses, user_phone_numbers, users,
};
use hallpass_domain::{UnixMillis, User, UserId};
use hallpass_ports::{
    DeleteUserError, FindUserError, InsertUserError, StoreError, UpdateUserError, UserFilter,
    UserIdentifier, UserQuery, UserStore,
};

use super::LIVE;
use super::identity_query::{filtered_users, ordered_users, updated_at_moved_to, users_after};
use crate::backend::{Conn, Store, lock_user, write_tx};

/// Identifier rows by user id, each list in the user's order.
type ByUser<T> = HashMap<String, Vec<T>>;

/// An email address (`true`) or phone number row, as the identifiers'
/// `UNION ALL` reads it: the tables have the same columns.
type IdentifierTuple = (bool, String, String, i32, String, bool, i64, i64);

/// The identifiers of `ids`, both kinds in one statement.
fn load_identifiers(
    conn: &mut Conn,
    ids: &[String],
) -> QueryResult<(ByUser<EmailAddressRow>, ByUser<PhoneNumberRow>)> {
    use diesel::expression::IntoSql as _;
    use diesel::sql_types::Bool;
    let mut emails: ByUser<EmailAddressRow> = HashMap::new();
    let mut phones: ByUser<PhoneNumberRow> = HashMap::new();
    if ids.is_empty() {
        return Ok((emails, phones));
    }
    let email_rows = user_email_addresses::table
        .filter(user_email_addresses::user_id.eq_any(ids))
        .select((
            true.into_sql::<Bool>(),
            user_email_addresses::id,
            user_email_addresses::user_id,
            user_email_addresses::position,
            user_email_addresses::email_address,
            user_email_addresses::verified,
            user_email_addresses::created_at,
            user_email_addresses::updated_at,
        ));
    let phone_rows = user_phone_numbers::table
        .filter(user_phone_numbers::user_id.eq_any(ids))
        .select((
            false.into_sql::<Bool>(),
            user_phone_numbers::id,
            user_phone_numbers::user_id,
            user_phone_numbers::position,
            user_phone_numbers::phone_number,
            user_phone_numbers::verified,
            user_phone_numbers::created_at,
            user_phone_numbers::updated_at,
        ));
    let rows: Vec<IdentifierTuple> = email_rows.union_all(phone_rows).load(conn)?;
    for (is_email, id, user_id, position, value, verified, created_at, updated_at) in rows {
        if is_email {
            emails
                .entry(user_id.clone())
                .or_default()
                .push(EmailAddressRow {
                    id,
                    user_id,
                    position,
                    email_address: value,
                    verified,
                    created_at,
                    updated_at,
                });
        } else {
            phones
                .entry(user_id.clone())
                .or_default()
                .push(PhoneNumberRow {
                    id,
                    user_id,
                    position,
                    phone_number: value,
                    verified,
                    created_at,
                    updated_at,
                });
        }
    }
    // In each user's order.
    for list in emails.values_mut() {
        list.sort_by_key(|r| r.position);
    }
    for list in phones.values_mut() {
        list.sort_by_key(|r| r.position);
    }
    Ok((emails, phones))
}

/// Users from their rows, identifiers read in one more statement; in the
/// rows' order.
pub(super) fn assemble_users(conn: &mut Conn, rows: Vec<UserRow>) -> Result<Vec<User>, StoreError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let (mut emails, mut phones) =
        load_identifiers(conn, &ids).map_err(|e| unexpected(e, "reading users' identifiers"))?;
    let users = rows
        .into_iter()
        .map(|row| {
            let e = emails.remove(&row.id).unwrap_or_default();
            let p = phones.remove(&row.id).unwrap_or_default();
            row.into_domain(e, p)
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(users)
}

/// Which identifier of `user` another user holds, if any: what a unique
/// violation was about.
fn taken(conn: &mut Conn, user: &User) -> QueryResult<Option<UserIdentifier>> {
    let id = user.id().as_str();
    let emails: Vec<&str> = user
        .email_addresses()
        .iter()
        .map(|e| e.email_address.as_str())
        .collect();
    if !emails.is_empty() {
        let n: i64 = user_email_addresses::table
            .filter(user_email_addresses::email_address.eq_any(&emails))
            .filter(user_email_addresses::user_id.ne(id))
            .count()
            .get_result(conn)?;
        if n > 0 {
            return Ok(Some(UserIdentifier::EmailAddress));
        }
    }
    let phones: Vec<&str> = user
        .phone_numbers()
        .iter()
        .map(|p| p.phone_number.as_str())
        .collect();
    if !phones.is_empty() {
        let n: i64 = user_phone_numbers::table
            .filter(user_phone_numbers::phone_number.eq_any(&phones))
            .filter(user_phone_numbers::user_id.ne(id))
            .count()
            .get_result(conn)?;
        if n > 0 {
            return Ok(Some(UserIdentifier::PhoneNumber));
        }
    }
    if let Some(username) = user.username() {
        let n: i64 = users::table
            .filter(super::lower(users::username).eq(username.normalized()))
            .filter(users::id.ne(id))
            .count()
            .get_result(conn)?;
        if n > 0 {
            return Ok(Some(UserIdentifier::Username));
        }
    }
    if let Some(external_id) = user.external_id() {
        let n: i64 = users::table
            .filter(users::external_id.eq(external_id.as_str()))
            .filter(users::id.ne(id))
            .count()
            .get_result(conn)?;
        if n > 0 {
            return Ok(Some(UserIdentifier::ExternalId));
        }
    }
    Ok(None)
}

/// Writes the user's email addresses (phone numbers) as they are in
/// `user`, given that they were as in `previous`: removed ones deleted,
/// the others updated in place or inserted.
fn write_identifiers(conn: &mut Conn, user: &User, previous: &User) -> QueryResult<()> {
    let uid = user.id().as_str();
    if user.email_addresses() != previous.email_addresses() {
        let rows = EmailAddressRow::all_of(user);
        let keep: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        diesel::delete(
            user_email_addresses::table
                .filter(user_email_addresses::user_id.eq(uid))
                .filter(user_email_addresses::id.ne_all(&keep)),
        )
        .execute(conn)?;
        for row in &rows {
            let n = diesel::update(
                user_email_addresses::table
                    .filter(user_email_addresses::id.eq(&row.id))
                    .filter(user_email_addresses::user_id.eq(uid)),
            )
            .set(row)
            .execute(conn)?;
            if n == 0 {
                diesel::insert_into(user_email_addresses::table)
                    .values(row)
                    .execute(conn)?;
            }
        }
    }
    if user.phone_numbers() != previous.phone_numbers() {
        let rows = PhoneNumberRow::all_of(user);
        let keep: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        diesel::delete(
            user_phone_numbers::table
                .filter(user_phone_numbers::user_id.eq(uid))
                .filter(user_phone_numbers::id.ne_all(&keep)),
        )
        .execute(conn)?;
        for row in &rows {
            let n = diesel::update(
                user_phone_numbers::table
                    .filter(user_phone_numbers::id.eq(&row.id))
                    .filter(user_phone_numbers::user_id.eq(uid)),
            )
            .set(row)
            .execute(conn)?;
            if n == 0 {
                diesel::insert_into(user_phone_numbers::table)
                    .values(row)
                    .execute(conn)?;
            }
        }
    }
    Ok(())
}

/// Revokes the user's sessions that are live at `now` (stored live and
/// before both deadlines, as `Session::revoke` decides; a session past a
/// deadline is left for the sweep to expire) and the refresh tokens of all
/// its sessions. Returns how many sessions were revoked.
fn revoke_user_sessions(conn: &mut Conn, user_id: &str, now: i64) -> QueryResult<usize> {
    let revoked = diesel::update(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::status.eq_any(LIVE))
            .filter(sessions::expire_at.gt(now))
            .filter(sessions::abandon_at.gt(now)),
    )
    .set((
        sessions::status.eq("revoked"),
        sessions::updated_at.eq(updated_at_moved_to(now)),
    ))
    .execute(conn)?;
    diesel::update(
        refresh_tokens::table
            .filter(
                refresh_tokens::session_id.eq_any(
                    sessions::table
                        .filter(sessions::user_id.eq(user_id))
                        .select(sessions::id),
                ),
            )
            .filter(refresh_tokens::status.ne("revoked")),
    )
    .set(refresh_tokens::status.eq("revoked"))
    .execute(conn)?;
    Ok(revoked)
}

/// Writes the user's row if the stored one is still at
/// `previous_updated_at`; `false` when it is not (changed or gone).
pub(super) fn cas_user_row(
    conn: &mut Conn,
    row: &UserRow,
    previous_updated_at: UnixMillis,
) -> QueryResult<bool> {
    let n = diesel::update(
        users::table
            .filter(users::id.eq(&row.id))
            .filter(users::updated_at.eq(previous_updated_at.as_millis())),
    )
    .set(row)
    .execute(conn)?;
    Ok(n > 0)
}

/// Compare-and-set of the user's row and its identifiers; `Abort` with
/// `NotFound` or `Changed` when the stored user is not `previous`.
fn update_user_tx(
    conn: &mut Conn,
    user: &User,
    previous: &User,
) -> Result<(), TxError<UpdateUserError>> {
    let row = UserRow::from_domain(user);
    if !cas_user_row(conn, &row, previous.updated_at())? {
        let exists: bool =
            diesel::select(diesel::dsl::exists(users::table.find(&row.id))).get_result(conn)?;
        return Err(TxError::Abort(if exists {
            UpdateUserError::Changed
        } else {
            UpdateUserError::NotFound
        }));
    }
    write_identifiers(conn, user, previous)?;
    Ok(())
}

/// An update's outcome: a unique violation becomes `Taken` (which
/// identifier, read after the rollback).
fn update_result<T>(
    conn: &mut Conn,
    user: &User,
    result: Result<T, TxError<UpdateUserError>>,
    doing: &'static str,
) -> Result<T, UpdateUserError> {
    match result {
        Ok(v) => Ok(v),
        Err(TxError::Abort(e)) => Err(e),
        Err(TxError::Db(e)) if is_unique_violation(&e) => match taken(conn, user) {
            Ok(Some(kind)) => Err(UpdateUserError::Taken(kind)),
            Ok(None) => Err(UpdateUserError::Unexpected(unexpected(e, doing))),
            Err(e) => Err(UpdateUserError::Unexpected(unexpected(e, doing))),
        },
        Err(TxError::Db(e)) => Err(UpdateUserError::Unexpected(unexpected(e, doing))),
    }
}

impl UserStore for Store {
    async fn insert_user(&self, user: &User) -> Result<(), InsertUserError> {
        let user = user.clone();
        run(&self.pool, move |conn: &mut Conn| {
            let row = UserRow::from_domain(&user);
            let emails = EmailAddressRow::all_of(&user);
            let phones = PhoneNumberRow::all_of(&user);
            let result = write_tx(conn, |conn| {
                diesel::insert_into(users::table)
                    .values(&row)
                    .execute(conn)?;
                if !emails.is_empty() {
                    diesel::insert_into(user_email_addresses::table)
                        .values(&emails)
                        .execute(conn)?;
                }
                if !phones.is_empty() {
                    diesel::insert_into(user_phone_numbers::table)
                        .values(&phones)
                        .execute(conn)?;
                }
                Ok::<_, DieselError>(())
            });
            match result {
                Ok(()) => Ok(()),
                Err(e) if is_unique_violation(&e) => {
                    let exists: bool =
                        diesel::select(diesel::dsl::exists(users::table.find(&row.id)))
                            .get_result(conn)
                            .map_err(|e| unexpected(e, "checking a user"))?;
                    if exists {
                        return Err(InsertUserError::Conflict);
                    }
                    match taken(conn, &user).map_err(|e| unexpected(e, "checking identifiers"))? {
                        Some(kind) => Err(InsertUserError::Taken(kind)),
                        // An email address or phone number id in use.
                        None => Err(InsertUserError::Conflict),
                    }
                }
                Err(e) => Err(InsertUserError::Unexpected(unexpected(
                    e,
                    "inserting a user",
                ))),
            }
        })
        .await
    }

    async fn find_user(&self, id: &UserId) -> Result<User, FindUserError> {
        let id = id.to_string();
        run(&self.pool, move |conn: &mut Conn| {
            let row = users::table
                .find(&id)
                .select(UserRow::as_select())
                .first(conn)
                .optional()
                .map_err(|e| unexpected(e, "finding a user"))?
                .ok_or(FindUserError::NotFound)?;
            let mut users = assemble_users(conn, vec![row]).map_err(|e| e.0)?;
            users
                .pop()
                .ok_or_else(|| FindUserError::Unexpected(anyhow::anyhow!("a user went missing")))
        })
        .await
    }

    async fn find_users(&self, ids: &[UserId]) -> Result<Vec<User>, StoreError> {
        let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
        run(&self.pool, move |conn: &mut Conn| {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            let rows = users::table
                .filter(users::id.eq_any(&ids))
                .select(UserRow::as_select())
                .load(conn)
                .map_err(|e| unexpected(e, "finding users"))?;
            assemble_users(conn, rows)
        })
        .await
    }

    async fn find_user_by_identification(
        &self,
        identification_id: &str,
    ) -> Result<User, FindUserError> {
        let id = identification_id.to_owned();
        run(&self.pool, move |conn: &mut Conn| {
            let by_email: Option<String> = user_email_addresses::table
                .find(&id)
                .select(user_email_addresses::user_id)
                .first(conn)
                .optional()
                .map_err(|e| unexpected(e, "finding an email address"))?;
            let owner = match by_email {
                Some(owner) => Some(owner),
                None => user_phone_numbers::table
                    .find(&id)
                    .select(user_phone_numbers::user_id)
                    .first(conn)
                    .optional()
                    .map_err(|e| unexpected(e, "finding a phone number"))?,
            }
            .ok_or(FindUserError::NotFound)?;
            let row = users::table
                .find(&owner)
                .select(UserRow::as_select())
                .first(conn)
                .optional()
                .map_err(|e| unexpected(e, "finding a user"))?
                .ok_or(FindUserError::NotFound)?;
            let mut users = assemble_users(conn, vec![row]).map_err(|e| e.0)?;
            users
                .pop()
                .ok_or_else(|| FindUserError::Unexpected(anyhow::anyhow!("a user went missing")))
        })
        .await
    }

    async fn update_user(&self, user: &User, previous: &User) -> Result<(), UpdateUserError> {
        let (user, previous) = (user.clone(), previous.clone());
        run(&self.pool, move |conn: &mut Conn| {
            let result = write_tx(conn, |conn| update_user_tx(conn, &user, &previous));
            update_result(conn, &user, result, "updating a user")
        })
        .await
    }

    async fn record_user_activity(&self, id: &UserId, day: UnixMillis) -> Result<bool, StoreError> {
        let id = id.to_string();
        let day = day.as_millis();
        run(&self.pool, move |conn: &mut Conn| {
            let n = diesel::update(
                users::table.filter(users::id.eq(&id)).filter(
                    users::last_active_at
                        .is_null()
                        .or(users::last_active_at.lt(day)),
                ),
            )
            .set(users::last_active_at.eq(day))
            .execute(conn)
            .map_err(|e| unexpected(e, "recording a user's activity"))?;
            Ok(n > 0)
        })
        .await
    }

    async fn save_user_and_revoke_sessions(
        &self,
        user: &User,
        previous: &User,
        now: UnixMillis,
    ) -> Result<u64, UpdateUserError> {
        let (user, previous) = (user.clone(), previous.clone());
        let now = now.as_millis();
        run(&self.pool, move |conn: &mut Conn| {
            let result = write_tx(conn, |conn| {
                update_user_tx(conn, &user, &previous)?;
                Ok(revoke_user_sessions(conn, user.id().as_str(), now)?)
            });
            let revoked = update_result(conn, &user, result, "saving a user and its sessions")?;
            Ok(u64::try_from(revoked).unwrap_or(u64::MAX))
        })
        .await
    }

    async fn delete_user(&self, id: &UserId, now: UnixMillis) -> Result<u64, DeleteUserError> {
        let id = id.to_string();
        let now = now.as_millis();
        run(&self.pool, move |conn: &mut Conn| {
            let result = write_tx(conn, |conn| {
                // Locked first (PostgreSQL): a membership being inserted
                // for the user holds a key-share lock on this row until it
                // commits, so every membership counted below is seen, and
                // none is added after.
                if !lock_user(conn, &id)? {
                    return Err(TxError::Abort(DeleteUserError::NotFound));
                }
                diesel::update(
                    organizations::table.filter(
                        organizations::id.eq_any(
                            organization_memberships::table
                                .filter(organization_memberships::user_id.eq(&id))
                                .select(organization_memberships::organization_id),
                        ),
                    ),
                )
                .set(organizations::members_count.eq(organizations::members_count - 1))
                .execute(conn)?;
                diesel::delete(
                    organization_memberships::table
                        .filter(organization_memberships::user_id.eq(&id)),
                )
                .execute(conn)?;
                diesel::delete(
                    user_email_addresses::table.filter(user_email_addresses::user_id.eq(&id)),
                )
                .execute(conn)?;
                diesel::delete(
                    user_phone_numbers::table.filter(user_phone_numbers::user_id.eq(&id)),
                )
                .execute(conn)?;
                diesel::delete(users::table.find(&id)).execute(conn)?;
                let revoked = revoke_user_sessions(conn, &id, now)?;
                diesel::update(
                    sign_in_tokens::table
                        .filter(sign_in_tokens::user_id.eq(&id))
                        .filter(sign_in_tokens::status.eq("pending")),
                )
                .set((
                    sign_in_tokens::status.eq("revoked"),
                    sign_in_tokens::updated_at.eq(updated_at_moved_to(now)),
                ))
                .execute(conn)?;
                Ok(revoked)
            });
            let revoked = result.map_err(|e| match e {
                TxError::Abort(e) => e,
                TxError::Db(e) => DeleteUserError::Unexpected(unexpected(e, "deleting a user")),
            })?;
            Ok(u64::try_from(revoked).unwrap_or(u64::MAX))
        })
        .await
    }

    async fn list_users_page(&self, query: &UserQuery) -> Result<Vec<User>, StoreError> {
        let query = query.clone();
        run(&self.pool, move |conn: &mut Conn| users_page(conn, &query)).await
    }

    async fn list_users(&self, query: &UserQuery) -> Result<(Vec<User>, u64), StoreError> {
        let query = query.clone();
        run(&self.pool, move |conn: &mut Conn| {
            let total: i64 = filtered_users(&query.filter, true)
                .count()
                .get_result(conn)
                .map_err(|e| unexpected(e, "counting users"))?;
            let users = users_page(conn, &query)?;
            Ok((users, u64::try_from(total).unwrap_or(0)))
        })
        .await
    }

    async fn count_users(&self, filter: &UserFilter) -> Result<u64, StoreError> {
        let filter = filter.clone();
        run(&self.pool, move |conn: &mut Conn| {
            let total: i64 = filtered_users(&filter, true)
                .count()
                .get_result(conn)
                .map_err(|e| unexpected(e, "counting users"))?;
            Ok(u64::try_from(total).unwrap_or(0))
        })
        .await
    }
}

/// A page of the users matching the query, with their identifiers.
fn users_page(conn: &mut Conn, query: &UserQuery) -> Result<Vec<User>, StoreError> {
    let mut page = filtered_users(&query.filter, true);
    if let Some(after) = &query.starting_after {
        page = page.filter(users_after(after.as_str(), query.order.descending));
    }
    let rows: Vec<UserRow> = ordered_users(page, &query.order)
        .limit(i64::from(query.limit))
        .offset(i64::from(query.offset))
        .select(UserRow::as_select())
        .load(conn)
        .map_err(|e| unexpected(e, "listing users"))?;
    assemble_users(conn, rows)
}

/// Whether a database error is a foreign key refusing a row.
pub(super) fn is_foreign_key_violation(e: &DieselError) -> bool {
    matches!(
        e,
        DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _)
    )
}
