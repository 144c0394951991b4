//! The device details of a Frontend API request, for `latest_activity`.

use actix_web::HttpRequest;
use hallpass_domain::activity::SessionActivity;

use crate::ApiOptions;

/// The activity a request describes: the user agent parsed with woothee,
/// the client IP as the rate limits see it: the last address of the
/// operator's proxy header when one is configured (the one the proxy
/// appended; earlier entries are the client's word), else the TCP peer.
pub(crate) fn from_request(req: &HttpRequest, options: Option<&ApiOptions>) -> SessionActivity {
    let ua = req
        .headers()
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let parsed = woothee::parser::Parser::new().parse(ua);
    let ip = crate::client_ip::client_ip(req, options);
    let (is_mobile, device, browser, version) = match parsed {
        Some(p) => {
            let known = |v: &str| (!v.is_empty() && v != "UNKNOWN").then(|| v.to_owned());
            (
                matches!(p.category, "smartphone" | "mobilephone"),
                known(p.category),
                known(p.name),
                known(p.version),
            )
        }
        None => (false, None, None, None),
    };
    SessionActivity::new(is_mobile, device, browser, version, ip)
}
