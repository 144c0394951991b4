//! What a JWT template's shortcodes can reach ([`template_context`]): the
//! session's user, the session, the active organization and the user's
//! membership in it. Built from what the minting read found, so a token
//! follows the user and the membership as they are at mint time.
//!
//! A browser can ask for a template token (`getToken({ template })`), so
//! nothing private is reachable: no private metadata of the user, the
//! organization or the membership.

use crate::json::{Json, JsonObject};
use crate::membership::Membership;
use crate::org_claims::OrgClaims;
use crate::organization::Organization;
use crate::session::Session;
use crate::user::User;

/// The session's active organization as a template sees it: the
/// organization, the membership and the claims the membership gives now.
#[derive(Debug, Clone, Copy)]
pub struct TemplateOrganization<'a> {
    pub organization: &'a Organization,
    pub membership: &'a Membership,
    pub claims: &'a OrgClaims,
}

fn opt_str(value: Option<&str>) -> Json {
    value.map_or(Json::Null, Json::str)
}

/// `"First Last"`, either alone when the other is missing, `null` without
/// both.
fn full_name(user: &User) -> Json {
    let parts: Vec<&str> = [user.first_name(), user.last_name()]
        .into_iter()
        .flatten()
        .map(|n| n.as_str())
        .collect();
    if parts.is_empty() {
        Json::Null
    } else {
        Json::str(parts.join(" "))
    }
}

/// `user`: the session's user; only `id` when the user is unknown (deleted
/// since the session began).
fn user_object(session: &Session, user: Option<&User>) -> Json {
    let Some(u) = user else {
        return Json::Object(
            [("id", Json::str(session.user_id().as_str()))]
                .into_iter()
                .collect(),
        );
    };
    let email = u.primary_email_address();
    let phone = u.primary_phone_number();
    let fields: [(&str, Json); 17] = [
        ("id", Json::str(u.id().as_str())),
        ("external_id", opt_str(u.external_id().map(|v| v.as_str()))),
        ("first_name", opt_str(u.first_name().map(|v| v.as_str()))),
        ("last_name", opt_str(u.last_name().map(|v| v.as_str()))),
        ("full_name", full_name(u)),
        ("username", opt_str(u.username().map(|v| v.as_str()))),
        ("image_url", opt_str(u.image_url().map(|v| v.as_str()))),
        ("has_image", Json::Bool(u.image_url().is_some())),
        (
            "primary_email_address",
            opt_str(email.map(|e| e.email_address.as_str())),
        ),
        (
            "email_verified",
            Json::Bool(email.is_some_and(|e| e.verified)),
        ),
        (
            "primary_phone_number",
            opt_str(phone.map(|p| p.phone_number.as_str())),
        ),
        (
            "phone_number_verified",
            Json::Bool(phone.is_some_and(|p| p.verified)),
        ),
        ("two_factor_enabled", Json::Bool(false)),
        ("public_metadata", u.public_metadata().to_json()),
        ("unsafe_metadata", u.unsafe_metadata().to_json()),
        ("created_at", Json::int(u.created_at().as_secs())),
        ("updated_at", Json::int(u.updated_at().as_secs())),
    ];
    Json::Object(fields.into_iter().collect())
}

fn session_object(session: &Session) -> Json {
    let actor = session.actor().map_or(Json::Null, |a| {
        Json::Object(
            [
                ("sub", Json::str(a.sub())),
                ("iss", opt_str(a.iss())),
                ("sid", opt_str(a.sid())),
            ]
            .into_iter()
            .collect(),
        )
    });
    Json::Object(
        [
            ("id", Json::str(session.id().as_str())),
            ("status", Json::str(session.status().as_str())),
            ("actor", actor),
        ]
        .into_iter()
        .collect(),
    )
}

/// `org` and `org_membership`; both `null` on the personal account (or
/// when the membership gives no claims: the template then sees no
/// organization, as the session token carries none).
fn organization_objects(active: Option<TemplateOrganization<'_>>) -> (Json, Json) {
    let Some(a) = active else {
        return (Json::Null, Json::Null);
    };
    let o = a.organization;
    let permissions: Vec<Json> = a
        .claims
        .permissions
        .iter()
        .map(|p| Json::str(p.as_str()))
        .collect();
    let org = Json::Object(
        [
            ("id", Json::str(o.id().as_str())),
            ("name", Json::str(o.name().as_str())),
            ("slug", Json::str(a.claims.slug.as_str())),
            ("image_url", opt_str(o.image_url().map(|v| v.as_str()))),
            ("has_image", Json::Bool(o.image_url().is_some())),
            ("public_metadata", o.public_metadata().to_json()),
            ("role", Json::str(a.claims.role.as_str())),
            ("permissions", Json::Array(permissions.clone())),
        ]
        .into_iter()
        .collect(),
    );
    let membership = Json::Object(
        [
            ("id", Json::str(a.membership.id().as_str())),
            ("role", Json::str(a.claims.role.as_str())),
            ("permissions", Json::Array(permissions)),
            ("public_metadata", a.membership.public_metadata().to_json()),
        ]
        .into_iter()
        .collect(),
    );
    (org, membership)
}

/// The object a template's shortcodes are resolved against:
/// `{"user": …, "session": …, "org": …, "org_membership": …}`.
pub fn template_context(
    session: &Session,
    user: Option<&User>,
    active: Option<TemplateOrganization<'_>>,
) -> Json {
    let (org, membership) = organization_objects(active);
    let object: JsonObject = [
        ("user", user_object(session, user)),
        ("session", session_object(session)),
        ("org", org),
        ("org_membership", membership),
    ]
    .into_iter()
    .collect();
    Json::Object(object)
}
