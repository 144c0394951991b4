//! The password parameters of `POST /v1/users` and `PATCH /v1/users/{id}`:
//! `password` (checked against the instance's policy unless
//! `skip_password_checks`), or `password_digest` with `password_hasher`
//! (`argon2id`, `argon2i` or `bcrypt`) to import a digest from another
//! system. Giving both, or a hasher without a digest, is refused.

use hallpass_app::NewPassword;
use hallpass_domain::{Password, PasswordDigest, PasswordHasher};
use serde_json::Value;

use crate::ApiError;

/// A string parameter (`null` is absent).
fn text(param: &'static str, value: Option<Value>) -> Result<Option<String>, ApiError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ApiError::invalid_param(
            param,
            format!("{param} must be a string."),
        )),
    }
}

/// The password parameters as given.
#[derive(Debug, Default)]
pub(crate) struct PasswordParams {
    pub password: Option<Value>,
    pub password_digest: Option<Value>,
    pub password_hasher: Option<Value>,
    pub skip_password_checks: Option<bool>,
}

impl PasswordParams {
    /// The password to set, if any.
    pub(crate) fn into_new_password(self) -> Result<Option<NewPassword>, ApiError> {
        let password = text("password", self.password)?;
        let digest = text("password_digest", self.password_digest)?;
        let hasher = text("password_hasher", self.password_hasher)?;
        match (password, digest, hasher) {
            (None, None, None) => Ok(None),
            (Some(_), Some(_), _) => Err(ApiError::invalid_param(
                "password_digest",
                "password and password_digest cannot be given together.",
            )),
            (Some(_), None, Some(_)) | (None, None, Some(_)) => Err(ApiError::invalid_param(
                "password_hasher",
                "password_hasher is only given with password_digest.",
            )),
            (Some(password), None, None) => {
                let password = Password::new(password)
                    .map_err(|e| ApiError::password_rejected(e, "password"))?;
                Ok(Some(NewPassword::Plain {
                    password,
                    skip_checks: self.skip_password_checks.unwrap_or(false),
                }))
            }
            (None, Some(_), None) => Err(ApiError::missing_param("password_hasher")),
            (None, Some(digest), Some(hasher)) => {
                let hasher =
                    PasswordHasher::parse(&hasher).map_err(|e| ApiError::digest_refused(&e))?;
                let digest = PasswordDigest::import(hasher, digest)
                    .map_err(|e| ApiError::digest_refused(&e))?;
                Ok(Some(NewPassword::Digest(digest)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::json;

    use super::*;

    const BCRYPT: &str = "$2b$04$Y/yYJhcQ0IIKBky.hHR2G.0bhXBzxT.hRzcrZBljvdUqETAMipo36";

    fn params(p: Value, d: Value, h: Value, skip: Option<bool>) -> PasswordParams {
        let some = |v: Value| (!v.is_null()).then_some(v);
        PasswordParams {
            password: some(p),
            password_digest: some(d),
            password_hasher: some(h),
            skip_password_checks: skip,
        }
    }

    fn code(r: Result<Option<NewPassword>, ApiError>) -> (String, String) {
        let e = r.unwrap_err();
        let body = e.body();
        (
            body["errors"][0]["code"].as_str().unwrap().to_owned(),
            body["errors"][0]["meta"]["param_name"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        )
    }

    #[test]
    fn a_plain_password_or_an_imported_digest_or_none() {
        let none = params(Value::Null, Value::Null, Value::Null, None);
        assert!(none.into_new_password().unwrap().is_none());
        let plain = params(
            json!("hunter2hunter2"),
            Value::Null,
            Value::Null,
            Some(true),
        );
        let Some(NewPassword::Plain {
            password,
            skip_checks,
        }) = plain.into_new_password().unwrap()
        else {
            panic!("plain");
        };
        assert_eq!(password.expose(), "hunter2hunter2");
        assert!(skip_checks);
        let checked = params(json!("hunter2hunter2"), Value::Null, Value::Null, None);
        assert!(matches!(
            checked.into_new_password().unwrap(),
            Some(NewPassword::Plain {
                skip_checks: false,
                ..
            })
        ));
        let imported = params(Value::Null, json!(BCRYPT), json!("bcrypt"), None);
        let Some(NewPassword::Digest(d)) = imported.into_new_password().unwrap() else {
            panic!("digest");
        };
        assert_eq!(d.as_str(), BCRYPT);
    }

    #[test]
    fn contradictory_incomplete_or_unusable_parameters_are_refused_by_name() {
        let cases = [
            (
                json!("pw-pw-pw-pw"),
                json!(BCRYPT),
                json!("bcrypt"),
                "form_param_value_invalid",
                "password_digest",
            ),
            (
                json!("pw-pw-pw-pw"),
                Value::Null,
                json!("bcrypt"),
                "form_param_value_invalid",
                "password_hasher",
            ),
            (
                Value::Null,
                Value::Null,
                json!("bcrypt"),
                "form_param_value_invalid",
                "password_hasher",
            ),
            (
                Value::Null,
                json!(BCRYPT),
                Value::Null,
                "form_param_missing",
                "password_hasher",
            ),
            (
                Value::Null,
                json!(BCRYPT),
                json!("md5"),
                "form_param_value_invalid",
                "password_hasher",
            ),
            (
                Value::Null,
                json!(BCRYPT),
                json!("argon2id"),
                "form_param_format_invalid",
                "password_digest",
            ),
            (
                json!(12345678),
                Value::Null,
                Value::Null,
                "form_param_value_invalid",
                "password",
            ),
            (
                Value::Null,
                json!(["x"]),
                json!("bcrypt"),
                "form_param_value_invalid",
                "password_digest",
            ),
            (
                Value::Null,
                json!(BCRYPT),
                json!(true),
                "form_param_value_invalid",
                "password_hasher",
            ),
            (
                json!(""),
                Value::Null,
                Value::Null,
                "form_password_length_too_short",
                "password",
            ),
            (
                json!("x".repeat(4097)),
                Value::Null,
                Value::Null,
                "form_password_size_in_bytes_exceeded",
                "password",
            ),
        ];
        for (p, d, h, want, param) in cases {
            let got = code(params(p.clone(), d.clone(), h.clone(), None).into_new_password());
            assert_eq!(got, (want.to_owned(), param.to_owned()), "{p} {d} {h}");
        }
    }
}
