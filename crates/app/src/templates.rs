//! JWT templates: create, read, update, delete, and mint tokens from them.

use hallpass_domain::id::base62_u128;
use hallpass_domain::template::{TemplateOrganization, template_context};
use hallpass_domain::token::requested_lifetime;
use hallpass_domain::{
    JsonObject, JwtTemplate, JwtTemplateId, JwtTemplateRecord, NewJwtTemplate, SessionId,
    SigningAlgorithm, TemplateError, TemplateSigning, TemplateTokenInput, template_token_claims,
};
use hallpass_ports::{
    FindTemplateError, KeyRingFactory, SaveTemplateError, SignError, Store, TemplateRow,
    TokenSigner as _,
};

use crate::{Hallpass, SessionError};

/// A JWT-template use case failed.
#[derive(Debug, thiserror::Error)]
pub enum TemplateUseError {
    #[error(transparent)]
    Invalid(#[from] TemplateError),
    /// The custom signing key cannot be used (the reason names no secret).
    #[error("signing_key: {0}")]
    InvalidKey(String),
    #[error("template not found")]
    NotFound,
    #[error("a template with this name already exists")]
    NameTaken,
    /// The session is missing or not live (token minting).
    #[error(transparent)]
    Session(#[from] SessionError),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<FindTemplateError> for TemplateUseError {
    fn from(e: FindTemplateError) -> Self {
        match e {
            FindTemplateError::NotFound => Self::NotFound,
            FindTemplateError::Unexpected(e) => Self::Unexpected(e),
        }
    }
}

impl From<SaveTemplateError> for TemplateUseError {
    fn from(e: SaveTemplateError) -> Self {
        match e {
            SaveTemplateError::NotFound => Self::NotFound,
            SaveTemplateError::NameTaken => Self::NameTaken,
            SaveTemplateError::Unexpected(e) => Self::Unexpected(e),
        }
    }
}

impl From<hallpass_ports::StoreError> for TemplateUseError {
    fn from(e: hallpass_ports::StoreError) -> Self {
        Self::Unexpected(e.0)
    }
}

/// What a caller asks for: Clerk's create/update parameters.
#[derive(Debug, Clone)]
pub struct TemplateInput {
    pub name: String,
    pub claims: JsonObject,
    pub lifetime: Option<i64>,
    pub allowed_clock_skew: Option<i64>,
    pub custom_signing_key: bool,
    pub signing_algorithm: Option<String>,
    /// Never stored in clear when an encryption key is configured; never returned.
    pub signing_key: Option<String>,
}

impl<S: Store, K: KeyRingFactory> Hallpass<S, K> {
    /// The signing choice of `input`; `existing` lets an update keep a
    /// stored custom key when it sends no new one.
    fn signing(
        &self,
        input: &TemplateInput,
        existing: Option<&TemplateRow>,
    ) -> Result<(TemplateSigning, Option<hallpass_ports::SealedCustomKey>), TemplateUseError> {
        if !input.custom_signing_key {
            return Ok((TemplateSigning::InstanceKey, None));
        }
        let algorithm = SigningAlgorithm::parse(input.signing_algorithm.as_deref().unwrap_or(""))?;
        match &input.signing_key {
            Some(key) => {
                let signing = TemplateSigning::Custom {
                    algorithm,
                    key: hallpass_domain::CustomSigningKey::new(key.clone()),
                };
                Ok((signing, None))
            }
            None => match existing.and_then(|t| t.custom_key.as_ref()) {
                // The stored key was checked when it was set; the domain
                // template does not carry it (see `to_row`).
                Some(stored) if stored.algorithm == algorithm => {
                    Ok((TemplateSigning::InstanceKey, Some(stored.clone())))
                }
                _ => Err(TemplateUseError::InvalidKey(
                    "a signing_key is required with custom_signing_key".to_owned(),
                )),
            },
        }
    }

    fn to_row(
        &self,
        template: &JwtTemplate,
        kept_key: Option<hallpass_ports::SealedCustomKey>,
    ) -> Result<TemplateRow, TemplateUseError> {
        let custom_key = match (template.signing(), kept_key) {
            (_, Some(kept)) => Some(kept),
            (TemplateSigning::InstanceKey, None) => None,
            (TemplateSigning::Custom { algorithm, key }, None) => {
                self.keys
                    .check_custom_key(*algorithm, key.expose())
                    .map_err(TemplateUseError::InvalidKey)?;
                Some(
                    self.keys
                        .seal_custom_key(*algorithm, key.expose())
                        .map_err(|e| TemplateUseError::Unexpected(anyhow::anyhow!(e)))?,
                )
            }
        };
        Ok(TemplateRow {
            id: template.id().clone(),
            name: template.name().clone(),
            claims: template.claims().clone(),
            lifetime: template.lifetime(),
            allowed_clock_skew: template.allowed_clock_skew(),
            custom_key,
            created_at: template.created_at(),
            updated_at: template.updated_at(),
        })
    }

    fn new_template(input: TemplateInput, signing: TemplateSigning) -> NewJwtTemplate {
        NewJwtTemplate {
            name: input.name,
            claims: input.claims,
            lifetime_secs: input.lifetime,
            allowed_clock_skew_secs: input.allowed_clock_skew,
            signing,
        }
    }

    /// Creates a template.
    #[tracing::instrument(skip_all)]
    pub async fn create_template(
        &self,
        input: TemplateInput,
    ) -> Result<TemplateRow, TemplateUseError> {
        let (signing, kept) = self.signing(&input, None)?;
        let id = JwtTemplateId::from_random(self.ids.random_u128());
        let template = JwtTemplate::create(id, Self::new_template(input, signing), self.now())?;
        let row = self.to_row(&template, kept)?;
        self.store.insert_template(&row).await?;
        Ok(row)
    }

    /// Replaces a template's settings (Clerk's PATCH: `name` and `claims`
    /// required, the rest back to defaults when absent).
    #[tracing::instrument(skip_all, fields(template_id = %id))]
    pub async fn update_template(
        &self,
        id: &JwtTemplateId,
        input: TemplateInput,
    ) -> Result<TemplateRow, TemplateUseError> {
        let existing = self.store.find_template(id).await?;
        let (signing, kept) = self.signing(&input, Some(&existing))?;
        let mut template = template_of(&existing);
        template.update(Self::new_template(input, signing), self.now())?;
        let row = self.to_row(&template, kept)?;
        self.store.update_template(&row).await?;
        Ok(row)
    }

    pub async fn template(&self, id: &JwtTemplateId) -> Result<TemplateRow, TemplateUseError> {
        Ok(self.store.find_template(id).await?)
    }

    pub async fn list_templates(
        &self,
        limit: u32,
        offset: u32,
    ) -> Result<(Vec<TemplateRow>, u64), TemplateUseError> {
        Ok(self.store.list_templates(limit, offset).await?)
    }

    pub async fn delete_template(&self, id: &JwtTemplateId) -> Result<(), TemplateUseError> {
        Ok(self.store.delete_template(id).await?)
    }

    /// Mints a token from the template named `name` for a live session
    /// (counts as activity, like a session token).
    #[tracing::instrument(skip_all, fields(session_id = %session_id))]
    pub async fn mint_template_token(
        &self,
        session_id: &SessionId,
        name: &str,
        origin: Option<&str>,
        expires_in_secs: Option<i64>,
    ) -> Result<String, TemplateUseError> {
        if let Some(secs) = expires_in_secs {
            requested_lifetime(secs).map_err(|_| TemplateError::OutOfRange {
                param: "expires_in_seconds",
                min: 30,
                max: 315_360_000,
                got: secs,
            })?;
        }
        let row = self.store.find_template_by_name(name).await?;
        // The session, its organization and its user as they are now, in
        // one read (the user `None`: deleted since the session began; the
        // template then sees only the id).
        let (session, active, user) = self
            .store
            .find_session_for_template(session_id)
            .await
            .map_err(SessionError::from)?;
        let mintable = self.mintable(session, active).await?;
        let session = &mintable.session;
        let user = user.map(|u| u.0);
        let active = match (&mintable.active, mintable.organization.claims()) {
            (Some(a), Some(claims)) => Some(TemplateOrganization {
                organization: &a.organization,
                membership: &a.membership,
                claims,
            }),
            _ => None,
        };
        let jti = base62_u128(self.ids.random_u128());
        let iss = self.frontend_api().origin();
        let claims = template_token_claims(
            &template_of(&row),
            &template_context(session, user.as_ref(), active),
            &TemplateTokenInput {
                iss: &iss,
                sub: session.user_id().as_str(),
                azp: origin,
                jti: &jti,
                now: self.now(),
                expires_in_secs,
            },
        );
        let signed = match &row.custom_key {
            None => self.ring().sign_template_token(&claims),
            Some(key) => self.keys.sign_with_custom_key(&claims, key),
        };
        signed.map_err(|e| match e {
            SignError::CustomKey(reason) => TemplateUseError::InvalidKey(reason),
            SignError::Unexpected(e) => TemplateUseError::Unexpected(e),
        })
    }
}

/// The domain template of a stored row (its signing key stays sealed in
/// the row: claim building does not need it).
fn template_of(row: &TemplateRow) -> JwtTemplate {
    JwtTemplate::from_record(JwtTemplateRecord {
        id: row.id.clone(),
        name: row.name.clone(),
        claims: row.claims.clone(),
        lifetime: row.lifetime,
        allowed_clock_skew: row.allowed_clock_skew,
        signing: TemplateSigning::InstanceKey,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}
