//! How the instance presents itself to the browser SDK: the application's
//! name and logo, and the app pages the prebuilt components link to or
//! send the user to (Clerk's `display_config`).
//!
//! A link is either empty (clerk-js resolves it to the current page), a
//! path on the app's own origin (`/sign-in`), or an absolute `http(s)` URL.
//! Paths are what a development instance needs: clerk-js decorates a link
//! to another origin with the development browser, and Hallpass's
//! development mode usually has none (see `docs/frontend-api.md`).

/// Why a link or a name cannot be shown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DisplayError {
    #[error(
        "`{name}` = {value:?} must be empty, a path starting with `/`, or an absolute http(s) URL"
    )]
    BadLink { name: &'static str, value: String },
    #[error("`{name}` must be 1 to {max} characters without control characters")]
    BadText { name: &'static str, max: usize },
}

const MAX_LINK_BYTES: usize = 2048;
const MAX_NAME_CHARS: usize = 256;

/// A link the components may follow (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AppLink(String);

impl AppLink {
    /// Validates `value` as the setting `name`.
    pub fn parse(name: &'static str, value: &str) -> Result<Self, DisplayError> {
        let bad = || DisplayError::BadLink {
            name,
            value: value.chars().take(80).collect(),
        };
        if value.len() > MAX_LINK_BYTES || value.chars().any(char::is_control) {
            return Err(bad());
        }
        if value.is_empty() {
            return Ok(Self(String::new()));
        }
        if value.starts_with('/') {
            // `//host` and `/\host` are other origins to a browser.
            if value.starts_with("//") || value.starts_with("/\\") || value.contains(' ') {
                return Err(bad());
            }
            return Ok(Self(value.to_owned()));
        }
        let url = url::Url::parse(value).map_err(|_| bad())?;
        let scheme_ok = matches!(url.scheme(), "https" | "http");
        if !scheme_ok || url.host_str().is_none() || !url.username().is_empty() {
            return Err(bad());
        }
        if url.password().is_some() {
            return Err(bad());
        }
        Ok(Self(value.to_owned()))
    }

    /// A path (from trusted code, e.g. a default).
    fn path(value: &str) -> Self {
        Self(value.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The application's name as the components show it ("Sign in to …").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationName(String);

impl ApplicationName {
    pub fn parse(value: &str) -> Result<Self, DisplayError> {
        let trimmed = value.trim();
        let count = trimmed.chars().count();
        if count == 0 || count > MAX_NAME_CHARS || trimmed.chars().any(char::is_control) {
            return Err(DisplayError::BadText {
                name: "display.application_name",
                max: MAX_NAME_CHARS,
            });
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The app pages the components link to or redirect to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppLinks {
    pub home: AppLink,
    pub sign_in: AppLink,
    pub sign_up: AppLink,
    pub user_profile: AppLink,
    pub after_sign_in: AppLink,
    pub after_sign_up: AppLink,
    pub after_sign_out: AppLink,
    pub after_switch_session: AppLink,
    pub organization_profile: AppLink,
    pub create_organization: AppLink,
    pub after_create_organization: AppLink,
    pub after_leave_organization: AppLink,
}

impl Default for AppLinks {
    /// The conventional routes of a Clerk app: `/sign-in` (also for
    /// sign-up, which Hallpass does not offer yet), back to `/` after
    /// everything, and the profile pages left empty (the components open
    /// them as modals).
    fn default() -> Self {
        let root = AppLink::path("/");
        Self {
            home: root.clone(),
            sign_in: AppLink::path("/sign-in"),
            sign_up: AppLink::path("/sign-in"),
            user_profile: AppLink::default(),
            after_sign_in: root.clone(),
            after_sign_up: root.clone(),
            after_sign_out: root.clone(),
            after_switch_session: root.clone(),
            organization_profile: AppLink::default(),
            create_organization: AppLink::default(),
            after_create_organization: root.clone(),
            after_leave_organization: root,
        }
    }
}

/// Everything the instance shows of itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Display {
    pub application_name: ApplicationName,
    /// An absolute URL (or path) of the logo; none: the components show
    /// the name only.
    pub logo_image_url: Option<AppLink>,
    pub favicon_image_url: Option<AppLink>,
    pub links: AppLinks,
    pub support_email: Option<String>,
    pub terms_url: Option<AppLink>,
    pub privacy_policy_url: Option<AppLink>,
    pub help_url: Option<AppLink>,
}

impl Default for Display {
    fn default() -> Self {
        Self {
            application_name: ApplicationName("Hallpass".to_owned()),
            logo_image_url: None,
            favicon_image_url: None,
            links: AppLinks::default(),
            support_email: None,
            terms_url: None,
            privacy_policy_url: None,
            help_url: None,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn empty_paths_and_absolute_web_urls_are_links() {
        for ok in [
            "",
            "/",
            "/sign-in",
            "/a/b?c=d#e",
            "https://app.example.com/sign-in",
            "http://localhost:5173/",
        ] {
            assert_eq!(AppLink::parse("x", ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn other_origins_in_disguise_and_other_schemes_are_refused() {
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "sign-in",
            "javascript:alert(1)",
            "data:text/html,x",
            "ftp://example.com/",
            "https://user:pw@example.com/",
            "https://user@example.com/",
            "/a b",
            "/a\nb",
            "https://",
        ] {
            let e = AppLink::parse("display.sign_in_url", bad).unwrap_err();
            assert!(
                e.to_string().starts_with("`display.sign_in_url`"),
                "{bad}: {e}"
            );
        }
        let long = format!("/{}", "a".repeat(MAX_LINK_BYTES));
        assert!(AppLink::parse("x", &long).is_err());
        let longest = format!("/{}", "a".repeat(MAX_LINK_BYTES - 1));
        assert!(AppLink::parse("x", &longest).is_ok());
    }

    #[test]
    fn an_application_name_is_trimmed_non_empty_and_bounded() {
        assert_eq!(ApplicationName::parse("  Acme ").unwrap().as_str(), "Acme");
        assert!(ApplicationName::parse("   ").is_err());
        assert!(ApplicationName::parse("a\u{7}b").is_err());
        assert!(ApplicationName::parse(&"é".repeat(MAX_NAME_CHARS)).is_ok());
        assert!(ApplicationName::parse(&"é".repeat(MAX_NAME_CHARS + 1)).is_err());
    }

    #[test]
    fn the_default_links_are_paths_on_the_apps_origin() {
        let links = AppLinks::default();
        assert_eq!(links.sign_in.as_str(), "/sign-in");
        assert_eq!(links.after_sign_out.as_str(), "/");
        assert!(links.user_profile.is_empty());
        assert!(!links.sign_in.is_empty());
        assert_eq!(Display::default().application_name.as_str(), "Hallpass");
    }
}
