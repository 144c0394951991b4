//! Organization memberships (Backend API
//! `/v1/organizations/{id}/memberships`, `/v1/users/{id}/organization_memberships`):
//! add a member with a role of the instance's role set, list, change the
//! role or the metadata, remove.

use hallpass_domain::{
    JsonObject, Membership, MembershipError, NewMembership, OrganizationId,
    OrganizationMembershipId, OrganizationRef, Role, UnixMillis, UserId,
};
use hallpass_ports::{
    DeleteMembershipError, IdFilter, InsertMembershipError, KeyRingFactory, MembershipOrderField,
    MembershipQuery, MembershipView, Ordering, Store, UpdateMembershipError, UserFilter,
};

use crate::users::RETRIES;
use crate::{Hallpass, OrganizationUseError};

impl<S: Store, K: KeyRingFactory> Hallpass<S, K> {
    /// `POST /v1/organizations/{id}/memberships`: `user` becomes a member
    /// with `new.role` (the default role when none), which must be in the
    /// role set, unless the organization is full or the user a member
    /// already.
    #[tracing::instrument(skip_all, fields(user_id = %user))]
    pub async fn add_member(
        &self,
        organization: &OrganizationRef,
        user: &UserId,
        new: NewMembership,
    ) -> Result<MembershipView, OrganizationUseError> {
        let found = self.store.find_organization(organization).await?;
        let membership = Membership::create(
            &found.organization,
            user.clone(),
            new,
            found.members_count,
            self.roles(),
            OrganizationMembershipId::from_random(self.ids.random_u128()),
            self.now(),
        )?;
        self.store
            .insert_membership(&membership)
            .await
            .map_err(|e| match e {
                InsertMembershipError::AlreadyMember => {
                    OrganizationUseError::AlreadyMember(user.clone())
                }
                InsertMembershipError::LimitReached { max } => {
                    MembershipError::LimitReached { max }.into()
                }
                InsertMembershipError::OrganizationNotFound => OrganizationUseError::NotFound,
                InsertMembershipError::UserNotFound => {
                    OrganizationUseError::UserNotFound(user.clone())
                }
                InsertMembershipError::Unexpected(e) => e.into(),
            })?;
        self.member_view(found.organization.id(), user).await
    }

    /// `GET /v1/organizations/{id}/memberships`: a page of the members that
    /// match, and how many match. An unknown organization is "not found".
    pub async fn list_members(
        &self,
        organization: &OrganizationRef,
        query: &MembershipQuery,
    ) -> Result<(Vec<MembershipView>, u64), OrganizationUseError> {
        let found = self.store.find_organization(organization).await?;
        Ok(self
            .store
            .list_organization_memberships(Some(found.organization.id()), query)
            .await?)
    }

    /// `GET /v1/organization_memberships`: a page of every organization's
    /// memberships that match, and how many match.
    pub async fn list_instance_memberships(
        &self,
        query: &MembershipQuery,
    ) -> Result<(Vec<MembershipView>, u64), OrganizationUseError> {
        Ok(self
            .store
            .list_organization_memberships(None, query)
            .await?)
    }

    /// `PATCH /v1/organizations/{id}/memberships/{user_id}`: a role of the
    /// role set. The next session token of the member carries it.
    #[tracing::instrument(skip_all, fields(user_id = %user))]
    pub async fn update_member_role(
        &self,
        organization: &OrganizationRef,
        user: &UserId,
        role: Role,
    ) -> Result<MembershipView, OrganizationUseError> {
        self.change_membership(organization, user, |m, now| {
            m.set_role(role.clone(), self.roles(), now)?;
            Ok(())
        })
        .await
    }

    /// `PATCH /v1/organizations/{id}/memberships/{user_id}/metadata`: deep
    /// merge of each object given.
    #[tracing::instrument(skip_all, fields(user_id = %user))]
    pub async fn merge_member_metadata(
        &self,
        organization: &OrganizationRef,
        user: &UserId,
        public: Option<JsonObject>,
        private: Option<JsonObject>,
    ) -> Result<MembershipView, OrganizationUseError> {
        self.change_membership(organization, user, |m, now| {
            m.merge_metadata(public.as_ref(), private.as_ref(), now)?;
            Ok(())
        })
        .await
    }

    /// `DELETE /v1/organizations/{id}/memberships/{user_id}`: returns the
    /// membership as it was. Sessions that had the organization active mint
    /// without it from their next token on.
    #[tracing::instrument(skip_all, fields(user_id = %user))]
    pub async fn remove_member(
        &self,
        organization: &OrganizationRef,
        user: &UserId,
    ) -> Result<MembershipView, OrganizationUseError> {
        let found = self.store.find_organization(organization).await?;
        self.store
            .delete_membership(found.organization.id(), user)
            .await
            .map_err(|e| match e {
                DeleteMembershipError::NotFound => OrganizationUseError::MembershipNotFound,
                DeleteMembershipError::Unexpected(e) => e.into(),
            })
    }

    /// `GET /v1/users/{id}/organization_memberships`: newest first. An
    /// unknown user is "not found".
    pub async fn user_memberships(
        &self,
        user: &UserId,
        limit: u32,
        offset: u32,
    ) -> Result<(Vec<MembershipView>, u64), OrganizationUseError> {
        let (page, total) = self
            .store
            .list_user_memberships(user, limit, offset)
            .await?;
        if total == 0
            && self
                .store
                .find_users(std::slice::from_ref(user))
                .await?
                .is_empty()
        {
            return Err(OrganizationUseError::UserNotFound(user.clone()));
        }
        Ok((page, total))
    }

    /// The membership of `user` in `organization` with what its wire shape
    /// shows, in one read.
    async fn member_view(
        &self,
        organization: &OrganizationId,
        user: &UserId,
    ) -> Result<MembershipView, OrganizationUseError> {
        let query = MembershipQuery {
            users: UserFilter {
                user_ids: IdFilter {
                    include: vec![user.as_str().to_owned()],
                    exclude: Vec::new(),
                },
                ..UserFilter::default()
            },
            roles: Vec::new(),
            order: Ordering::ascending(MembershipOrderField::CreatedAt),
            limit: 1,
            offset: 0,
        };
        let (mut page, _) = self
            .store
            .list_organization_memberships(Some(organization), &query)
            .await?;
        page.pop().ok_or(OrganizationUseError::MembershipNotFound)
    }

    /// Reads the membership, applies `change` and writes it back if the
    /// stored one is still the one read; retries after a concurrent change.
    async fn change_membership<F>(
        &self,
        organization: &OrganizationRef,
        user: &UserId,
        change: F,
    ) -> Result<MembershipView, OrganizationUseError>
    where
        F: Fn(&mut Membership, UnixMillis) -> Result<(), OrganizationUseError>,
    {
        let found = self.store.find_organization(organization).await?;
        let id = found.organization.id();
        for _ in 0..RETRIES {
            let previous = self
                .store
                .find_membership(id, user)
                .await?
                .ok_or(OrganizationUseError::MembershipNotFound)?;
            let mut membership = previous.clone();
            change(&mut membership, self.now())?;
            if membership != previous {
                match self.store.update_membership(&membership, &previous).await {
                    Ok(()) => {}
                    Err(UpdateMembershipError::Changed) => continue,
                    Err(UpdateMembershipError::NotFound) => {
                        return Err(OrganizationUseError::MembershipNotFound);
                    }
                    Err(UpdateMembershipError::Unexpected(e)) => return Err(e.into()),
                }
            }
            return self.member_view(id, user).await;
        }
        Err(anyhow::anyhow!("the membership kept changing concurrently").into())
    }
}
