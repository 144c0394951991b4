//! Metadata: the JSON objects Clerk lets an application hang on users,
//! organizations and memberships (`public_metadata`, `private_metadata`,
//! `unsafe_metadata`).
//!
//! Clerk caps each metadata object: "Metadata is limited to 8KB maximum"
//! (<https://clerk.com/docs/guides/users/extending>, and the same warning on
//! <https://clerk.com/docs/guides/organizations/metadata>). Hallpass reads
//! that as 8192 bytes of compact JSON text (UTF-8, no whitespace, the text
//! [`Json::to_compact_string`] writes), per object: a user's public, private
//! and unsafe metadata each have their own 8 KB.
//!
//! `PATCH …/metadata` deep-merges ([`Metadata::merged`]), with the rules of
//! JSON Merge Patch (RFC 7396): objects merge key by key, recursively; a key
//! set to `null` is removed, at any depth; any other value (string, number,
//! array, …) replaces what was there. The cap applies to the result.

use crate::json::{Json, JsonObject};

/// The most bytes one metadata object may take as compact JSON text.
pub const METADATA_MAX_BYTES: usize = 8 * 1024;

/// Why a value cannot be stored as metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MetadataError {
    /// Metadata must be a JSON object (`null` counts as the empty object).
    #[error("metadata must be a JSON object")]
    NotAnObject,
    /// Over Clerk's 8 KB cap.
    #[error("metadata is {size} bytes, more than the {max} allowed")]
    TooLarge { size: usize, max: usize },
}

/// Which of an object's metadata fields a value or an error belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MetadataField {
    Public,
    Private,
    Unsafe,
}

impl MetadataField {
    /// The wire name of the field (`public_metadata`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public_metadata",
            Self::Private => "private_metadata",
            Self::Unsafe => "unsafe_metadata",
        }
    }
}

/// A metadata field refused, and which one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{}: {error}", field.as_str())]
pub struct MetadataFieldError {
    pub field: MetadataField,
    pub error: MetadataError,
}

/// A metadata object within Clerk's size cap.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Metadata(JsonObject);

impl Metadata {
    /// The empty object `{}`.
    pub fn empty() -> Self {
        Self(JsonObject::new())
    }

    /// Validates an object against the cap.
    pub fn new(object: JsonObject) -> Result<Self, MetadataError> {
        let size = object_size(&object);
        if size > METADATA_MAX_BYTES {
            return Err(MetadataError::TooLarge {
                size,
                max: METADATA_MAX_BYTES,
            });
        }
        Ok(Self(object))
    }

    /// Validates a JSON value: an object within the cap; `null` is the empty
    /// object (the Backend API's metadata fields are nullable); anything else
    /// is refused.
    pub fn from_json(value: Json) -> Result<Self, MetadataError> {
        match value {
            Json::Null => Ok(Self::empty()),
            Json::Object(object) => Self::new(object),
            _ => Err(MetadataError::NotAnObject),
        }
    }

    /// Rebuilds stored metadata without checking the cap again (storage
    /// holds what the domain wrote).
    pub fn from_record(object: JsonObject) -> Self {
        Self(object)
    }

    /// The object.
    pub fn as_object(&self) -> &JsonObject {
        &self.0
    }

    /// The object, owned.
    pub fn into_object(self) -> JsonObject {
        self.0
    }

    /// The object as a JSON value.
    pub fn to_json(&self) -> Json {
        Json::Object(self.0.clone())
    }

    /// The size the cap measures: bytes of compact JSON text.
    pub fn size(&self) -> usize {
        object_size(&self.0)
    }

    /// `PATCH …/metadata`: `patch` deep-merged into this metadata (see
    /// [`deep_merge`]), refused when the result is over the cap.
    pub fn merged(&self, patch: &JsonObject) -> Result<Self, MetadataError> {
        Self::new(deep_merge(&self.0, patch))
    }
}

/// Merges `patch`, when there is one, into `current`; the error names
/// `field`. `Ok(None)` when there is nothing to merge.
pub fn merge_field(
    field: MetadataField,
    current: &Metadata,
    patch: Option<&JsonObject>,
) -> Result<Option<Metadata>, MetadataFieldError> {
    patch
        .map(|p| {
            current
                .merged(p)
                .map_err(|error| MetadataFieldError { field, error })
        })
        .transpose()
}

/// Public and private metadata merged together, both checked before either
/// is returned (organizations and memberships).
pub(crate) fn merge_pair(
    public: (&Metadata, Option<&JsonObject>),
    private: (&Metadata, Option<&JsonObject>),
) -> Result<(Option<Metadata>, Option<Metadata>), MetadataFieldError> {
    Ok((
        merge_field(MetadataField::Public, public.0, public.1)?,
        merge_field(MetadataField::Private, private.0, private.1)?,
    ))
}

fn object_size(object: &JsonObject) -> usize {
    Json::Object(object.clone()).to_compact_string().len()
}

/// JSON Merge Patch (RFC 7396) of two objects: every key of `patch` applies
/// in its order; `null` removes the key; an object merges recursively into
/// the existing value when that is an object (into `{}` otherwise, so nulls
/// inside a new object are dropped too); any other value replaces. Keys of
/// `base` keep their position; new keys go last.
pub fn deep_merge(base: &JsonObject, patch: &JsonObject) -> JsonObject {
    let mut out = base.clone();
    for (key, value) in patch.iter() {
        match value {
            Json::Null => {
                out.remove(key);
            }
            Json::Object(inner) => {
                let merged = match out.get(key) {
                    Some(Json::Object(existing)) => deep_merge(existing, inner),
                    _ => deep_merge(&JsonObject::new(), inner),
                };
                out.insert(key, Json::Object(merged));
            }
            other => {
                out.insert(key, other.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
