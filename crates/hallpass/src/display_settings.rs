//! The `display` section: the application's name, logo and the app pages
//! Clerk's prebuilt components link to, served in `GET /v1/environment`.
//! Validated at start-up; a bad link stops it, naming the setting.

use anyhow::anyhow;
use hallpass_domain::display::{AppLink, AppLinks, ApplicationName, Display};
use serde::Deserialize;

/// `[display]`. Links: empty, a path on the app's origin (`/sign-in`), or
/// an absolute http(s) URL.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DisplaySettings {
    pub application_name: String,
    pub logo_image_url: String,
    pub favicon_image_url: String,
    pub home_url: String,
    pub sign_in_url: String,
    pub sign_up_url: String,
    pub user_profile_url: String,
    pub after_sign_in_url: String,
    pub after_sign_up_url: String,
    pub after_sign_out_url: String,
    pub after_switch_session_url: String,
    pub organization_profile_url: String,
    pub create_organization_url: String,
    pub after_create_organization_url: String,
    pub after_leave_organization_url: String,
    pub support_email: String,
    pub terms_url: String,
    pub privacy_policy_url: String,
    pub help_url: String,
}

impl Default for DisplaySettings {
    fn default() -> Self {
        let d = Display::default();
        let l = &d.links;
        let s = |link: &AppLink| link.as_str().to_owned();
        Self {
            application_name: d.application_name.as_str().to_owned(),
            logo_image_url: String::new(),
            favicon_image_url: String::new(),
            home_url: s(&l.home),
            sign_in_url: s(&l.sign_in),
            sign_up_url: s(&l.sign_up),
            user_profile_url: s(&l.user_profile),
            after_sign_in_url: s(&l.after_sign_in),
            after_sign_up_url: s(&l.after_sign_up),
            after_sign_out_url: s(&l.after_sign_out),
            after_switch_session_url: s(&l.after_switch_session),
            organization_profile_url: s(&l.organization_profile),
            create_organization_url: s(&l.create_organization),
            after_create_organization_url: s(&l.after_create_organization),
            after_leave_organization_url: s(&l.after_leave_organization),
            support_email: String::new(),
            terms_url: String::new(),
            privacy_policy_url: String::new(),
            help_url: String::new(),
        }
    }
}

fn link(name: &'static str, value: &str) -> anyhow::Result<AppLink> {
    AppLink::parse(name, value.trim()).map_err(|e| anyhow!("{e}"))
}

/// An optional link: empty means none.
fn optional(name: &'static str, value: &str) -> anyhow::Result<Option<AppLink>> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    link(name, value).map(Some)
}

impl DisplaySettings {
    /// The validated display, or an error naming the setting.
    pub fn validate(&self) -> anyhow::Result<Display> {
        let support_email = self.support_email.trim();
        if !support_email.is_empty() && hallpass_domain::Email::parse(support_email).is_err() {
            return Err(anyhow!(
                "`display.support_email` = {support_email:?} is not an email address"
            ));
        }
        Ok(Display {
            application_name: ApplicationName::parse(&self.application_name)
                .map_err(|e| anyhow!("{e}"))?,
            logo_image_url: optional("display.logo_image_url", &self.logo_image_url)?,
            favicon_image_url: optional("display.favicon_image_url", &self.favicon_image_url)?,
            links: AppLinks {
                home: link("display.home_url", &self.home_url)?,
                sign_in: link("display.sign_in_url", &self.sign_in_url)?,
                sign_up: link("display.sign_up_url", &self.sign_up_url)?,
                user_profile: link("display.user_profile_url", &self.user_profile_url)?,
                after_sign_in: link("display.after_sign_in_url", &self.after_sign_in_url)?,
                after_sign_up: link("display.after_sign_up_url", &self.after_sign_up_url)?,
                after_sign_out: link("display.after_sign_out_url", &self.after_sign_out_url)?,
                after_switch_session: link(
                    "display.after_switch_session_url",
                    &self.after_switch_session_url,
                )?,
                organization_profile: link(
                    "display.organization_profile_url",
                    &self.organization_profile_url,
                )?,
                create_organization: link(
                    "display.create_organization_url",
                    &self.create_organization_url,
                )?,
                after_create_organization: link(
                    "display.after_create_organization_url",
                    &self.after_create_organization_url,
                )?,
                after_leave_organization: link(
                    "display.after_leave_organization_url",
                    &self.after_leave_organization_url,
                )?,
            },
            support_email: (!support_email.is_empty()).then(|| support_email.to_owned()),
            terms_url: optional("display.terms_url", &self.terms_url)?,
            privacy_policy_url: optional("display.privacy_policy_url", &self.privacy_policy_url)?,
            help_url: optional("display.help_url", &self.help_url)?,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn the_defaults_are_the_domains_defaults() {
        assert_eq!(
            DisplaySettings::default().validate().unwrap(),
            Display::default()
        );
    }

    #[test]
    fn set_values_are_kept_and_empty_optional_ones_are_none() {
        let settings = DisplaySettings {
            application_name: "Acme".to_owned(),
            logo_image_url: "https://cdn.example.com/logo.png".to_owned(),
            sign_in_url: "/login".to_owned(),
            after_sign_out_url: "https://www.example.com/".to_owned(),
            support_email: "help@example.com".to_owned(),
            ..DisplaySettings::default()
        };
        let d = settings.validate().unwrap();
        assert_eq!(d.application_name.as_str(), "Acme");
        assert_eq!(
            d.logo_image_url.unwrap().as_str(),
            "https://cdn.example.com/logo.png"
        );
        assert_eq!(d.links.sign_in.as_str(), "/login");
        assert_eq!(d.links.after_sign_out.as_str(), "https://www.example.com/");
        assert_eq!(d.support_email.as_deref(), Some("help@example.com"));
        assert_eq!(d.terms_url, None);
    }

    #[test]
    fn a_bad_value_stops_start_up_naming_the_setting() {
        type Edit = fn(&mut DisplaySettings);
        let cases: [(&str, Edit); 4] = [
            ("display.sign_in_url", |s| {
                s.sign_in_url = "//evil.example".into()
            }),
            ("display.logo_image_url", |s| {
                s.logo_image_url = "javascript:alert(1)".into()
            }),
            ("display.application_name", |s| {
                s.application_name = " ".into()
            }),
            ("display.support_email", |s| s.support_email = "nope".into()),
        ];
        for (name, edit) in cases {
            let mut s = DisplaySettings::default();
            edit(&mut s);
            let e = s.validate().unwrap_err().to_string();
            assert!(e.contains(name), "{name}: {e}");
        }
    }
}
