//! The Backend API `Organization` and `OrganizationMembership` objects.

use hallpass_domain::{Organization, RoleSet};
use hallpass_ports::{CountedOrganization, MembershipView, PublicUserData as Member};
use serde::Serialize;

use super::users::{ObjectView, metadata};

/// The `Organization` object. `members_count` only when asked for
/// (`include_members_count`), as Clerk does.
#[derive(Debug, Serialize)]
pub(crate) struct BapiOrganization<'a> {
    object: &'static str,
    id: &'a str,
    name: &'a str,
    slug: &'a str,
    image_url: &'a str,
    has_image: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    members_count: Option<u64>,
    max_allowed_memberships: u32,
    admin_delete_enabled: bool,
    public_metadata: ObjectView<'a>,
    private_metadata: ObjectView<'a>,
    created_by: &'a str,
    created_at: i64,
    updated_at: i64,
}

pub(crate) fn organization(o: &Organization, members_count: Option<u64>) -> BapiOrganization<'_> {
    BapiOrganization {
        object: "organization",
        id: o.id().as_str(),
        name: o.name().as_str(),
        slug: o.slug().as_str(),
        image_url: o.image_url().map_or("", |i| i.as_str()),
        has_image: o.image_url().is_some(),
        members_count,
        max_allowed_memberships: o.max_allowed_memberships().get(),
        admin_delete_enabled: o.admin_delete_enabled(),
        public_metadata: metadata(o.public_metadata()),
        private_metadata: metadata(o.private_metadata()),
        created_by: o.created_by().map_or("", |u| u.as_str()),
        created_at: o.created_at().as_millis(),
        updated_at: o.updated_at().as_millis(),
    }
}

/// An organization with its member count when `with_count`.
pub(crate) fn counted(o: &CountedOrganization, with_count: bool) -> BapiOrganization<'_> {
    organization(&o.organization, with_count.then_some(o.members_count))
}

/// `OrganizationMembershipPublicUserData` (`additionalProperties: false`).
/// `identifier` is the member's primary email address, else primary phone
/// number, else username.
#[derive(Debug, Serialize)]
struct PublicUserData<'a> {
    user_id: &'a str,
    first_name: Option<&'a str>,
    last_name: Option<&'a str>,
    profile_image_url: &'a str,
    image_url: &'a str,
    has_image: bool,
    identifier: Option<&'a str>,
    username: Option<&'a str>,
}

fn public_user_data(m: &Member) -> PublicUserData<'_> {
    let image_url = m.image_url.as_ref().map_or("", |i| i.as_str());
    PublicUserData {
        user_id: m.user_id.as_str(),
        first_name: m.first_name.as_ref().map(|v| v.as_str()),
        last_name: m.last_name.as_ref().map(|v| v.as_str()),
        profile_image_url: image_url,
        image_url,
        has_image: m.image_url.is_some(),
        identifier: hallpass_domain::shown_identifier(
            m.primary_email_address.as_ref().map(|v| v.as_str()),
            m.primary_phone_number.as_ref().map(|v| v.as_str()),
            m.username.as_ref().map(|v| v.as_str()),
        ),
        username: m.username.as_ref().map(|v| v.as_str()),
    }
}

/// The `OrganizationMembership` object. `role_name` and `permissions` come
/// from the instance's role set (a role no longer in it shows its key and
/// no permissions).
#[derive(Debug, Serialize)]
pub(crate) struct BapiMembership<'a> {
    object: &'static str,
    id: &'a str,
    role: &'a str,
    role_name: &'a str,
    permissions: Vec<&'a str>,
    public_metadata: ObjectView<'a>,
    private_metadata: ObjectView<'a>,
    organization: BapiOrganization<'a>,
    public_user_data: PublicUserData<'a>,
    created_at: i64,
    updated_at: i64,
}

/// A membership's role name and permissions from the instance's role set:
/// a role no longer in it shows its key and no permissions.
pub(crate) fn role_of<'a>(
    m: &'a hallpass_domain::Membership,
    roles: &'a RoleSet,
) -> (&'a str, Vec<&'a str>) {
    match roles.entry(m.role()) {
        Some(e) => (
            e.name.as_str(),
            e.permissions.iter().map(|p| p.as_str()).collect(),
        ),
        None => (m.role().as_str(), Vec::new()),
    }
}

pub(crate) fn membership<'a>(v: &'a MembershipView, roles: &'a RoleSet) -> BapiMembership<'a> {
    let m = &v.membership;
    let (role_name, permissions) = role_of(m, roles);
    BapiMembership {
        object: "organization_membership",
        id: m.id().as_str(),
        role: m.role().as_str(),
        role_name,
        permissions,
        public_metadata: metadata(m.public_metadata()),
        private_metadata: metadata(m.private_metadata()),
        organization: counted(&v.organization, true),
        public_user_data: public_user_data(&v.user),
        created_at: m.created_at().as_millis(),
        updated_at: m.updated_at().as_millis(),
    }
}
