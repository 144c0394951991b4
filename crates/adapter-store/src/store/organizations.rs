//! Organizations with their member counts: the `OrganizationStore` port.
//! `members_count` is written by the membership writes (and set here when
//! an organization is created with its creator), never by an update.

use diesel::dsl::sql;
use diesel::prelude::*;
use hallpass_adapter_store::blocking::run;
use hallpass_adapter_store::errors::{TxError, is_unique_violation, unexpected};
use hallpass_adapter_store::identity_rows::{MembershipRow, OrganizationRow};
use hallpass_adapter_store::schema::{organization_memberships, organizations, sessions, users};
use hallpass_domain::{Membership, Organization, OrganizationId, OrganizationRef, UnixMillis};
use hallpass_ports::{
    CountedOrganization, FindOrganizationError, IdFilter, InsertOrganizationError,
    OrganizationOrderField, OrganizationQuery, OrganizationStore, StoreError,
    UpdateOrganizationError,
};

use super::identity_query::{Cond, Db, any_of, direction, like, like_pattern, updated_at_moved_to};
use super::users::is_foreign_key_violation;
use crate::backend::{Conn, Store, write_tx};

/// Whether another organization than `id` has `slug`.
fn slug_taken(conn: &mut Conn, slug: &str, id: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        organizations::table
            .filter(organizations::slug.eq(slug))
            .filter(organizations::id.ne(id)),
    ))
    .get_result(conn)
}

/// Organizations whose id is in (`include`) or out of (`exclude`) a
/// subquery of memberships of the given users.
fn with_members(
    mut q: organizations::BoxedQuery<'static, Db>,
    users: &IdFilter,
) -> organizations::BoxedQuery<'static, Db> {
    let of = |ids: &[String]| {
        organization_memberships::table
            .filter(organization_memberships::user_id.eq_any(ids.to_vec()))
            .select(organization_memberships::organization_id)
    };
    if !users.include.is_empty() {
        q = q.filter(organizations::id.eq_any(of(&users.include)));
    }
    if !users.exclude.is_empty() {
        q = q.filter(organizations::id.ne_all(of(&users.exclude)));
    }
    q
}

fn filtered(query: &OrganizationQuery) -> organizations::BoxedQuery<'static, Db> {
    let mut q = organizations::table.into_boxed();
    if let Some(text) = &query.query {
        let p = like_pattern(text);
        let exact: Cond<organizations::table> = Box::new(organizations::id.eq(text.clone()));
        q = q.filter(any_of(vec![
            exact,
            like("lower(organizations.name)", &p),
            like("organizations.slug", &p),
        ]));
    }
    q = with_members(q, &query.user_ids);
    let IdFilter { include, exclude } = &query.organization_ids;
    if !include.is_empty() {
        q = q.filter(organizations::id.eq_any(include.clone()));
    }
    if !exclude.is_empty() {
        q = q.filter(organizations::id.ne_all(exclude.clone()));
    }
    q
}

/// The organizations' `ORDER BY`, ties broken by id. SQL text of ours.
fn organization_order(query: &OrganizationQuery) -> String {
    let d = direction(&query.order);
    let column = match query.order.field {
        OrganizationOrderField::CreatedAt => "organizations.created_at",
        OrganizationOrderField::Name => "lower(organizations.name)",
        OrganizationOrderField::MembersCount => "organizations.members_count",
    };
    format!("{column} {d}, organizations.id {d}")
}

impl OrganizationStore for Store {
    async fn insert_organization(
        &self,
        organization: &Organization,
        creator: Option<&Membership>,
    ) -> Result<(), InsertOrganizationError> {
        let row = OrganizationRow::from_domain(organization, i64::from(creator.is_some()));
        let creator = creator.map(MembershipRow::from_domain);
        run(&self.pool, move |conn: &mut Conn| {
            let result = write_tx(conn, |conn| {
                diesel::insert_into(organizations::table)
                    .values(&row)
                    .execute(conn)?;
                if let Some(m) = &creator {
                    let user_exists: bool =
                        diesel::select(diesel::dsl::exists(users::table.find(&m.user_id)))
                            .get_result(conn)?;
                    if !user_exists {
                        return Err(TxError::Abort(InsertOrganizationError::CreatorNotFound));
                    }
                    diesel::insert_into(organization_memberships::table)
                        .values(m)
                        .execute(conn)?;
                }
                Ok(())
            });
            match result {
                Ok(()) => Ok(()),
                Err(TxError::Abort(e)) => Err(e),
                Err(TxError::Db(e)) if is_unique_violation(&e) => {
                    if slug_taken(conn, &row.slug, &row.id)
                        .map_err(|e| unexpected(e, "checking a slug"))?
                    {
                        Err(InsertOrganizationError::SlugTaken)
                    } else {
                        Err(InsertOrganizationError::Conflict)
                    }
                }
                Err(TxError::Db(e)) if is_foreign_key_violation(&e) => {
                    Err(InsertOrganizationError::CreatorNotFound)
                }
                Err(TxError::Db(e)) => Err(InsertOrganizationError::Unexpected(unexpected(
                    e,
                    "inserting an organization",
                ))),
            }
        })
        .await
    }

    async fn find_organization(
        &self,
        organization: &OrganizationRef,
    ) -> Result<CountedOrganization, FindOrganizationError> {
        let id = organization.id().map(ToString::to_string);
        let slug = organization.slug().map(ToString::to_string);
        run(&self.pool, move |conn: &mut Conn| {
            // One statement: the id and the slug looked up together (an
            // `IdOrSlug` may find two organizations; the id wins).
            let mut q = organizations::table.into_boxed::<Db>();
            q = match (&id, &slug) {
                (Some(id), Some(slug)) => q.filter(
                    organizations::id
                        .eq(id.clone())
                        .or(organizations::slug.eq(slug.clone())),
                ),
                (Some(id), None) => q.filter(organizations::id.eq(id.clone())),
                (None, Some(slug)) => q.filter(organizations::slug.eq(slug.clone())),
                (None, None) => return Err(FindOrganizationError::NotFound),
            };
            let rows: Vec<OrganizationRow> = q
                .limit(2)
                .select(OrganizationRow::as_select())
                .load(conn)
                .map_err(|e| unexpected(e, "finding an organization"))?;
            let by_id = rows
                .iter()
                .position(|r| Some(&r.id) == id.as_ref())
                .unwrap_or(0);
            let row = rows
                .into_iter()
                .nth(by_id)
                .ok_or(FindOrganizationError::NotFound)?;
            Ok(row.into_domain()?)
        })
        .await
    }

    async fn update_organization(
        &self,
        organization: &Organization,
        previous: &Organization,
    ) -> Result<(), UpdateOrganizationError> {
        let row = OrganizationRow::from_domain(organization, 0);
        let previous_updated_at = previous.updated_at().as_millis();
        run(&self.pool, move |conn: &mut Conn| {
            let updated = diesel::update(
                organizations::table
                    .filter(organizations::id.eq(&row.id))
                    .filter(organizations::updated_at.eq(previous_updated_at)),
            )
            .set(&row)
            .execute(conn);
            match updated {
                Ok(0) => {
                    let exists: bool =
                        diesel::select(diesel::dsl::exists(organizations::table.find(&row.id)))
                            .get_result(conn)
                            .map_err(|e| unexpected(e, "checking an organization"))?;
                    Err(if exists {
                        UpdateOrganizationError::Changed
                    } else {
                        UpdateOrganizationError::NotFound
                    })
                }
                Ok(_) => Ok(()),
                Err(e) if is_unique_violation(&e) => {
                    if slug_taken(conn, &row.slug, &row.id)
                        .map_err(|e| unexpected(e, "checking a slug"))?
                    {
                        Err(UpdateOrganizationError::SlugTaken)
                    } else {
                        Err(UpdateOrganizationError::Unexpected(unexpected(
                            e,
                            "updating an organization",
                        )))
                    }
                }
                Err(e) => Err(UpdateOrganizationError::Unexpected(unexpected(
                    e,
                    "updating an organization",
                ))),
            }
        })
        .await
    }

    async fn delete_organization(
        &self,
        id: &OrganizationId,
        now: UnixMillis,
    ) -> Result<(), FindOrganizationError> {
        let id = id.to_string();
        let now = now.as_millis();
        run(&self.pool, move |conn: &mut Conn| {
            let result = write_tx(conn, |conn| {
                diesel::delete(
                    organization_memberships::table
                        .filter(organization_memberships::organization_id.eq(&id)),
                )
                .execute(conn)?;
                if diesel::delete(organizations::table.find(&id)).execute(conn)? == 0 {
                    return Err(TxError::Abort(FindOrganizationError::NotFound));
                }
                diesel::update(
                    sessions::table.filter(sessions::last_active_organization_id.eq(&id)),
                )
                .set((
                    sessions::last_active_organization_id.eq(None::<String>),
                    sessions::updated_at.eq(updated_at_moved_to(now)),
                ))
                .execute(conn)?;
                Ok(())
            });
            result.map_err(|e| match e {
                TxError::Abort(e) => e,
                TxError::Db(e) => {
                    FindOrganizationError::Unexpected(unexpected(e, "deleting an organization"))
                }
            })
        })
        .await
    }

    async fn list_organizations(
        &self,
        query: &OrganizationQuery,
    ) -> Result<(Vec<CountedOrganization>, u64), StoreError> {
        let query = query.clone();
        run(&self.pool, move |conn: &mut Conn| {
            let total: i64 = filtered(&query)
                .count()
                .get_result(conn)
                .map_err(|e| unexpected(e, "counting organizations"))?;
            let rows: Vec<OrganizationRow> = filtered(&query)
                .order(sql::<diesel::sql_types::BigInt>(&organization_order(
                    &query,
                )))
                .limit(i64::from(query.limit))
                .offset(i64::from(query.offset))
                .select(OrganizationRow::as_select())
                .load(conn)
                .map_err(|e| unexpected(e, "listing organizations"))?;
            let organizations = rows
                .into_iter()
                .map(OrganizationRow::into_domain)
                .collect::<anyhow::Result<_>>()?;
            Ok((organizations, u64::try_from(total).unwrap_or(0)))
        })
        .await
    }
}
