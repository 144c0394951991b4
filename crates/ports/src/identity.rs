//! Identity storage ports: users, organizations and memberships.
//!
//! The same rules as every storage port ([`crate::store`]): each write owns
//! its transaction, and concurrent writers are settled in the store. A user,
//! an organization and a membership are each written back with the value
//! they were read as (`previous`): the write happens only if the stored
//! `updated_at` is still `previous.updated_at()`, so of two concurrent
//! changes of one row, one fails with `Changed` and nothing is lost.
//!
//! Uniqueness across the instance is the store's: an email address (its
//! lowercase form, [`hallpass_domain::Email::as_str`]), a phone number, a
//! username (without case, [`hallpass_domain::Username::normalized`]) and an
//! external id belong to at most one user; a slug to at most one
//! organization; a user has at most one membership per organization.
//!
//! An organization's member count is kept by the store, in the same
//! transaction as every membership written or deleted, so the
//! `max_allowed_memberships` limit holds however many inserts race.

use std::future::Future;

use hallpass_domain::{
    Client, ClientId, E164, Email, ImageUrl, Membership, Organization, OrganizationId,
    OrganizationRef, PersonName, Role, Session, UnixMillis, User, UserId, Username,
};

use crate::errors::{FindClientError, StoreError};

// ----- users -----

/// A unique identifier of a user, for "already taken" errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UserIdentifier {
    EmailAddress,
    PhoneNumber,
    Username,
    ExternalId,
}

impl UserIdentifier {
    /// The Backend API parameter it comes from (`email_address`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EmailAddress => "email_address",
            Self::PhoneNumber => "phone_number",
            Self::Username => "username",
            Self::ExternalId => "external_id",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum InsertUserError {
    /// A user (or one of the identifiers' ids) with this id exists.
    #[error("a user with this id already exists")]
    Conflict,
    /// Another user has this email address, phone number, username or
    /// external id. Nothing was written.
    #[error("the {} is taken by another user", .0.as_str())]
    Taken(UserIdentifier),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

#[derive(Debug, thiserror::Error)]
pub enum FindUserError {
    #[error("user not found")]
    NotFound,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

#[derive(Debug, thiserror::Error)]
pub enum UpdateUserError {
    #[error("user not found")]
    NotFound,
    /// The user changed since it was read. Nothing was written.
    #[error("the user changed concurrently")]
    Changed,
    /// Another user has this identifier. Nothing was written.
    #[error("the {} is taken by another user", .0.as_str())]
    Taken(UserIdentifier),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

#[derive(Debug, thiserror::Error)]
pub enum DeleteUserError {
    #[error("user not found")]
    NotFound,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// A filter on ids that the Backend API lets callers prefix with `+`
/// (include, the default) or `-` (exclude): a row matches if `include` is
/// empty or holds its value, and `exclude` does not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdFilter {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

impl IdFilter {
    /// Whether the filter lets every row through.
    pub fn is_empty(&self) -> bool {
        self.include.is_empty() && self.exclude.is_empty()
    }
}

/// Which users match: every field that is set must hold (AND); a list
/// matches any of its values (OR). Values are matched as given; those that
/// could never be stored (a malformed email address, say) simply match no
/// one, so a caller never has to drop a value, which would widen the
/// result.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFilter {
    /// Any of the user's email addresses, without case.
    pub email_addresses: Vec<String>,
    /// Any of the user's phone numbers, exactly (E.164).
    pub phone_numbers: Vec<String>,
    /// Without case.
    pub usernames: Vec<String>,
    pub external_ids: IdFilter,
    pub user_ids: IdFilter,
    /// Members of any of these organizations (and of none excluded).
    /// Ignored by [`MembershipStore::list_organization_memberships`].
    pub organization_ids: IdFilter,
    /// A case-insensitive substring of the user's id, first or last name,
    /// username, any email address or any phone number.
    pub query: Option<String>,
    /// Case-insensitive substrings of one kind of value each.
    pub email_address_query: Option<String>,
    pub phone_number_query: Option<String>,
    pub username_query: Option<String>,
    /// Of the first or last name.
    pub name_query: Option<String>,
    pub banned: Option<bool>,
    /// Strictly before / after (milliseconds). A user without a last sign-in
    /// or activity matches neither bound of that value.
    pub created_at_before: Option<UnixMillis>,
    pub created_at_after: Option<UnixMillis>,
    pub last_active_at_before: Option<UnixMillis>,
    pub last_active_at_after: Option<UnixMillis>,
    pub last_sign_in_at_before: Option<UnixMillis>,
    pub last_sign_in_at_after: Option<UnixMillis>,
}

/// What users can be ordered by (Backend API `order_by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UserOrderField {
    CreatedAt,
    UpdatedAt,
    LastSignInAt,
    LastActiveAt,
    /// The primary email address.
    EmailAddress,
    /// The primary phone number.
    PhoneNumber,
    /// Without case.
    Username,
    FirstName,
    LastName,
}

/// An ordering: a field and a direction. Ties are broken by id, in the same
/// direction. A user without the value (no username, never signed in)
/// counts as greater than every value: last in ascending order, first in
/// descending order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ordering<F> {
    pub field: F,
    pub descending: bool,
}

impl<F> Ordering<F> {
    pub fn ascending(field: F) -> Self {
        Self {
            field,
            descending: false,
        }
    }
    pub fn descending(field: F) -> Self {
        Self {
            field,
            descending: true,
        }
    }
}

impl Ordering<UserOrderField> {
    /// Parses the Backend API's `order_by` (`created_at`, `+created_at`,
    /// `-created_at`, ...); `None` for a field that users cannot be ordered
    /// by.
    pub fn parse_user(value: &str) -> Option<Self> {
        let (descending, name) = split_direction(value);
        let field = match name {
            "created_at" => UserOrderField::CreatedAt,
            "updated_at" => UserOrderField::UpdatedAt,
            "last_sign_in_at" => UserOrderField::LastSignInAt,
            "last_active_at" => UserOrderField::LastActiveAt,
            "email_address" => UserOrderField::EmailAddress,
            "phone_number" => UserOrderField::PhoneNumber,
            "username" => UserOrderField::Username,
            "first_name" => UserOrderField::FirstName,
            "last_name" => UserOrderField::LastName,
            _ => return None,
        };
        Some(Self { field, descending })
    }
}

fn split_direction(value: &str) -> (bool, &str) {
    match value.as_bytes().first() {
        Some(b'-') => (true, &value[1..]),
        Some(b'+') => (false, &value[1..]),
        _ => (false, value),
    }
}

/// `GET /v1/users`: a filter, an ordering and a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserQuery {
    pub filter: UserFilter,
    pub order: Ordering<UserOrderField>,
    /// Cursor pagination (`starting_after`): only users after this one in
    /// `order`, which must then be by `created_at`. A user id that does not
    /// exist gives an empty page.
    pub starting_after: Option<UserId>,
    pub limit: u32,
    pub offset: u32,
}

/// Users and everything stored about them.
pub trait UserStore: Send + Sync + 'static {
    /// Inserts the user with its email addresses and phone numbers, in one
    /// transaction: all of it or nothing.
    fn insert_user(&self, user: &User) -> impl Future<Output = Result<(), InsertUserError>> + Send;

    /// The user, with its email addresses and phone numbers.
    fn find_user(&self, id: &UserId) -> impl Future<Output = Result<User, FindUserError>> + Send;

    /// The users of `ids` that exist, in no particular order (one read for
    /// several sessions' users).
    fn find_users(
        &self,
        ids: &[UserId],
    ) -> impl Future<Output = Result<Vec<User>, StoreError>> + Send;

    /// The user who has the email address or phone number with this id
    /// (Clerk's identification id, `idn_…`), for the Backend API's
    /// `/v1/email_addresses/{id}` and `/v1/phone_numbers/{id}`.
    fn find_user_by_identification(
        &self,
        identification_id: &str,
    ) -> impl Future<Output = Result<User, FindUserError>> + Send;

    /// Stores `user` if the stored user is still `previous` (same
    /// `updated_at`); email addresses and phone numbers added, removed or
    /// changed since `previous` are written in the same transaction.
    fn update_user(
        &self,
        user: &User,
        previous: &User,
    ) -> impl Future<Output = Result<(), UpdateUserError>> + Send;

    /// Moves the user's `last_active_at` forward to `day` (the start of a
    /// UTC day: [`User::record_activity`]'s precision) when it is unset or
    /// earlier; like that method, leaves `updated_at` alone, so it needs
    /// no compare-and-set and cannot fail a concurrent update. One
    /// conditional `UPDATE`: the app calls it when it writes a session's
    /// activity, at most once per session and activity interval. `false`
    /// when nothing changed (already recorded, or no such user).
    fn record_user_activity(
        &self,
        id: &UserId,
        day: UnixMillis,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Like [`UserStore::update_user`], and in the same transaction revokes
    /// every session of the user that is live at `now` (and those sessions'
    /// refresh tokens): the ban. Returns how many sessions were revoked.
    fn save_user_and_revoke_sessions(
        &self,
        user: &User,
        previous: &User,
        now: UnixMillis,
    ) -> impl Future<Output = Result<u64, UpdateUserError>> + Send;

    /// In one transaction: deletes the user, its email addresses, phone
    /// numbers and memberships (organizations' member counts follow),
    /// revokes every session of the user live at `now` (sessions are kept,
    /// `revoked`, as Clerk ends them), their refresh tokens and the user's
    /// pending sign-in tokens. Returns how many sessions were revoked.
    fn delete_user(
        &self,
        id: &UserId,
        now: UnixMillis,
    ) -> impl Future<Output = Result<u64, DeleteUserError>> + Send;

    /// A page of the users matching the query, without counting them all
    /// (the bare array `GET /v1/users` answers).
    fn list_users_page(
        &self,
        query: &UserQuery,
    ) -> impl Future<Output = Result<Vec<User>, StoreError>> + Send;

    /// A page of the users matching the query, and how many match in all.
    fn list_users(
        &self,
        query: &UserQuery,
    ) -> impl Future<Output = Result<(Vec<User>, u64), StoreError>> + Send;

    /// How many users match the filter (`GET /v1/users/count`).
    fn count_users(
        &self,
        filter: &UserFilter,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;
}

// ----- organizations -----

/// An organization and its member count, as the store keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct CountedOrganization {
    pub organization: Organization,
    pub members_count: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum InsertOrganizationError {
    /// An organization with this id (or a membership with the creator
    /// membership's id) exists.
    #[error("an organization with this id already exists")]
    Conflict,
    #[error("the slug is taken by another organization")]
    SlugTaken,
    /// The creator membership names a user that does not exist.
    #[error("the creator is not a user")]
    CreatorNotFound,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

#[derive(Debug, thiserror::Error)]
pub enum FindOrganizationError {
    #[error("organization not found")]
    NotFound,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

#[derive(Debug, thiserror::Error)]
pub enum UpdateOrganizationError {
    #[error("organization not found")]
    NotFound,
    /// The organization changed since it was read. Nothing was written.
    #[error("the organization changed concurrently")]
    Changed,
    #[error("the slug is taken by another organization")]
    SlugTaken,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// What organizations can be ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrganizationOrderField {
    CreatedAt,
    Name,
    MembersCount,
}

impl Ordering<OrganizationOrderField> {
    /// Parses the Backend API's `order_by` for organizations.
    pub fn parse_organization(value: &str) -> Option<Self> {
        let (descending, name) = split_direction(value);
        let field = match name {
            "created_at" => OrganizationOrderField::CreatedAt,
            "name" => OrganizationOrderField::Name,
            "members_count" => OrganizationOrderField::MembersCount,
            _ => return None,
        };
        Some(Self { field, descending })
    }
}

/// `GET /v1/organizations`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationQuery {
    /// The exact id, or a case-insensitive substring of the name or slug.
    pub query: Option<String>,
    /// Organizations with any of these users as members (and none of the
    /// excluded ones).
    pub user_ids: IdFilter,
    pub organization_ids: IdFilter,
    pub order: Ordering<OrganizationOrderField>,
    pub limit: u32,
    pub offset: u32,
}

/// Organizations.
pub trait OrganizationStore: Send + Sync + 'static {
    /// Inserts the organization and, when given, its creator's membership
    /// (member count 1), in one transaction.
    fn insert_organization(
        &self,
        organization: &Organization,
        creator: Option<&Membership>,
    ) -> impl Future<Output = Result<(), InsertOrganizationError>> + Send;

    /// The organization named by id or slug (an [`OrganizationRef::IdOrSlug`]
    /// is looked up by id first), with its member count, in one read.
    fn find_organization(
        &self,
        organization: &OrganizationRef,
    ) -> impl Future<Output = Result<CountedOrganization, FindOrganizationError>> + Send;

    /// Stores `organization` if the stored one is still `previous` (same
    /// `updated_at`).
    fn update_organization(
        &self,
        organization: &Organization,
        previous: &Organization,
    ) -> impl Future<Output = Result<(), UpdateOrganizationError>> + Send;

    /// In one transaction: deletes the organization and its memberships,
    /// and clears it from every session that had it active (those sessions'
    /// `updated_at` moves to `now`).
    fn delete_organization(
        &self,
        id: &OrganizationId,
        now: UnixMillis,
    ) -> impl Future<Output = Result<(), FindOrganizationError>> + Send;

    /// A page of organizations with their member counts, and how many match.
    fn list_organizations(
        &self,
        query: &OrganizationQuery,
    ) -> impl Future<Output = Result<(Vec<CountedOrganization>, u64), StoreError>> + Send;
}

// ----- memberships -----

/// What the wire shapes show of a member (Clerk's `public_user_data`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUserData {
    pub user_id: UserId,
    pub first_name: Option<PersonName>,
    pub last_name: Option<PersonName>,
    pub image_url: Option<ImageUrl>,
    pub username: Option<Username>,
    pub primary_email_address: Option<Email>,
    pub primary_phone_number: Option<E164>,
}

/// A membership with what its wire shape needs: the organization (with its
/// member count) and the member's public data. Read in one statement.
#[derive(Debug, Clone, PartialEq)]
pub struct MembershipView {
    pub membership: Membership,
    pub organization: CountedOrganization,
    pub user: PublicUserData,
}

/// A client as the Frontend API shows it, read at once
/// ([`MembershipStore::find_client_with_session_users`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ClientWithUsers {
    pub client: Client,
    /// Newest first.
    pub sessions: Vec<Session>,
    /// The sessions' users that exist (each once, in no particular order),
    /// each with its newest memberships, newest first.
    pub users: Vec<(User, Vec<MembershipView>)>,
}

/// An active organization as the minting path reads it: the organization
/// and the session user's membership in it.
#[derive(Debug, Clone, PartialEq)]
pub struct ActiveOrganization {
    pub organization: Organization,
    pub membership: Membership,
}

/// The session's user as a JWT template's minting read finds it: the
/// whole profile and metadata, and of its identifiers only the primary
/// email address and phone number (the ones a template reaches; a primary
/// identifier is verified). Read for a token, never to render or to write
/// back: the user's other identifiers are not in it.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateUser(pub User);

#[derive(Debug, thiserror::Error)]
pub enum InsertMembershipError {
    #[error("the user is already a member of the organization")]
    AlreadyMember,
    /// The organization has `max` members already. Nothing was written.
    #[error("the organization has reached its limit of {max} memberships")]
    LimitReached { max: u32 },
    #[error("organization not found")]
    OrganizationNotFound,
    #[error("user not found")]
    UserNotFound,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

#[derive(Debug, thiserror::Error)]
pub enum UpdateMembershipError {
    #[error("membership not found")]
    NotFound,
    /// The membership changed since it was read. Nothing was written.
    #[error("the membership changed concurrently")]
    Changed,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

#[derive(Debug, thiserror::Error)]
pub enum DeleteMembershipError {
    #[error("membership not found")]
    NotFound,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// What an organization's memberships can be ordered by (the member's
/// values, except `created_at`, the membership's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MembershipOrderField {
    CreatedAt,
    EmailAddress,
    PhoneNumber,
    Username,
    FirstName,
    LastName,
}

impl Ordering<MembershipOrderField> {
    /// Parses the Backend API's `order_by` for memberships.
    pub fn parse_membership(value: &str) -> Option<Self> {
        let (descending, name) = split_direction(value);
        let field = match name {
            "created_at" => MembershipOrderField::CreatedAt,
            "email_address" => MembershipOrderField::EmailAddress,
            "phone_number" => MembershipOrderField::PhoneNumber,
            "username" => MembershipOrderField::Username,
            "first_name" => MembershipOrderField::FirstName,
            "last_name" => MembershipOrderField::LastName,
            _ => return None,
        };
        Some(Self { field, descending })
    }
}

/// `GET /v1/organizations/{id}/memberships`: the members matching `users`
/// (its `organization_ids` ignored) with any of `roles` (all when empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipQuery {
    pub users: UserFilter,
    pub roles: Vec<Role>,
    pub order: Ordering<MembershipOrderField>,
    pub limit: u32,
    pub offset: u32,
}

/// Memberships.
pub trait MembershipStore: Send + Sync + 'static {
    /// Inserts the membership and counts it, in one transaction, unless the
    /// organization has `max_allowed_memberships` members already (checked
    /// on the organization's row, so concurrent inserts cannot exceed it).
    fn insert_membership(
        &self,
        membership: &Membership,
    ) -> impl Future<Output = Result<(), InsertMembershipError>> + Send;

    /// The user's membership in the organization, if any.
    fn find_membership(
        &self,
        organization: &OrganizationId,
        user: &UserId,
    ) -> impl Future<Output = Result<Option<Membership>, StoreError>> + Send;

    /// Stores `membership` (role, metadata) if the stored one is still
    /// `previous` (same `updated_at`).
    fn update_membership(
        &self,
        membership: &Membership,
        previous: &Membership,
    ) -> impl Future<Output = Result<(), UpdateMembershipError>> + Send;

    /// Deletes the membership and uncounts it, in one transaction; returns
    /// it as it was. Sessions that have the organization active keep it:
    /// the minting read finds no membership and mints without it.
    fn delete_membership(
        &self,
        organization: &OrganizationId,
        user: &UserId,
    ) -> impl Future<Output = Result<MembershipView, DeleteMembershipError>> + Send;

    /// A page of the organization's memberships (`None`: of every
    /// organization, `GET /v1/organization_memberships`), each with its
    /// organization and member, and how many match. An organization that
    /// does not exist has none.
    fn list_organization_memberships(
        &self,
        organization: Option<&OrganizationId>,
        query: &MembershipQuery,
    ) -> impl Future<Output = Result<(Vec<MembershipView>, u64), StoreError>> + Send;

    /// The users of `ids` that exist (in no particular order), each with
    /// its newest `per_user` memberships, newest first: the users a client
    /// object shows, in one read (the users with whether they have any
    /// membership, their identifiers, then the memberships of those who
    /// have some).
    fn find_users_with_memberships(
        &self,
        ids: &[UserId],
        per_user: u32,
    ) -> impl Future<Output = Result<Vec<(User, Vec<MembershipView>)>, StoreError>> + Send;

    /// A client, all its sessions (newest first) and the users of those
    /// sessions that exist, each with its newest `per_user` memberships
    /// (as [`MembershipStore::find_users_with_memberships`]), in one read:
    /// the Frontend API's `GET /v1/client`, whose answer shows them all.
    /// `NotFound` when there is no such client.
    fn find_client_with_session_users(
        &self,
        client_id: &ClientId,
        per_user: u32,
    ) -> impl Future<Output = Result<ClientWithUsers, FindClientError>> + Send;

    /// A page of the user's memberships, newest first, and how many there
    /// are.
    fn list_user_memberships(
        &self,
        user: &UserId,
        limit: u32,
        offset: u32,
    ) -> impl Future<Output = Result<(Vec<MembershipView>, u64), StoreError>> + Send;
}
