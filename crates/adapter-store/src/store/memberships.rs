//! Memberships: the `MembershipStore` port. Every membership written or
//! deleted moves its organization's `members_count` in the same
//! transaction; an insert takes its place with a conditional `UPDATE` of
//! the organization's row (`members_count < max_allowed_memberships`),
//! which PostgreSQL re-checks after a concurrent insert commits, so racing
//! inserts cannot pass the limit.

use diesel::dsl::sql;
use diesel::prelude::*;
use hallpass_adapter_store::blocking::run;
use hallpass_adapter_store::errors::{TxError, is_unique_violation, unexpected};
use hallpass_adapter_store::identity_rows::{MembershipRow, OrganizationRow, UserRow};
use hallpass_adapter_store::rows::{ClientRow, SessionRow};
use hallpass_adapter_store::schema::{
    clients, organization_memberships, organizations, sessions, users,
};
use hallpass_domain::{ClientId, Membership, OrganizationId, User, UserId};
use hallpass_ports::{
    ClientWithUsers, DeleteMembershipError, FindClientError, InsertMembershipError,
    MembershipOrderField, MembershipQuery, MembershipStore, MembershipView, PublicUserData,
    StoreError, UpdateMembershipError,
};

use super::identity_query::{direction, filtered_users, matches_everyone, nullable_term};
use super::users::{assemble_users, is_foreign_key_violation};
use crate::backend::{Conn, Store, write_tx};

type ViewRow = (MembershipRow, OrganizationRow, UserRow);

fn into_view((m, o, u): ViewRow) -> anyhow::Result<MembershipView> {
    Ok(MembershipView {
        membership: m.into_domain()?,
        organization: o.into_domain()?,
        user: u.into_public()?,
    })
}

fn into_views(rows: Vec<ViewRow>) -> Result<Vec<MembershipView>, StoreError> {
    Ok(rows
        .into_iter()
        .map(into_view)
        .collect::<anyhow::Result<_>>()?)
}

fn membership_exists(conn: &mut Conn, organization: &str, user: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        organization_memberships::table
            .filter(organization_memberships::organization_id.eq(organization))
            .filter(organization_memberships::user_id.eq(user)),
    ))
    .get_result(conn)
}

/// The memberships' `ORDER BY`, ties broken by the membership's id. SQL
/// text of ours.
fn membership_order(query: &MembershipQuery) -> String {
    let d = query.order.descending;
    let term = match query.order.field {
        MembershipOrderField::CreatedAt => format!(
            "organization_memberships.created_at {}",
            direction(&query.order)
        ),
        MembershipOrderField::EmailAddress => nullable_term("users.primary_email_address", d),
        MembershipOrderField::PhoneNumber => nullable_term("users.primary_phone_number", d),
        MembershipOrderField::Username => nullable_term("lower(users.username)", d),
        MembershipOrderField::FirstName => nullable_term("lower(users.first_name)", d),
        MembershipOrderField::LastName => nullable_term("lower(users.last_name)", d),
    };
    format!(
        "{term}, organization_memberships.id {}",
        direction(&query.order)
    )
}

impl MembershipStore for Store {
    async fn insert_membership(
        &self,
        membership: &Membership,
    ) -> Result<(), InsertMembershipError> {
        let row = MembershipRow::from_domain(membership);
        run(&self.pool, move |conn: &mut Conn| {
            let result = write_tx(conn, |conn| {
                let user_exists: bool =
                    diesel::select(diesel::dsl::exists(users::table.find(&row.user_id)))
                        .get_result(conn)?;
                if !user_exists {
                    return Err(TxError::Abort(InsertMembershipError::UserNotFound));
                }
                if membership_exists(conn, &row.organization_id, &row.user_id)? {
                    return Err(TxError::Abort(InsertMembershipError::AlreadyMember));
                }
                // The place, taken on the organization's row: one more
                // member unless the limit is reached (0: no limit).
                let counted = diesel::update(
                    organizations::table
                        .filter(organizations::id.eq(&row.organization_id))
                        .filter(organizations::max_allowed_memberships.eq(0).or(
                            organizations::members_count.lt(organizations::max_allowed_memberships),
                        )),
                )
                .set(organizations::members_count.eq(organizations::members_count + 1))
                .execute(conn)?;
                if counted == 0 {
                    let max: Option<i64> = organizations::table
                        .find(&row.organization_id)
                        .select(organizations::max_allowed_memberships)
                        .first(conn)
                        .optional()?;
                    return Err(TxError::Abort(match max {
                        None => InsertMembershipError::OrganizationNotFound,
                        Some(max) => InsertMembershipError::LimitReached {
                            max: u32::try_from(max).unwrap_or(u32::MAX),
                        },
                    }));
                }
                diesel::insert_into(organization_memberships::table)
                    .values(&row)
                    .execute(conn)?;
                Ok(())
            });
            match result {
                Ok(()) => Ok(()),
                Err(TxError::Abort(e)) => Err(e),
                // A concurrent insert of the same member committed first.
                Err(TxError::Db(e)) if is_unique_violation(&e) => {
                    if membership_exists(conn, &row.organization_id, &row.user_id)
                        .map_err(|e| unexpected(e, "checking a membership"))?
                    {
                        Err(InsertMembershipError::AlreadyMember)
                    } else {
                        Err(InsertMembershipError::Unexpected(unexpected(
                            e,
                            "inserting a membership",
                        )))
                    }
                }
                // The user was deleted concurrently.
                Err(TxError::Db(e)) if is_foreign_key_violation(&e) => {
                    Err(InsertMembershipError::UserNotFound)
                }
                Err(TxError::Db(e)) => Err(InsertMembershipError::Unexpected(unexpected(
                    e,
                    "inserting a membership",
                ))),
            }
        })
        .await
    }

    async fn find_membership(
        &self,
        organization: &OrganizationId,
        user: &UserId,
    ) -> Result<Option<Membership>, StoreError> {
        let (organization, user) = (organization.to_string(), user.to_string());
        run(&self.pool, move |conn: &mut Conn| {
            let row: Option<MembershipRow> = organization_memberships::table
                .filter(organization_memberships::organization_id.eq(&organization))
                .filter(organization_memberships::user_id.eq(&user))
                .select(MembershipRow::as_select())
                .first(conn)
                .optional()
                .map_err(|e| unexpected(e, "finding a membership"))?;
            Ok(row.map(MembershipRow::into_domain).transpose()?)
        })
        .await
    }

    async fn update_membership(
        &self,
        membership: &Membership,
        previous: &Membership,
    ) -> Result<(), UpdateMembershipError> {
        let row = MembershipRow::from_domain(membership);
        let previous_updated_at = previous.updated_at().as_millis();
        run(&self.pool, move |conn: &mut Conn| {
            let n = diesel::update(
                organization_memberships::table
                    .filter(organization_memberships::id.eq(&row.id))
                    .filter(organization_memberships::organization_id.eq(&row.organization_id))
                    .filter(organization_memberships::user_id.eq(&row.user_id))
                    .filter(organization_memberships::updated_at.eq(previous_updated_at)),
            )
            .set(&row)
            .execute(conn)
            .map_err(|e| unexpected(e, "updating a membership"))?;
            if n > 0 {
                return Ok(());
            }
            let exists: bool = diesel::select(diesel::dsl::exists(
                organization_memberships::table.find(&row.id),
            ))
            .get_result(conn)
            .map_err(|e| unexpected(e, "checking a membership"))?;
            Err(if exists {
                UpdateMembershipError::Changed
            } else {
                UpdateMembershipError::NotFound
            })
        })
        .await
    }

    async fn delete_membership(
        &self,
        organization: &OrganizationId,
        user: &UserId,
    ) -> Result<MembershipView, DeleteMembershipError> {
        let (organization, user) = (organization.to_string(), user.to_string());
        run(&self.pool, move |conn: &mut Conn| {
            let result = write_tx(conn, |conn| {
                let Some(view): Option<ViewRow> = organization_memberships::table
                    .inner_join(organizations::table)
                    .inner_join(users::table)
                    .filter(organization_memberships::organization_id.eq(&organization))
                    .filter(organization_memberships::user_id.eq(&user))
                    .select((
                        MembershipRow::as_select(),
                        OrganizationRow::as_select(),
                        UserRow::as_select(),
                    ))
                    .first(conn)
                    .optional()?
                else {
                    return Err(TxError::Abort(DeleteMembershipError::NotFound));
                };
                // A concurrent delete of the same membership deletes it
                // once: the second finds no row and changes nothing.
                let deleted = diesel::delete(organization_memberships::table.find(&view.0.id))
                    .execute(conn)?;
                if deleted == 0 {
                    return Err(TxError::Abort(DeleteMembershipError::NotFound));
                }
                diesel::update(organizations::table.find(&organization))
                    .set(organizations::members_count.eq(organizations::members_count - 1))
                    .execute(conn)?;
                Ok(view)
            });
            let (m, mut o, u) = result.map_err(|e| match e {
                TxError::Abort(e) => e,
                TxError::Db(e) => {
                    DeleteMembershipError::Unexpected(unexpected(e, "deleting a membership"))
                }
            })?;
            o.members_count = (o.members_count - 1).max(0);
            Ok(into_view((m, o, u))?)
        })
        .await
    }

    async fn list_organization_memberships(
        &self,
        organization: Option<&OrganizationId>,
        query: &MembershipQuery,
    ) -> Result<(Vec<MembershipView>, u64), StoreError> {
        let organization = organization.map(ToString::to_string);
        let query = query.clone();
        run(&self.pool, move |conn: &mut Conn| {
            let base = || {
                let mut q = organization_memberships::table
                    .inner_join(organizations::table)
                    .inner_join(users::table)
                    .into_boxed();
                if let Some(organization) = &organization {
                    q = q
                        .filter(organization_memberships::organization_id.eq(organization.clone()));
                }
                if !matches_everyone(&query.users) {
                    q = q.filter(
                        organization_memberships::user_id
                            .eq_any(filtered_users(&query.users, false).select(users::id)),
                    );
                }
                if !query.roles.is_empty() {
                    let roles: Vec<String> =
                        query.roles.iter().map(|r| r.as_str().to_owned()).collect();
                    q = q.filter(organization_memberships::role.eq_any(roles));
                }
                q
            };
            let total: i64 = base()
                .count()
                .get_result(conn)
                .map_err(|e| unexpected(e, "counting memberships"))?;
            let rows: Vec<ViewRow> = base()
                .order(sql::<diesel::sql_types::BigInt>(&membership_order(&query)))
                .limit(i64::from(query.limit))
                .offset(i64::from(query.offset))
                .select((
                    MembershipRow::as_select(),
                    OrganizationRow::as_select(),
                    UserRow::as_select(),
                ))
                .load(conn)
                .map_err(|e| unexpected(e, "listing memberships"))?;
            Ok((into_views(rows)?, u64::try_from(total).unwrap_or(0)))
        })
        .await
    }

    async fn find_users_with_memberships(
        &self,
        ids: &[UserId],
        per_user: u32,
    ) -> Result<Vec<(User, Vec<MembershipView>)>, StoreError> {
        let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
        run(&self.pool, move |conn: &mut Conn| {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            let rows: Vec<(UserRow, bool)> = users::table
                .filter(users::id.eq_any(&ids))
                .select((UserRow::as_select(), has_memberships()))
                .load(conn)
                .map_err(|e| unexpected(e, "finding users"))?;
            with_memberships(conn, rows, per_user)
        })
        .await
    }

    async fn find_client_with_session_users(
        &self,
        client_id: &ClientId,
        per_user: u32,
    ) -> Result<ClientWithUsers, FindClientError> {
        let client_id = client_id.to_string();
        run(&self.pool, move |conn: &mut Conn| {
            // The client row repeated beside each of its sessions and the
            // session's user (NULLs for a client without sessions, a
            // session whose user is gone).
            let rows: Vec<(ClientRow, Option<SessionRow>, Option<UserRow>, bool)> = clients::table
                .left_join(sessions::table.on(sessions::client_id.eq(clients::id)))
                .left_join(users::table.on(users::id.eq(sessions::user_id)))
                .filter(clients::id.eq(&client_id))
                .order((sessions::created_at.desc(), sessions::id.desc()))
                .select((
                    ClientRow::as_select(),
                    Option::<SessionRow>::as_select(),
                    Option::<UserRow>::as_select(),
                    has_memberships(),
                ))
                .load(conn)
                .map_err(|e| unexpected(e, "reading a client, its sessions and users"))?;
            let mut sessions = Vec::with_capacity(rows.len());
            let mut users: Vec<(UserRow, bool)> = Vec::new();
            let mut client = None;
            for (c, session, user, member) in rows {
                client.get_or_insert(c);
                sessions.extend(session.map(SessionRow::into_domain).transpose()?);
                if let Some(user) = user
                    && !users.iter().any(|(u, _)| u.id == user.id)
                {
                    users.push((user, member));
                }
            }
            let client = client.ok_or(FindClientError::NotFound)?.into_domain()?;
            let users = with_memberships(conn, users, per_user).map_err(|e| e.0)?;
            Ok(ClientWithUsers {
                client,
                sessions,
                users,
            })
        })
        .await
    }

    async fn list_user_memberships(
        &self,
        user: &UserId,
        limit: u32,
        offset: u32,
    ) -> Result<(Vec<MembershipView>, u64), StoreError> {
        let user = user.to_string();
        run(&self.pool, move |conn: &mut Conn| {
            let total: i64 = organization_memberships::table
                .filter(organization_memberships::user_id.eq(&user))
                .count()
                .get_result(conn)
                .map_err(|e| unexpected(e, "counting a user's memberships"))?;
            let page = user_memberships_page(conn, &user, limit, offset)?;
            Ok((page, u64::try_from(total).unwrap_or(0)))
        })
        .await
    }
}

/// Whether the user of the row at hand has any membership (a correlated
/// `EXISTS` on the memberships' user index).
fn has_memberships() -> diesel::dsl::exists<
    diesel::dsl::Filter<
        organization_memberships::table,
        diesel::dsl::Eq<organization_memberships::user_id, users::id>,
    >,
> {
    diesel::dsl::exists(
        organization_memberships::table.filter(organization_memberships::user_id.eq(users::id)),
    )
}

/// The users of `rows` with their identifiers, and the newest `per_user`
/// memberships of those who have some (the others cost no read).
fn with_memberships(
    conn: &mut Conn,
    rows: Vec<(UserRow, bool)>,
    per_user: u32,
) -> Result<Vec<(User, Vec<MembershipView>)>, StoreError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    // What each membership shows of its member, from the user's own row.
    let members: Vec<PublicUserData> = rows
        .iter()
        .filter(|(_, member)| *member)
        .map(|(u, _)| u.clone().into_public())
        .collect::<anyhow::Result<_>>()?;
    let users = assemble_users(conn, rows.into_iter().map(|(u, _)| u).collect())?;
    users
        .into_iter()
        .map(|user| {
            let memberships = match members.iter().find(|m| &m.user_id == user.id()) {
                Some(public) => own_memberships(conn, public, per_user)?,
                None => Vec::new(),
            };
            Ok((user, memberships))
        })
        .collect()
}

/// The newest `limit` memberships of the member `public` describes, with
/// their organizations (the member's own data is already at hand).
fn own_memberships(
    conn: &mut Conn,
    public: &PublicUserData,
    limit: u32,
) -> Result<Vec<MembershipView>, StoreError> {
    let rows: Vec<(MembershipRow, OrganizationRow)> = organization_memberships::table
        .inner_join(organizations::table)
        .filter(organization_memberships::user_id.eq(public.user_id.as_str()))
        .order((
            organization_memberships::created_at.desc(),
            organization_memberships::id.desc(),
        ))
        .limit(i64::from(limit))
        .select((MembershipRow::as_select(), OrganizationRow::as_select()))
        .load(conn)
        .map_err(|e| unexpected(e, "listing a member's memberships"))?;
    Ok(rows
        .into_iter()
        .map(|(m, o)| {
            Ok(MembershipView {
                membership: m.into_domain()?,
                organization: o.into_domain()?,
                user: public.clone(),
            })
        })
        .collect::<anyhow::Result<_>>()?)
}

/// A page of the user's memberships with their organizations, newest first.
fn user_memberships_page(
    conn: &mut Conn,
    user: &str,
    limit: u32,
    offset: u32,
) -> Result<Vec<MembershipView>, StoreError> {
    let rows: Vec<ViewRow> = organization_memberships::table
        .inner_join(organizations::table)
        .inner_join(users::table)
        .filter(organization_memberships::user_id.eq(user))
        .order((
            organization_memberships::created_at.desc(),
            organization_memberships::id.desc(),
        ))
        .limit(i64::from(limit))
        .offset(i64::from(offset))
        .select((
            MembershipRow::as_select(),
            OrganizationRow::as_select(),
            UserRow::as_select(),
        ))
        .load(conn)
        .map_err(|e| unexpected(e, "listing a user's memberships"))?;
    into_views(rows)
}
