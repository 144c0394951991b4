//! `Set-Cookie` directives as text: the one builder for the cookies Hallpass
//! hands to an app's backend SDK (the handshake's directives, the Backend
//! API's server-side refresh), which copies them verbatim into `Set-Cookie`
//! headers.
//!
//! Attributes are always written in one order: `Path=/`, then `Domain=` if
//! any, then `Max-Age=` or `Expires=`, then `Secure`, then `HttpOnly`, then
//! `SameSite=Lax`. Callers check values first (see [`crate::handshake`]):
//! this module writes, it does not validate.

/// The `Expires` value that deletes a cookie.
pub const EXPIRED: &str = "Thu, 01 Jan 1970 00:00:00 GMT";

/// A cookie to set: `name=value; Path=/[; Domain=d][; Max-Age=n][; Secure][; HttpOnly]; SameSite=Lax`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetCookie<'a> {
    pub name: &'a str,
    pub value: &'a str,
    /// `Domain=`; `None` writes a host-only cookie.
    pub domain: Option<&'a str>,
    /// `Max-Age=` in seconds; `None` writes a browser-session cookie.
    pub max_age: Option<i64>,
    pub secure: bool,
    pub http_only: bool,
}

impl<'a> SetCookie<'a> {
    /// A host-only browser-session cookie, neither `Secure` nor `HttpOnly`.
    pub fn new(name: &'a str, value: &'a str) -> Self {
        Self {
            name,
            value,
            domain: None,
            max_age: None,
            secure: false,
            http_only: false,
        }
    }

    pub fn domain(mut self, domain: Option<&'a str>) -> Self {
        self.domain = domain;
        self
    }

    pub fn max_age(mut self, seconds: i64) -> Self {
        self.max_age = Some(seconds);
        self
    }

    pub fn secure(mut self, secure: bool) -> Self {
        self.secure = secure;
        self
    }

    pub fn http_only(mut self) -> Self {
        self.http_only = true;
        self
    }

    /// The directive's text.
    pub fn directive(&self) -> String {
        let mut d = format!("{}={}; Path=/", self.name, self.value);
        if let Some(domain) = self.domain {
            d.push_str("; Domain=");
            d.push_str(domain);
        }
        if let Some(max_age) = self.max_age {
            d.push_str("; Max-Age=");
            d.push_str(&max_age.to_string());
        }
        if self.secure {
            d.push_str("; Secure");
        }
        if self.http_only {
            d.push_str("; HttpOnly");
        }
        d.push_str("; SameSite=Lax");
        d
    }
}

/// The directive that deletes cookie `name`:
/// `name=; Path=/[; Domain=d]; Expires=Thu, 01 Jan 1970 00:00:00 GMT`.
pub fn clear(name: &str, domain: Option<&str>) -> String {
    match domain {
        Some(domain) => format!("{name}=; Path=/; Domain={domain}; Expires={EXPIRED}"),
        None => format!("{name}=; Path=/; Expires={EXPIRED}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_written_in_one_order() {
        let all = SetCookie::new("__refresh_abcdefgh", "r1")
            .domain(Some("example.com"))
            .max_age(30)
            .secure(true)
            .http_only();
        assert_eq!(
            all.directive(),
            "__refresh_abcdefgh=r1; Path=/; Domain=example.com; Max-Age=30; Secure; HttpOnly; SameSite=Lax"
        );
        assert_eq!(
            SetCookie::new("__session", "t").directive(),
            "__session=t; Path=/; SameSite=Lax"
        );
        assert_eq!(
            SetCookie::new("__session", "t").secure(true).directive(),
            "__session=t; Path=/; Secure; SameSite=Lax"
        );
    }

    #[test]
    fn a_clear_expires_the_cookie_on_its_domain() {
        assert_eq!(
            clear("__client_uat", None),
            "__client_uat=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
        );
        assert_eq!(
            clear("__clerk_handshake", Some("example.com")),
            "__clerk_handshake=; Path=/; Domain=example.com; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
        );
    }
}
