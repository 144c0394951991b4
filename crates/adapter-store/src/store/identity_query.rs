//! What the identity lists share: the user filter (for `GET /v1/users` and,
//! as a subquery, for an organization's members), `LIKE` patterns, id
//! filters and `ORDER BY` clauses.
//!
//! Text comparisons without case lowercase both sides (`lower(...)`, and
//! the values in Rust); PostgreSQL's `lower` folds every letter, SQLite's
//! only ASCII ones, so a name with other letters matches a query without
//! case on PostgreSQL only. Orderings put a missing value after every
//! other ascending and before them descending (PostgreSQL's default, which
//! its indexes serve; spelled out for SQLite).

use diesel::dsl::sql;
use diesel::expression::BoxableExpression;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};
use hallpass_adapter_store::schema::{
    organization_memberships, user_email_addresses, user_phone_numbers, users,
};
use hallpass_domain::E164;
use hallpass_ports::{IdFilter, Ordering, UserFilter, UserOrderField};

use crate::backend::Conn;

/// The backend's SQL dialect, as diesel names it.
pub(super) type Db = <Conn as diesel::Connection>::Backend;

/// A condition on rows of `T`, built at run time.
pub(super) type Cond<T> = Box<dyn BoxableExpression<T, Db, SqlType = Bool>>;

/// The users matching a filter, as a boxed query (the page, the count and
/// the members subquery all start from it).
pub(super) type UsersQuery = users::BoxedQuery<'static, Db>;

/// `%<value>%` for `LIKE … ESCAPE '\'`, lowercased, with `%`, `_` and `\`
/// taken literally.
pub(super) fn like_pattern(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('%');
    for c in value.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// `<expression> LIKE <pattern> ESCAPE '\'`; `expression` is SQL text of
/// ours, never input.
pub(super) fn like<T: 'static>(expression: &'static str, pattern: &str) -> Cond<T> {
    Box::new(
        sql::<Bool>(&format!("{expression} LIKE "))
            .bind::<Text, _>(pattern.to_owned())
            .sql(" ESCAPE '\\'"),
    )
}

/// Any of the conditions (none: false).
pub(super) fn any_of<T: 'static>(conds: Vec<Cond<T>>) -> Cond<T> {
    conds
        .into_iter()
        .reduce(|a, b| Box::new(a.or(b)))
        .unwrap_or_else(|| Box::new(sql::<Bool>("1 = 0")))
}

fn lowercase(values: &[String]) -> Vec<String> {
    values.iter().map(|v| v.to_lowercase()).collect()
}

/// The stored form of a phone number when the value is one (separators
/// dropped), the value as given otherwise.
fn phone_key(value: &str) -> String {
    E164::parse(value).map_or_else(|_| value.to_owned(), |p| p.as_str().to_owned())
}

/// Users whose id is in a subquery's `user_id` column that matches
/// `pattern` on `column` (an identifier table's value column).
fn users_with_identifier_like(
    table: &'static str,
    column: &'static str,
    pattern: &str,
) -> Cond<users::table> {
    Box::new(
        sql::<Bool>(&format!(
            "users.id IN (SELECT user_id FROM {table} WHERE {column} LIKE "
        ))
        .bind::<Text, _>(pattern.to_owned())
        .sql(" ESCAPE '\\')"),
    )
}

fn name_like(pattern: &str) -> Cond<users::table> {
    like(
        "lower(coalesce(users.first_name, '') || ' ' || coalesce(users.last_name, ''))",
        pattern,
    )
}

/// The users matching `f`; `members` says whether `f.organization_ids`
/// applies.
pub(super) fn filtered_users(f: &UserFilter, members: bool) -> UsersQuery {
    let mut q = users::table.into_boxed();
    if !f.email_addresses.is_empty() {
        q = q.filter(
            users::id.eq_any(
                user_email_addresses::table
                    .filter(
                        user_email_addresses::email_address.eq_any(lowercase(&f.email_addresses)),
                    )
                    .select(user_email_addresses::user_id),
            ),
        );
    }
    if !f.phone_numbers.is_empty() {
        let phones: Vec<String> = f.phone_numbers.iter().map(|p| phone_key(p)).collect();
        q = q.filter(
            users::id.eq_any(
                user_phone_numbers::table
                    .filter(user_phone_numbers::phone_number.eq_any(phones))
                    .select(user_phone_numbers::user_id),
            ),
        );
    }
    if !f.usernames.is_empty() {
        q = q.filter(super::lower(users::username).eq_any(lowercase(&f.usernames)));
    }
    let IdFilter { include, exclude } = &f.external_ids;
    if !include.is_empty() {
        q = q.filter(users::external_id.eq_any(include.clone()));
    }
    if !exclude.is_empty() {
        q = q.filter(
            users::external_id
                .is_null()
                .or(users::external_id.ne_all(exclude.clone())),
        );
    }
    let IdFilter { include, exclude } = &f.user_ids;
    if !include.is_empty() {
        q = q.filter(users::id.eq_any(include.clone()));
    }
    if !exclude.is_empty() {
        q = q.filter(users::id.ne_all(exclude.clone()));
    }
    let IdFilter { include, exclude } = &f.organization_ids;
    if members && !include.is_empty() {
        q = q.filter(
            users::id.eq_any(
                organization_memberships::table
                    .filter(organization_memberships::organization_id.eq_any(include.clone()))
                    .select(organization_memberships::user_id),
            ),
        );
    }
    if members && !exclude.is_empty() {
        q = q.filter(
            users::id.ne_all(
                organization_memberships::table
                    .filter(organization_memberships::organization_id.eq_any(exclude.clone()))
                    .select(organization_memberships::user_id),
            ),
        );
    }
    if let Some(query) = &f.query {
        let p = like_pattern(query);
        q = q.filter(any_of(vec![
            like("lower(users.id)", &p),
            name_like(&p),
            like("lower(users.username)", &p),
            users_with_identifier_like("user_email_addresses", "email_address", &p),
            users_with_identifier_like("user_phone_numbers", "phone_number", &p),
        ]));
    }
    if let Some(query) = &f.email_address_query {
        let p = like_pattern(query);
        q = q.filter(users_with_identifier_like(
            "user_email_addresses",
            "email_address",
            &p,
        ));
    }
    if let Some(query) = &f.phone_number_query {
        let p = like_pattern(query);
        q = q.filter(users_with_identifier_like(
            "user_phone_numbers",
            "phone_number",
            &p,
        ));
    }
    if let Some(query) = &f.username_query {
        q = q.filter(like::<users::table>(
            "lower(users.username)",
            &like_pattern(query),
        ));
    }
    if let Some(query) = &f.name_query {
        q = q.filter(name_like(&like_pattern(query)));
    }
    if let Some(banned) = f.banned {
        q = q.filter(users::banned.eq(banned));
    }
    let ms = |t: hallpass_domain::UnixMillis| t.as_millis();
    if let Some(t) = f.created_at_before {
        q = q.filter(users::created_at.lt(ms(t)));
    }
    if let Some(t) = f.created_at_after {
        q = q.filter(users::created_at.gt(ms(t)));
    }
    if let Some(t) = f.last_active_at_before {
        q = q.filter(users::last_active_at.lt(ms(t)));
    }
    if let Some(t) = f.last_active_at_after {
        q = q.filter(users::last_active_at.gt(ms(t)));
    }
    if let Some(t) = f.last_sign_in_at_before {
        q = q.filter(users::last_sign_in_at.lt(ms(t)));
    }
    if let Some(t) = f.last_sign_in_at_after {
        q = q.filter(users::last_sign_in_at.gt(ms(t)));
    }
    q
}

/// Whether `f` lets every user through (its organization filter ignored).
pub(super) fn matches_everyone(f: &UserFilter) -> bool {
    let without_organizations = UserFilter {
        organization_ids: IdFilter::default(),
        ..f.clone()
    };
    without_organizations == UserFilter::default()
}

/// `ASC` or `DESC`.
pub(super) fn direction<F>(order: &Ordering<F>) -> &'static str {
    if order.descending { "DESC" } else { "ASC" }
}

/// One `ORDER BY` term for a column that may have no value: missing values
/// last ascending, first descending (PostgreSQL's default, said outright
/// for SQLite).
pub(super) fn nullable_term(expression: &str, descending: bool) -> String {
    if descending {
        format!("{expression} DESC NULLS FIRST")
    } else {
        format!("{expression} ASC NULLS LAST")
    }
}

/// The users' `ORDER BY`, ties broken by id. SQL text of ours only.
pub(super) fn user_order(order: &Ordering<UserOrderField>) -> String {
    let d = order.descending;
    let term = match order.field {
        UserOrderField::CreatedAt => format!("users.created_at {}", direction(order)),
        UserOrderField::UpdatedAt => format!("users.updated_at {}", direction(order)),
        UserOrderField::LastSignInAt => nullable_term("users.last_sign_in_at", d),
        UserOrderField::LastActiveAt => nullable_term("users.last_active_at", d),
        UserOrderField::EmailAddress => nullable_term("users.primary_email_address", d),
        UserOrderField::PhoneNumber => nullable_term("users.primary_phone_number", d),
        UserOrderField::Username => nullable_term("lower(users.username)", d),
        UserOrderField::FirstName => nullable_term("lower(users.first_name)", d),
        UserOrderField::LastName => nullable_term("lower(users.last_name)", d),
    };
    format!("{term}, users.id {}", direction(order))
}

/// `page` in `order`. The orders by a column that always has a value
/// (the default `-created_at`, `updated_at`) are typed, so PostgreSQL keeps
/// the statement prepared; the others are SQL text of ours
/// ([`user_order`]: `NULLS FIRST/LAST` said outright for SQLite).
pub(super) fn ordered_users(page: UsersQuery, order: &Ordering<UserOrderField>) -> UsersQuery {
    match (order.field, order.descending) {
        (UserOrderField::CreatedAt, true) => {
            page.order((users::created_at.desc(), users::id.desc()))
        }
        (UserOrderField::CreatedAt, false) => {
            page.order((users::created_at.asc(), users::id.asc()))
        }
        (UserOrderField::UpdatedAt, true) => {
            page.order((users::updated_at.desc(), users::id.desc()))
        }
        (UserOrderField::UpdatedAt, false) => {
            page.order((users::updated_at.asc(), users::id.asc()))
        }
        _ => page.order(sql::<BigInt>(&user_order(order))),
    }
}

/// Users after `after` in `created_at` order (`starting_after`): a row
/// comparison against that user's `(created_at, id)`, false when it does
/// not exist.
pub(super) fn users_after(after: &str, descending: bool) -> Cond<users::table> {
    let op = if descending { "<" } else { ">" };
    Box::new(
        sql::<Bool>(&format!(
            "(users.created_at, users.id) {op} (SELECT a.created_at, a.id FROM users a WHERE a.id = "
        ))
        .bind::<Text, _>(after.to_owned())
        .sql(")"),
    )
}

/// `CASE WHEN updated_at > now THEN updated_at ELSE now END`: `updated_at`
/// moved to `now`, never back.
pub(super) fn updated_at_moved_to(now: i64) -> diesel::expression::SqlLiteral<BigInt> {
    sql::<BigInt>(&format!(
        "CASE WHEN updated_at > {now} THEN updated_at ELSE {now} END"
    ))
}
