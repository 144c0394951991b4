//! The bodies of the organization and membership routes, read into the
//! domain's commands. Unknown fields are a 400, as everywhere on the
//! Backend API.

use hallpass_app::OrganizationMetadata;
use hallpass_domain::{
    JsonObject, MembershipLimit, MetadataField, NewMembership, NewOrganization, OrganizationName,
    OrganizationPatch, Role, Slug, UserId,
};
use serde::Deserialize;
use serde_json::Value;

use super::params::{
    metadata, metadata_patch, nullable, param_user, replacing, rfc3339, text, unsupported,
};
use crate::ApiError;

const ONE_ROLE_SET: &str =
    "Hallpass has one role set, from its configuration (organizations.roles).";

fn limit(value: Option<i64>) -> Result<Option<MembershipLimit>, ApiError> {
    value
        .map(|v| {
            MembershipLimit::from_i64(v).map_err(|_| {
                ApiError::invalid_param(
                    "max_allowed_memberships",
                    "max_allowed_memberships must be a whole number from 0 (no limit).",
                )
            })
        })
        .transpose()
}

fn role(value: &str) -> Result<Role, ApiError> {
    Role::parse(value).map_err(|_| ApiError::unknown_role(value))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateOrganization {
    name: Option<String>,
    created_by: Option<String>,
    private_metadata: Option<Value>,
    public_metadata: Option<Value>,
    slug: Option<String>,
    max_allowed_memberships: Option<i64>,
    created_at: Option<String>,
    role_set_key: Option<Value>,
}

impl CreateOrganization {
    pub(crate) fn into_new(self) -> Result<NewOrganization, ApiError> {
        unsupported("role_set_key", self.role_set_key.as_ref(), ONE_ROLE_SET)?;
        let name = self
            .name
            .filter(|n| !n.is_empty())
            .ok_or_else(|| ApiError::missing_param("name"))?;
        let mut new = NewOrganization::named(
            OrganizationName::parse(&name).map_err(|e| ApiError::field(&e))?,
        );
        new.slug = text(self.slug.as_deref(), Slug::parse)?;
        new.created_by = self
            .created_by
            .filter(|v| !v.is_empty())
            .map(|v| param_user("created_by", &v))
            .transpose()?;
        new.public_metadata =
            metadata(MetadataField::Public, self.public_metadata)?.unwrap_or_default();
        new.private_metadata =
            metadata(MetadataField::Private, self.private_metadata)?.unwrap_or_default();
        if let Some(max) = limit(self.max_allowed_memberships)? {
            new.max_allowed_memberships = max;
        }
        new.created_at = self
            .created_at
            .as_deref()
            .map(|at| rfc3339("created_at", at))
            .transpose()?;
        Ok(new)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateOrganization {
    name: Option<String>,
    slug: Option<String>,
    max_allowed_memberships: Option<i64>,
    admin_delete_enabled: Option<bool>,
    created_at: Option<Value>,
    role_set_key: Option<Value>,
    #[serde(default, deserialize_with = "nullable")]
    public_metadata: Option<Option<Value>>,
    #[serde(default, deserialize_with = "nullable")]
    private_metadata: Option<Option<Value>>,
}

impl UpdateOrganization {
    /// The change, and the metadata objects to replace (accepted on every
    /// API version, as `@clerk/backend`'s `updateOrganization` still sends
    /// them).
    pub(crate) fn into_patch(self) -> Result<(OrganizationPatch, OrganizationMetadata), ApiError> {
        unsupported("role_set_key", self.role_set_key.as_ref(), ONE_ROLE_SET)?;
        unsupported(
            "created_at",
            self.created_at.as_ref(),
            "Hallpass sets created_at only when an organization is created.",
        )?;
        let patch = OrganizationPatch {
            name: text(self.name.as_deref(), OrganizationName::parse)?,
            slug: text(self.slug.as_deref(), Slug::parse)?,
            image_url: None,
            max_allowed_memberships: limit(self.max_allowed_memberships)?,
            admin_delete_enabled: self.admin_delete_enabled,
        };
        let metadata = OrganizationMetadata {
            public_metadata: metadata(MetadataField::Public, replacing(self.public_metadata))?,
            private_metadata: metadata(MetadataField::Private, replacing(self.private_metadata))?,
        };
        Ok((patch, metadata))
    }
}

/// `PATCH|PUT /v1/organizations/{id}/metadata` and
/// `PATCH …/memberships/{user_id}/metadata`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MetadataBody {
    #[serde(default, deserialize_with = "nullable")]
    public_metadata: Option<Option<Value>>,
    #[serde(default, deserialize_with = "nullable")]
    private_metadata: Option<Option<Value>>,
}

impl MetadataBody {
    /// For the deep merge: each given value must be an object (`null`
    /// changes nothing).
    pub(crate) fn into_patch(self) -> Result<(Option<JsonObject>, Option<JsonObject>), ApiError> {
        Ok((
            metadata_patch(MetadataField::Public, self.public_metadata.flatten())?,
            metadata_patch(MetadataField::Private, self.private_metadata.flatten())?,
        ))
    }

    /// For the replacement (`null`: `{}`).
    pub(crate) fn into_replacement(self) -> Result<OrganizationMetadata, ApiError> {
        Ok(OrganizationMetadata {
            public_metadata: metadata(MetadataField::Public, replacing(self.public_metadata))?,
            private_metadata: metadata(MetadataField::Private, replacing(self.private_metadata))?,
        })
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateMembership {
    user_id: Option<String>,
    role: Option<String>,
    public_metadata: Option<Value>,
    private_metadata: Option<Value>,
}

impl CreateMembership {
    /// The member and the membership (`user_id` and `role` are required).
    pub(crate) fn into_new(self) -> Result<(UserId, NewMembership), ApiError> {
        let user = self
            .user_id
            .filter(|v| !v.is_empty())
            .ok_or_else(|| ApiError::missing_param("user_id"))?;
        let user = param_user("user_id", &user)?;
        let role_key = self
            .role
            .filter(|v| !v.is_empty())
            .ok_or_else(|| ApiError::missing_param("role"))?;
        let new = NewMembership {
            role: Some(role(&role_key)?),
            public_metadata: metadata(MetadataField::Public, self.public_metadata)?
                .unwrap_or_default(),
            private_metadata: metadata(MetadataField::Private, self.private_metadata)?
                .unwrap_or_default(),
        };
        Ok((user, new))
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateMembership {
    role: Option<String>,
}

impl UpdateMembership {
    pub(crate) fn into_role(self) -> Result<Role, ApiError> {
        let key = self
            .role
            .filter(|v| !v.is_empty())
            .ok_or_else(|| ApiError::missing_param("role"))?;
        role(&key)
    }
}
