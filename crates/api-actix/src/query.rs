//! Query strings with repeated parameters, as the SDKs send list filters:
//! `@clerk/backend` repeats the key (`email_address=a&email_address=b`),
//! other clients add brackets (`email_address[]=a`); both are read.
//!
//! Lists are bounded (Clerk: "Accepts up to 100"), single values take the
//! first occurrence (Clerk: "if multiple `order_by` parameters are provided,
//! we will only keep the first one"), and an empty value counts as absent.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use hallpass_domain::UnixMillis;
use hallpass_ports::IdFilter;

use crate::ApiError;
use crate::pagination::{self, Page};

/// The most values a list filter takes.
pub(crate) const MAX_VALUES: usize = 100;

/// The parsed query string of a request.
#[derive(Debug, Clone, Default)]
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    /// Parses a query string; undecodable text is a 400.
    pub(crate) fn parse(query: &str) -> Result<Self, ApiError> {
        serde_urlencoded::from_str::<Vec<(String, String)>>(query)
            .map(Self)
            .map_err(|e| {
                ApiError::bad_request(
                    "invalid_query_parameter_value",
                    format!("A query parameter is invalid: {e}"),
                )
            })
    }

    fn values<'a, 'n>(&'a self, name: &'n str) -> impl Iterator<Item = &'a str> + use<'a, 'n> {
        self.0
            .iter()
            .filter(move |(k, _)| k == name || k.strip_suffix("[]") == Some(name))
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// Every non-empty value of `name` (or `name[]`), at most
    /// [`MAX_VALUES`].
    pub(crate) fn list(&self, name: &'static str) -> Result<Vec<String>, ApiError> {
        let values: Vec<String> = self.values(name).map(str::to_owned).collect();
        if values.len() > MAX_VALUES {
            return Err(ApiError::array_too_large(name, MAX_VALUES));
        }
        Ok(values)
    }

    /// The first non-empty value of `name`.
    pub(crate) fn first(&self, name: &str) -> Option<&str> {
        self.values(name).next()
    }

    /// Whether `name` was sent at all (even empty).
    pub(crate) fn has(&self, name: &str) -> bool {
        self.0
            .iter()
            .any(|(k, _)| k == name || k.strip_suffix("[]") == Some(name))
    }

    /// `true`/`false` (or `1`/`0`).
    pub(crate) fn bool(&self, name: &'static str) -> Result<Option<bool>, ApiError> {
        self.first(name)
            .map(|v| match v {
                "true" | "1" => Ok(true),
                "false" | "0" => Ok(false),
                _ => Err(ApiError::invalid_param(
                    name,
                    format!("{name} must be true or false"),
                )),
            })
            .transpose()
    }

    /// A time in Unix milliseconds.
    pub(crate) fn millis(&self, name: &'static str) -> Result<Option<UnixMillis>, ApiError> {
        self.first(name)
            .map(|v| {
                v.parse::<i64>().map(UnixMillis::new).map_err(|_| {
                    ApiError::invalid_param(
                        name,
                        format!("{name} must be a time in Unix milliseconds"),
                    )
                })
            })
            .transpose()
    }

    /// Values prefixed with `+` (or nothing) to include and `-` to exclude.
    pub(crate) fn id_filter(&self, name: &'static str) -> Result<IdFilter, ApiError> {
        let mut filter = IdFilter::default();
        for value in self.list(name)? {
            match value.as_bytes().first() {
                Some(b'-') => filter.exclude.push(value[1..].to_owned()),
                // A `+` the client did not percent-encode arrives as a space.
                Some(b'+' | b' ') => filter.include.push(value[1..].to_owned()),
                _ => filter.include.push(value),
            }
        }
        Ok(filter)
    }

    /// `limit` (1–500, default 10), `offset`, `paginated`.
    pub(crate) fn page(&self) -> Result<Page, ApiError> {
        pagination::page_of(
            self.first("limit"),
            self.first("offset"),
            self.first("paginated"),
        )
    }

    /// Refuses a parameter for what Hallpass does not store (web3 wallets,
    /// OAuth accounts): a filter on it could only match no one, and Clerk
    /// refuses parameters of features an instance has disabled the same way.
    pub(crate) fn refuse(&self, name: &'static str, why: &str) -> Result<(), ApiError> {
        if self.has(name) {
            return Err(ApiError::param_unknown(name, why));
        }
        Ok(())
    }
}

impl FromRequest for Params {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Self::parse(req.query_string()))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn repeated_and_bracketed_keys_are_one_list_and_empty_values_are_absent() {
        let p = Params::parse("email_address=a%40x.io&email_address[]=b%40x.io&email_address=&x=1")
            .unwrap();
        assert_eq!(p.list("email_address").unwrap(), ["a@x.io", "b@x.io"]);
        assert_eq!(p.first("x"), Some("1"));
        assert_eq!(p.first("email_address"), Some("a@x.io"));
        assert!(p.list("username").unwrap().is_empty());
    }

    #[test]
    fn a_list_takes_up_to_a_hundred_values() {
        let hundred = (0..100)
            .map(|i| format!("user_id=u{i}"))
            .collect::<Vec<_>>();
        let ok = Params::parse(&hundred.join("&")).unwrap();
        assert_eq!(ok.list("user_id").unwrap().len(), 100);
        let over = Params::parse(&format!("{}&user_id=u100", hundred.join("&"))).unwrap();
        assert_eq!(
            over.list("user_id").unwrap_err().code(),
            "form_param_array_size_exceeded"
        );
    }

    #[test]
    fn plus_includes_and_minus_excludes() {
        let p = Params::parse("user_id=%2Bu1&user_id=-u2&user_id=u3&user_id=+u4").unwrap();
        let f = p.id_filter("user_id").unwrap();
        assert_eq!(f.include, ["u1", "u3", "u4"]);
        assert_eq!(f.exclude, ["u2"]);
    }

    #[test]
    fn booleans_and_times_are_checked() {
        let p = Params::parse("a=true&b=0&c=yes&t=1700000000000&u=soon").unwrap();
        assert_eq!(p.bool("a").unwrap(), Some(true));
        assert_eq!(p.bool("b").unwrap(), Some(false));
        assert_eq!(p.bool("c").unwrap_err().code(), "form_param_value_invalid");
        assert_eq!(p.bool("d").unwrap(), None);
        assert_eq!(
            p.millis("t").unwrap(),
            Some(UnixMillis::new(1_700_000_000_000))
        );
        assert_eq!(
            p.millis("u").unwrap_err().code(),
            "form_param_value_invalid"
        );
    }
}
