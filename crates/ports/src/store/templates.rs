//! JWT templates as stored.

use std::future::Future;

use hallpass_domain::{JsonObject, JwtTemplateId, SigningAlgorithm, TemplateName, UnixMillis};

use crate::errors::StoreError;

/// A template's own signing key as stored: sealed by the signing adapter.
#[derive(Clone, PartialEq, Eq)]
pub struct SealedCustomKey {
    pub algorithm: SigningAlgorithm,
    pub sealed: String,
    pub sealing: String,
}

impl std::fmt::Debug for SealedCustomKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealedCustomKey")
            .field("algorithm", &self.algorithm)
            .field("sealing", &self.sealing)
            .finish_non_exhaustive()
    }
}

/// A stored JWT template.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateRow {
    pub id: JwtTemplateId,
    pub name: TemplateName,
    pub claims: JsonObject,
    pub lifetime: i64,
    pub allowed_clock_skew: i64,
    pub custom_key: Option<SealedCustomKey>,
    pub created_at: UnixMillis,
    pub updated_at: UnixMillis,
}

#[derive(Debug, thiserror::Error)]
pub enum FindTemplateError {
    #[error("template not found")]
    NotFound,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

#[derive(Debug, thiserror::Error)]
pub enum SaveTemplateError {
    #[error("template not found")]
    NotFound,
    /// Another template has this name (names are unique).
    #[error("a template with this name exists")]
    NameTaken,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// JWT templates.
pub trait TemplateStore: Send + Sync + 'static {
    /// Inserts a template; `NameTaken` if the name (or id) is in use.
    fn insert_template(
        &self,
        template: &TemplateRow,
    ) -> impl Future<Output = Result<(), SaveTemplateError>> + Send;

    /// Replaces a template; `NameTaken` if renamed onto another's name.
    fn update_template(
        &self,
        template: &TemplateRow,
    ) -> impl Future<Output = Result<(), SaveTemplateError>> + Send;

    fn find_template(
        &self,
        id: &JwtTemplateId,
    ) -> impl Future<Output = Result<TemplateRow, FindTemplateError>> + Send;

    fn find_template_by_name(
        &self,
        name: &str,
    ) -> impl Future<Output = Result<TemplateRow, FindTemplateError>> + Send;

    /// A page of templates, newest first, and how many there are.
    fn list_templates(
        &self,
        limit: u32,
        offset: u32,
    ) -> impl Future<Output = Result<(Vec<TemplateRow>, u64), StoreError>> + Send;

    fn delete_template(
        &self,
        id: &JwtTemplateId,
    ) -> impl Future<Output = Result<(), FindTemplateError>> + Send;
}
