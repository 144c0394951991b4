//! Reading the identity routes' parameters into domain values: every
//! refusal is Clerk's 422 for the parameter (or a 404 for a path id).

use hallpass_domain::{
    FieldError, JsonObject, Metadata, MetadataError, MetadataField, MetadataFieldError,
    OrganizationRef, UnixMillis, UserId,
};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::ApiError;

/// For `Option<Option<T>>` fields: absent is `None`, `null` is
/// `Some(None)`, a value `Some(Some(v))` (use with `#[serde(default)]`).
pub(crate) fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// One string or a list of them (`email_address: "a@x.io"` or `[…]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub(crate) fn into_vec(self) -> Vec<String> {
        match self {
            Self::One(one) => vec![one],
            Self::Many(many) => many,
        }
    }
}

/// A profile value: `None` when absent or empty, else parsed.
pub(crate) fn text<T>(
    value: Option<&str>,
    parse: impl FnOnce(&str) -> Result<T, FieldError>,
) -> Result<Option<T>, ApiError> {
    value
        .filter(|v| !v.is_empty())
        .map(|v| parse(v).map_err(|e| ApiError::field(&e)))
        .transpose()
}

/// A `PATCH` profile value: absent leaves it (`None`); `null` or empty
/// clears it (`Some(None)`); anything else is parsed.
pub(crate) fn patch_text<T>(
    value: Option<Option<String>>,
    parse: impl FnOnce(&str) -> Result<T, FieldError>,
) -> Result<Option<Option<T>>, ApiError> {
    match value {
        None => Ok(None),
        Some(v) => Ok(Some(text(v.as_deref(), parse)?)),
    }
}

fn metadata_error(field: MetadataField, error: MetadataError) -> ApiError {
    ApiError::metadata(&MetadataFieldError { field, error })
}

/// A metadata field as a `PUT` (or an update) gives it: absent is `None`;
/// `null` counts as `{}` (`@clerk/backend` documents `null` as a way to
/// clear a field on replacement).
pub(crate) fn replacing(value: Option<Option<Value>>) -> Option<Value> {
    value.map(|v| v.unwrap_or(Value::Null))
}

/// A metadata object that replaces (or creates) one: absent is none given,
/// `null` is `{}`; anything but an object, or over the cap, is refused.
pub(crate) fn metadata(
    field: MetadataField,
    value: Option<Value>,
) -> Result<Option<Metadata>, ApiError> {
    value
        .map(|v| {
            Metadata::from_json(hallpass_json_bridge::from_value(v))
                .map_err(|e| metadata_error(field, e))
        })
        .transpose()
}

/// A metadata object to deep-merge: an object, or refused (the cap applies
/// to the result, in the domain).
pub(crate) fn metadata_patch(
    field: MetadataField,
    value: Option<Value>,
) -> Result<Option<JsonObject>, ApiError> {
    match value {
        None => Ok(None),
        Some(Value::Object(map)) => Ok(Some(hallpass_json_bridge::object_from_map(map))),
        Some(_) => Err(metadata_error(field, MetadataError::NotAnObject)),
    }
}

/// An RFC 3339 date-time (`2012-10-20T07:15:20.902Z`,
/// `2012-10-20T09:15:20+02:00`) in Unix milliseconds; digits of a second
/// past the millisecond are dropped.
pub(crate) fn rfc3339(param: &'static str, value: &str) -> Result<UnixMillis, ApiError> {
    parse_rfc3339(value.as_bytes())
        .map(UnixMillis::new)
        .ok_or_else(|| ApiError::invalid_time(param))
}

fn digits(bytes: &[u8]) -> Option<i64> {
    if bytes.is_empty() || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(bytes.iter().fold(0, |n, b| n * 10 + i64::from(b - b'0')))
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn parse_rfc3339(b: &[u8]) -> Option<i64> {
    // YYYY-MM-DDTHH:MM:SS, then an optional fraction, then Z or ±HH:MM.
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let (year, month, day) = (digits(&b[0..4])?, digits(&b[5..7])?, digits(&b[8..10])?);
    let (hour, minute, second) = (
        digits(&b[11..13])?,
        digits(&b[14..16])?,
        digits(&b[17..19])?,
    );
    if !(1..=12).contains(&month)
        || !(1..=days_in_month(year, month)).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = &b[19..];
    let mut millis = 0;
    if let Some(fraction) = rest.strip_prefix(b".") {
        let end = fraction
            .iter()
            .position(|c| !c.is_ascii_digit())
            .unwrap_or(fraction.len());
        let first = &fraction[..end.min(3)];
        millis = digits(first)? * 10_i64.pow(3 - first.len() as u32);
        rest = &fraction[end..];
    }
    let offset_minutes = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let (h, m) = (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?);
            if h > 23 || m > 59 {
                return None;
            }
            let minutes = h * 60 + m;
            if *sign == b'+' { minutes } else { -minutes }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second.min(59) - offset_minutes * 60;
    Some(seconds * 1000 + millis)
}

/// A user id in the path: one that cannot exist is not found.
pub(crate) fn path_user(value: &str) -> Result<UserId, ApiError> {
    UserId::parse(value).map_err(|_| ApiError::user_not_found(value))
}

/// A user id in a body or query parameter.
pub(crate) fn param_user(param: &'static str, value: &str) -> Result<UserId, ApiError> {
    UserId::parse(value).map_err(|e| ApiError::invalid_param(param, e.to_string()))
}

/// An organization id or slug in the path.
pub(crate) fn path_organization(value: &str) -> Result<OrganizationRef, ApiError> {
    OrganizationRef::parse(value).map_err(|_| ApiError::organization_not_found())
}

/// Refuses a parameter for a feature Hallpass does not have when it carries
/// a value (`null` is as good as absent).
pub(crate) fn unsupported(
    param: &'static str,
    value: Option<&Value>,
    why: &str,
) -> Result<(), ApiError> {
    match value {
        None | Some(Value::Null) => Ok(()),
        Some(_) => Err(ApiError::param_unknown(param, why)),
    }
}

/// Why second-factor parameters are refused.
pub(crate) const NO_SECOND_FACTORS: &str =
    "Hallpass does not store second factors (TOTP secrets, backup codes).";

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn rfc3339_times_become_milliseconds_and_others_are_refused() {
        assert_eq!(
            rfc3339("created_at", "2012-10-20T07:15:20.902Z").unwrap(),
            UnixMillis::new(1_350_717_320_902)
        );
        assert_eq!(
            rfc3339("created_at", "2012-10-20T09:15:20+02:00").unwrap(),
            UnixMillis::new(1_350_717_320_000)
        );
        assert_eq!(
            rfc3339("created_at", "1970-01-01T00:00:00.5Z").unwrap(),
            UnixMillis::new(500)
        );
        assert_eq!(
            rfc3339("created_at", "2024-02-29T23:59:59.123456-00:30").unwrap(),
            UnixMillis::new(1_709_252_999_123)
        );
        for bad in [
            "",
            "2012-10-20",
            "1350717320902",
            "yesterday",
            "2023-02-29T00:00:00Z",
            "2012-13-20T07:15:20Z",
            "2012-10-20T24:00:00Z",
            "2012-10-20T07:15:20",
            "2012-10-20T07:15:20+0200",
            "2012-10-20T07:15:20.Z",
        ] {
            assert_eq!(
                rfc3339("created_at", bad).unwrap_err().code(),
                "form_param_invalid_time",
                "{bad}"
            );
        }
    }

    #[test]
    fn metadata_is_an_object_or_null_and_a_patch_an_object() {
        let field = MetadataField::Public;
        assert_eq!(metadata(field, None).unwrap(), None);
        assert_eq!(
            metadata(field, Some(Value::Null)).unwrap(),
            Some(Metadata::empty())
        );
        assert!(
            metadata(field, Some(serde_json::json!({"a": 1})))
                .unwrap()
                .is_some()
        );
        for bad in [
            serde_json::json!([1]),
            serde_json::json!("x"),
            serde_json::json!(1),
        ] {
            assert_eq!(
                metadata(field, Some(bad.clone())).unwrap_err().code(),
                "form_param_value_invalid"
            );
            assert_eq!(
                metadata_patch(field, Some(bad)).unwrap_err().code(),
                "form_param_value_invalid"
            );
        }
        assert_eq!(
            metadata_patch(field, Some(Value::Null)).unwrap_err().code(),
            "form_param_value_invalid"
        );
    }
}
