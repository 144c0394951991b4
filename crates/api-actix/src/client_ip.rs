//! Who is calling: the client IP every per-client decision uses (rate
//! limits, `latest_activity`).

use actix_web::HttpRequest;

use crate::ApiOptions;

/// The client IP: the last address in the operator's proxy header when one
/// is configured (never trusted otherwise: clients could forge it), else the
/// TCP peer. The last, not the first: a proxy appends the address it saw to
/// whatever `X-Forwarded-For` the client sent, so only the last entry is
/// the proxy's word; the first is the client's, and a client choosing its
/// own bucket would escape the limit or spend someone else's.
pub(crate) fn client_ip(req: &HttpRequest, options: Option<&ApiOptions>) -> Option<String> {
    let from_header = options
        .and_then(|o| o.client_ip_header.as_deref())
        .and_then(|name| req.headers().get(name))
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .map(str::trim)
        .and_then(|ip| ip.parse::<std::net::IpAddr>().ok());
    from_header
        .or_else(|| req.peer_addr().map(|a| a.ip()))
        .map(|ip| ip.to_string())
}
