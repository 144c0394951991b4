//! The device details of a Frontend API request, for `latest_activity`.

use actix_web::HttpRequest;
use hallpass_domain::activity::SessionActivity;

use crate::ApiOptions;

/// The activity a request describes: the user agent parsed with woothee,
/// the client IP from the configured proxy header (first value) when one is
/// configured, else the TCP peer. A header is never trusted unless the
/// operator named it: clients could forge it.
pub(crate) fn from_request(req: &HttpRequest, options: Option<&ApiOptions>) -> SessionActivity {
    let ua = req
        .headers()
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let parsed = woothee::parser::Parser::new().parse(ua);
    let header_ip = options
        .and_then(|o| o.client_ip_header.as_deref())
        .and_then(|name| req.headers().get(name))
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(str::trim)
        .filter(|ip| ip.parse::<std::net::IpAddr>().is_ok())
        .map(str::to_owned);
    let ip = header_ip.or_else(|| req.peer_addr().map(|a| a.ip().to_string()));
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
