//! The query parameters of `GET /v1/users`, `GET /v1/users/count` and
//! `GET /v1/organizations/{id}/memberships`: filters, ordering, page.

use hallpass_domain::{Role, UnixMillis};
use hallpass_ports::{
    MembershipOrderField, MembershipQuery, Ordering, UserFilter, UserOrderField, UserQuery,
};

use crate::ApiError;
use crate::pagination::Page;
use crate::query::Params;

const NO_WEB3: &str = "Hallpass does not store web3 wallets.";
const NO_OAUTH: &str = "Hallpass does not store OAuth accounts.";

/// `user_id`, `email_address`, ... : what the users lists and the count
/// have in common.
pub(crate) fn user_filter(p: &Params) -> Result<UserFilter, ApiError> {
    p.refuse("web3_wallet", NO_WEB3)?;
    p.refuse("provider", NO_OAUTH)?;
    p.refuse("provider_user_id", NO_OAUTH)?;
    let text = |name: &str| p.first(name).map(str::to_owned);
    let last_active_since = p.millis("last_active_at_since")?;
    Ok(UserFilter {
        email_addresses: p.list("email_address")?,
        phone_numbers: p.list("phone_number")?,
        usernames: p.list("username")?,
        external_ids: p.id_filter("external_id")?,
        user_ids: p.id_filter("user_id")?,
        organization_ids: p.id_filter("organization_id")?,
        query: text("query"),
        email_address_query: text("email_address_query"),
        phone_number_query: text("phone_number_query"),
        username_query: text("username_query"),
        name_query: text("name_query"),
        banned: p.bool("banned")?,
        created_at_before: p.millis("created_at_before")?,
        created_at_after: p.millis("created_at_after")?,
        last_active_at_before: p.millis("last_active_at_before")?,
        // The deprecated `last_active_at_since` is inclusive: after the
        // millisecond before it.
        last_active_at_after: p.millis("last_active_at_after")?.or_else(|| {
            last_active_since.map(|t| UnixMillis::new(t.as_millis().saturating_sub(1)))
        }),
        last_sign_in_at_before: p.millis("last_sign_in_at_before")?,
        last_sign_in_at_after: p.millis("last_sign_in_at_after")?,
    })
}

/// `GET /v1/users`: newest first unless `order_by` says otherwise;
/// `starting_after` (a cursor) only with the `created_at` ordering and no
/// `offset`, as Clerk requires.
pub(crate) fn user_query(p: &Params) -> Result<(UserQuery, Page), ApiError> {
    let page = p.page()?;
    let order = match p.first("order_by") {
        None => Ordering::descending(UserOrderField::CreatedAt),
        Some(v) => Ordering::parse_user(v).ok_or_else(|| {
            ApiError::invalid_param(
                "order_by",
                format!(
                    "{v} does not match one of the allowed values for parameter order_by: \
                     created_at, updated_at, email_address, phone_number, username, first_name, \
                     last_name, last_active_at, last_sign_in_at (with an optional + or -)"
                ),
            )
        })?,
    };
    let starting_after = p
        .first("starting_after")
        .map(|v| super::params::param_user("starting_after", v))
        .transpose()?;
    if starting_after.is_some() {
        if order.field != UserOrderField::CreatedAt {
            return Err(ApiError::invalid_param(
                "starting_after",
                "starting_after requires ordering by created_at.",
            ));
        }
        if page.offset != 0 {
            return Err(ApiError::invalid_param(
                "starting_after",
                "starting_after cannot be combined with a non-zero offset.",
            ));
        }
    }
    let query = UserQuery {
        filter: user_filter(p)?,
        order,
        starting_after,
        limit: page.limit,
        offset: page.offset,
    };
    Ok((query, page))
}

/// `GET /v1/organizations/{id}/memberships`: the members matching the user
/// filters with any of `role`; newest first unless `order_by` says
/// otherwise.
pub(crate) fn membership_query(p: &Params) -> Result<MembershipQuery, ApiError> {
    let page = p.page()?;
    let order = match p.first("order_by") {
        None => Ordering::descending(MembershipOrderField::CreatedAt),
        Some(v) => Ordering::parse_membership(v).ok_or_else(|| {
            ApiError::invalid_param(
                "order_by",
                format!(
                    "{v} does not match one of the allowed values for parameter order_by: \
                     created_at, email_address, phone_number, username, first_name, last_name \
                     (with an optional + or -)"
                ),
            )
        })?,
    };
    let roles = p
        .list("role")?
        .iter()
        .map(|r| Role::parse(r).map_err(|e| ApiError::invalid_param("role", e.to_string())))
        .collect::<Result<_, _>>()?;
    Ok(MembershipQuery {
        users: user_filter(p)?,
        roles,
        order,
        limit: page.limit,
        offset: page.offset,
    })
}
