//! The device details last seen for a session (Clerk's `latest_activity`).

/// What Hallpass knows about the device behind a session's latest activity.
/// Values are free text from the request (user agent parsing, client IP),
/// capped in length so storage and responses stay bounded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionActivity {
    pub is_mobile: bool,
    pub device_type: Option<String>,
    pub browser_name: Option<String>,
    pub browser_version: Option<String>,
    pub ip_address: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
}

const MAX: usize = 200;

fn clean(value: Option<String>) -> Option<String> {
    value
        .map(|v| {
            v.chars()
                .filter(|c| !c.is_control())
                .take(MAX)
                .collect::<String>()
        })
        .filter(|v| !v.trim().is_empty())
}

impl SessionActivity {
    /// Builds an activity, dropping empty values and control characters and
    /// capping every value at 200 characters.
    pub fn new(
        is_mobile: bool,
        device_type: Option<String>,
        browser_name: Option<String>,
        browser_version: Option<String>,
        ip_address: Option<String>,
    ) -> Self {
        Self {
            is_mobile,
            device_type: clean(device_type),
            browser_name: clean(browser_name),
            browser_version: clean(browser_version),
            ip_address: clean(ip_address),
            city: None,
            country: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_cleaned_and_capped() {
        let a = SessionActivity::new(
            false,
            Some(String::new()),
            Some("Fire\u{0}fox".into()),
            Some("x".repeat(500)),
            Some("203.0.113.7".into()),
        );
        assert_eq!(a.device_type, None);
        assert_eq!(a.browser_name.as_deref(), Some("Firefox"));
        assert_eq!(a.browser_version.map(|v| v.len()), Some(200));
        assert_eq!(a.ip_address.as_deref(), Some("203.0.113.7"));
    }
}
