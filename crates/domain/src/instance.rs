//! The instance: one deployment of Hallpass, its environment and its public
//! Frontend API address (which fixes the publishable key and the `iss` claim).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};

use crate::id::InstanceId;
use crate::time::UnixMillis;

/// Development or production: decides key prefixes and client transports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Environment {
    Development,
    Production,
}

impl Environment {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Development => "development",
            Self::Production => "production",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "development" => Some(Self::Development),
            "production" => Some(Self::Production),
            _ => None,
        }
    }

    /// `test` or `live`, as in `pk_test_` / `sk_live_`.
    pub fn key_kind(self) -> &'static str {
        match self {
            Self::Development => "test",
            Self::Production => "live",
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a Frontend API URL or publishable key is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrontendApiError {
    #[error("the Frontend API URL must start with http:// or https://")]
    Scheme,
    #[error("the Frontend API URL must be an origin: scheme, host and optional port, nothing else")]
    NotAnOrigin,
    #[error(
        "the Frontend API host must contain a dot (Clerk's SDKs reject `localhost`; use 127.0.0.1)"
    )]
    NoDot,
    #[error("the publishable key is malformed")]
    PublishableKey,
}

/// The public origin of the Frontend API, e.g. `https://clerk.example.com`
/// or `http://127.0.0.1:8080`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontendApi {
    https: bool,
    host: String,
}

impl FrontendApi {
    /// Parses an origin. Paths, queries, fragments, userinfo and a missing
    /// dot in the host are refused: the SDKs would refuse the key.
    pub fn parse(url: &str) -> Result<Self, FrontendApiError> {
        let (https, rest) = if let Some(rest) = url.strip_prefix("https://") {
            (true, rest)
        } else if let Some(rest) = url.strip_prefix("http://") {
            (false, rest)
        } else {
            return Err(FrontendApiError::Scheme);
        };
        let host = rest.strip_suffix('/').unwrap_or(rest);
        let allowed = |b: u8| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b);
        if host.is_empty() || host.len() > 253 || !host.bytes().all(allowed) {
            return Err(FrontendApiError::NotAnOrigin);
        }
        if !host.contains('.') {
            return Err(FrontendApiError::NoDot);
        }
        Ok(Self {
            https,
            host: host.to_ascii_lowercase(),
        })
    }

    /// `host[:port]`, as encoded in the publishable key.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The origin, e.g. `https://clerk.example.com`. This is the `iss` of
    /// every token the instance signs.
    pub fn origin(&self) -> String {
        format!(
            "{}://{}",
            if self.https { "https" } else { "http" },
            self.host
        )
    }

    pub fn is_https(&self) -> bool {
        self.https
    }
}

/// `pk_test_` / `pk_live_` followed by base64 of `"<fapi host>$"` without padding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishableKey(String);

impl PublishableKey {
    pub fn new(environment: Environment, fapi: &FrontendApi) -> Self {
        let encoded = STANDARD_NO_PAD.encode(format!("{}$", fapi.host()));
        Self(format!("pk_{}_{}", environment.key_kind(), encoded))
    }

    /// Decodes a key into its environment and Frontend API host, with the
    /// checks `@clerk/backend` applies.
    pub fn decode(key: &str) -> Result<(Environment, String), FrontendApiError> {
        let mut parts = key.splitn(3, '_');
        let (Some("pk"), Some(kind), Some(body)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(FrontendApiError::PublishableKey);
        };
        let environment = match kind {
            "test" => Environment::Development,
            "live" => Environment::Production,
            _ => return Err(FrontendApiError::PublishableKey),
        };
        let padded = format!("{body}{}", "=".repeat((4 - body.len() % 4) % 4));
        let bytes = STANDARD
            .decode(padded)
            .map_err(|_| FrontendApiError::PublishableKey)?;
        let text = String::from_utf8(bytes).map_err(|_| FrontendApiError::PublishableKey)?;
        let host = text
            .strip_suffix('$')
            .filter(|h| !h.contains('$') && h.contains('.'))
            .ok_or(FrontendApiError::PublishableKey)?;
        Ok((environment, host.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PublishableKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The stored identity of the instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    pub id: InstanceId,
    pub environment: Environment,
    pub created_at: UnixMillis,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publishable_key_matches_clerks_encoding() {
        let fapi = FrontendApi::parse("https://clerk.example.com").unwrap();
        let pk = PublishableKey::new(Environment::Production, &fapi);
        assert_eq!(pk.as_str(), "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k");
        assert_eq!(
            PublishableKey::decode(pk.as_str()),
            Ok((Environment::Production, "clerk.example.com".to_owned()))
        );
    }

    #[test]
    fn local_frontend_api_keeps_its_port_and_scheme() {
        let fapi = FrontendApi::parse("http://127.0.0.1:8080/").unwrap();
        assert_eq!(fapi.host(), "127.0.0.1:8080");
        assert_eq!(fapi.origin(), "http://127.0.0.1:8080");
        let pk = PublishableKey::new(Environment::Development, &fapi);
        assert!(pk.as_str().starts_with("pk_test_"));
        assert_eq!(
            PublishableKey::decode(pk.as_str()).unwrap().1,
            "127.0.0.1:8080"
        );
    }

    #[test]
    fn frontend_api_refuses_what_the_sdks_refuse() {
        assert_eq!(
            FrontendApi::parse("http://localhost:8080"),
            Err(FrontendApiError::NoDot)
        );
        assert_eq!(
            FrontendApi::parse("ftp://a.b"),
            Err(FrontendApiError::Scheme)
        );
        for bad in [
            "https://a.b/path",
            "https://u@a.b",
            "https://a.b?x=1",
            "https://",
        ] {
            assert_eq!(
                FrontendApi::parse(bad),
                Err(FrontendApiError::NotAnOrigin),
                "{bad}"
            );
        }
    }

    #[test]
    fn malformed_publishable_keys_are_refused() {
        for bad in [
            "",
            "pk_prod_Y2xlcmsuZXhhbXBsZS5jb20k",
            "sk_live_Y2xlcmsuZXhhbXBsZS5jb20k",
            "pk_live_!!!",
            "pk_live_bG9jYWxob3N0JA",
        ] {
            assert!(PublishableKey::decode(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn environments_are_named_development_and_production() {
        for (environment, name, kind) in [
            (Environment::Development, "development", "test"),
            (Environment::Production, "production", "live"),
        ] {
            assert_eq!(environment.as_str(), name);
            assert_eq!(environment.to_string(), name);
            assert_eq!(Environment::parse(name), Some(environment));
            assert_eq!(environment.key_kind(), kind);
        }
        for bad in ["", "Production", "prod", "test", "live"] {
            assert_eq!(Environment::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_frontend_api_host_may_be_253_bytes_and_not_one_more() {
        let longest = format!("{}.{}", "a".repeat(126), "b".repeat(126));
        assert_eq!(longest.len(), 253);
        let fapi = FrontendApi::parse(&format!("https://{longest}")).unwrap();
        assert_eq!(fapi.host(), longest);
        assert_eq!(
            FrontendApi::parse(&format!("https://{longest}b")),
            Err(FrontendApiError::NotAnOrigin)
        );
    }

    #[test]
    fn the_frontend_api_scheme_decides_https() {
        let secure = FrontendApi::parse("https://Clerk.Example.com/").unwrap();
        assert!(secure.is_https());
        assert_eq!(secure.origin(), "https://clerk.example.com");
        let plain = FrontendApi::parse("http://127.0.0.1:8080").unwrap();
        assert!(!plain.is_https());
    }

    #[test]
    fn a_publishable_key_displays_as_its_text() {
        let fapi = FrontendApi::parse("https://clerk.example.com").unwrap();
        let pk = PublishableKey::new(Environment::Production, &fapi);
        assert_eq!(pk.to_string(), "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k");
    }
}
