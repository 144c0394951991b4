//! Organizations (Backend API `/v1/organizations`): create (with the
//! creator's membership), read by id or slug, list, update, metadata,
//! delete.

use hallpass_domain::{
    JsonObject, Membership, MembershipError, Metadata, MetadataFieldError, NewOrganization,
    Organization, OrganizationId, OrganizationMembershipId, OrganizationPatch, OrganizationRef,
    UnixMillis, UserId,
};
use hallpass_ports::{
    CountedOrganization, FindOrganizationError, InsertOrganizationError, KeyRingFactory,
    OrganizationQuery, Store, StoreError, UpdateOrganizationError,
};

use crate::Hallpass;
use crate::users::RETRIES;

/// An organization or membership use case failed.
#[derive(Debug, thiserror::Error)]
pub enum OrganizationUseError {
    #[error("organization not found")]
    NotFound,
    #[error("user {0} not found")]
    UserNotFound(UserId),
    #[error("membership not found")]
    MembershipNotFound,
    #[error("the slug is taken by another organization")]
    SlugTaken,
    /// `created_by` names no user. Nothing was written.
    #[error("the creator {0} is not a user")]
    CreatorNotFound(UserId),
    #[error("user {0} is already a member of the organization")]
    AlreadyMember(UserId),
    /// The domain refused the membership (an unknown role, the limit, its
    /// metadata).
    #[error(transparent)]
    Membership(#[from] MembershipError),
    /// An organization's metadata object refused.
    #[error(transparent)]
    Metadata(#[from] MetadataFieldError),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<StoreError> for OrganizationUseError {
    fn from(e: StoreError) -> Self {
        Self::Unexpected(e.0)
    }
}

impl From<FindOrganizationError> for OrganizationUseError {
    fn from(e: FindOrganizationError) -> Self {
        match e {
            FindOrganizationError::NotFound => Self::NotFound,
            FindOrganizationError::Unexpected(e) => Self::Unexpected(e),
        }
    }
}

/// An organization's two metadata objects, each replaced when given.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OrganizationMetadata {
    pub public_metadata: Option<Metadata>,
    pub private_metadata: Option<Metadata>,
}

impl<S: Store, K: KeyRingFactory> Hallpass<S, K> {
    /// `POST /v1/organizations`: the organization and, with `created_by`,
    /// the creator's membership with the creator role, in one transaction.
    /// A slug made from the name that is taken gets a random suffix; a slug
    /// the caller chose that is taken is refused.
    #[tracing::instrument(skip_all)]
    pub async fn create_organization(
        &self,
        new: NewOrganization,
    ) -> Result<CountedOrganization, OrganizationUseError> {
        let chosen_slug = new.slug.is_some();
        let now = self.now();
        let id = OrganizationId::from_random(self.ids.random_u128());
        let mut organization = Organization::create(new, id, now);
        let creator = Membership::for_creator(
            &organization,
            self.roles(),
            OrganizationMembershipId::from_random(self.ids.random_u128()),
            now,
        )?;
        let base_slug = organization.slug().clone();
        for _ in 0..RETRIES {
            match self
                .store
                .insert_organization(&organization, creator.as_ref())
                .await
            {
                Ok(()) => {
                    return Ok(CountedOrganization {
                        organization,
                        members_count: u64::from(creator.is_some()),
                    });
                }
                Err(InsertOrganizationError::SlugTaken) if !chosen_slug => {
                    let bits = (self.ids.random_u128() >> 64) as u64;
                    let patch = OrganizationPatch {
                        slug: Some(base_slug.with_suffix(bits)),
                        ..OrganizationPatch::default()
                    };
                    organization.update(patch, now);
                }
                Err(InsertOrganizationError::SlugTaken) => {
                    return Err(OrganizationUseError::SlugTaken);
                }
                Err(InsertOrganizationError::CreatorNotFound) => {
                    let creator = organization.created_by().cloned();
                    return Err(creator.map_or_else(
                        || OrganizationUseError::Unexpected(anyhow::anyhow!("creator not found")),
                        OrganizationUseError::CreatorNotFound,
                    ));
                }
                Err(InsertOrganizationError::Conflict) => {
                    return Err(anyhow::anyhow!("organization id collision").into());
                }
                Err(InsertOrganizationError::Unexpected(e)) => return Err(e.into()),
            }
        }
        Err(anyhow::anyhow!("no free slug for {base_slug} after {RETRIES} suffixes").into())
    }

    /// `GET /v1/organizations/{id or slug}`, with its member count.
    pub async fn organization(
        &self,
        organization: &OrganizationRef,
    ) -> Result<CountedOrganization, OrganizationUseError> {
        Ok(self.store.find_organization(organization).await?)
    }

    /// `GET /v1/organizations`.
    pub async fn list_organizations(
        &self,
        query: &OrganizationQuery,
    ) -> Result<(Vec<CountedOrganization>, u64), OrganizationUseError> {
        Ok(self.store.list_organizations(query).await?)
    }

    /// `PATCH /v1/organizations/{id}`: the fields given, and each metadata
    /// object given (replaced whole, as Clerk's update did before API
    /// version 2026-05-12).
    #[tracing::instrument(skip_all)]
    pub async fn update_organization(
        &self,
        organization: &OrganizationRef,
        patch: OrganizationPatch,
        metadata: OrganizationMetadata,
    ) -> Result<CountedOrganization, OrganizationUseError> {
        self.change_organization(organization, |org, now| {
            org.update(patch.clone(), now);
            if metadata != OrganizationMetadata::default() {
                org.replace_metadata(
                    metadata.public_metadata.clone(),
                    metadata.private_metadata.clone(),
                    now,
                );
            }
            Ok(())
        })
        .await
    }

    /// `PATCH /v1/organizations/{id}/metadata`: deep merge of each object
    /// given; both checked against the cap before either is stored.
    #[tracing::instrument(skip_all)]
    pub async fn merge_organization_metadata(
        &self,
        organization: &OrganizationRef,
        public: Option<JsonObject>,
        private: Option<JsonObject>,
    ) -> Result<CountedOrganization, OrganizationUseError> {
        self.change_organization(organization, |org, now| {
            Ok(org.merge_metadata(public.as_ref(), private.as_ref(), now)?)
        })
        .await
    }

    /// `PUT /v1/organizations/{id}/metadata`.
    #[tracing::instrument(skip_all)]
    pub async fn replace_organization_metadata(
        &self,
        organization: &OrganizationRef,
        metadata: OrganizationMetadata,
    ) -> Result<CountedOrganization, OrganizationUseError> {
        self.change_organization(organization, |org, now| {
            org.replace_metadata(
                metadata.public_metadata.clone(),
                metadata.private_metadata.clone(),
                now,
            );
            Ok(())
        })
        .await
    }

    /// `DELETE /v1/organizations/{id}`: the organization and its
    /// memberships, and it is cleared from every session that had it
    /// active, in one transaction. Returns it as it was.
    #[tracing::instrument(skip_all)]
    pub async fn delete_organization(
        &self,
        organization: &OrganizationRef,
    ) -> Result<Organization, OrganizationUseError> {
        let found = self.store.find_organization(organization).await?;
        self.store
            .delete_organization(found.organization.id(), self.now())
            .await?;
        Ok(found.organization)
    }

    /// Reads the organization, applies `change` and writes it back if the
    /// stored one is still the one read; retries after a concurrent change.
    async fn change_organization<F>(
        &self,
        organization: &OrganizationRef,
        change: F,
    ) -> Result<CountedOrganization, OrganizationUseError>
    where
        F: Fn(&mut Organization, UnixMillis) -> Result<(), OrganizationUseError>,
    {
        for _ in 0..RETRIES {
            let previous = self.store.find_organization(organization).await?;
            let mut changed = previous.organization.clone();
            change(&mut changed, self.now())?;
            if changed == previous.organization {
                return Ok(previous);
            }
            match self
                .store
                .update_organization(&changed, &previous.organization)
                .await
            {
                Ok(()) => {
                    return Ok(CountedOrganization {
                        organization: changed,
                        members_count: previous.members_count,
                    });
                }
                Err(UpdateOrganizationError::Changed) => continue,
                Err(UpdateOrganizationError::NotFound) => {
                    return Err(OrganizationUseError::NotFound);
                }
                Err(UpdateOrganizationError::SlugTaken) => {
                    return Err(OrganizationUseError::SlugTaken);
                }
                Err(UpdateOrganizationError::Unexpected(e)) => return Err(e.into()),
            }
        }
        Err(anyhow::anyhow!("the organization kept changing concurrently").into())
    }
}
