//! The PostgreSQL URL: it may carry a password, so it is kept secret and
//! prints redacted.

use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;

/// A database URL, as configured. `Debug` and [`DatabaseUrl::redacted`]
/// print it with the password replaced by `***`.
#[derive(Clone, Deserialize)]
#[serde(from = "String")]
pub struct DatabaseUrl(SecretString);

impl DatabaseUrl {
    /// The URL itself, password included: for connecting only.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// The URL without its password, for people and logs.
    pub fn redacted(&self) -> String {
        redact(self.expose())
    }
}

impl From<String> for DatabaseUrl {
    fn from(url: String) -> Self {
        Self(SecretString::from(url))
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("DatabaseUrl")
            .field(&self.redacted())
            .finish()
    }
}

/// `url` with its password replaced by `***`, in the user information
/// (`postgres://app:***@host/db`) and in a `password=` query parameter.
/// When in doubt (an `@` in the query) it hides more, never less.
fn redact(url: &str) -> String {
    let without_userinfo_password = match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => match url[scheme + 3..at].split_once(':') {
            Some((user, _)) => format!("{}{user}:***@{}", &url[..scheme + 3], &url[at + 1..]),
            None => url.to_owned(),
        },
        _ => url.to_owned(),
    };
    match without_userinfo_password.split_once('?') {
        None => without_userinfo_password,
        Some((head, query)) => {
            let query: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((key, _)) if key.eq_ignore_ascii_case("password") => {
                        format!("{key}=***")
                    }
                    _ => pair.to_owned(),
                })
                .collect();
            format!("{head}?{}", query.join("&"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_the_output() {
        let cases = [
            (
                "postgres://app:s3cret@db.example.com:5432/hallpass",
                "postgres://app:***@db.example.com:5432/hallpass",
            ),
            ("postgres://127.0.0.1/h", "postgres://127.0.0.1/h"),
            ("postgres://app@db/h", "postgres://app@db/h"),
            ("postgres://app:p@s3cret@db/h", "postgres://app:***@db/h"),
            (
                "postgresql://db/h?sslmode=require&password=s3cret",
                "postgresql://db/h?sslmode=require&password=***",
            ),
            ("postgres://app:s3cret@db/h?x=a@b", "postgres://app:***@b"),
        ];
        for (url, shown) in cases {
            let url = DatabaseUrl::from(url.to_owned());
            assert_eq!(url.redacted(), shown);
            let debug = format!("{url:?}");
            assert_eq!(debug, format!("DatabaseUrl({shown:?})"));
            assert!(!debug.contains("s3cret"), "{debug}");
        }
    }
}
