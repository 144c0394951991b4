//! The route pattern a request matched (`/v1/client/sessions/{session_id}/tokens`),
//! worked out once per request.
//!
//! actix-web finds it by matching the path against the route table's
//! regexes again; the request span (logs) and the metrics middleware both
//! want it, so the first asker stores it in the request's extensions and
//! the second reads it from there.

use actix_web::HttpMessage as _;
use actix_web::dev::ServiceRequest;

/// The route patterns the metrics derive domain events from (a token
/// minted, a session ended, …). The route tables register these same
/// constants, so renaming a route or one of its parameters changes what
/// the metrics match too: a match against a copied string that the table
/// no longer has would silently count nothing.
pub(crate) mod patterns {
    /// The scope both APIs serve their versioned routes under.
    pub(crate) const V1: &str = "/v1";

    /// Frontend API routes, under [`V1`].
    pub(crate) mod fapi {
        pub(crate) const CLIENT: &str = "/client";
        pub(crate) const HANDSHAKE: &str = "/client/handshake";
        pub(crate) const SESSIONS: &str = "/client/sessions";
        pub(crate) const SESSION_END: &str = "/client/sessions/{session_id}/end";
        pub(crate) const SESSION_REMOVE: &str = "/client/sessions/{session_id}/remove";
        pub(crate) const SESSION_TOKEN: &str = "/client/sessions/{session_id}/tokens";
        pub(crate) const TEMPLATE_TOKEN: &str = "/client/sessions/{session_id}/tokens/{template}";
    }

    /// Backend API routes, under [`V1`].
    pub(crate) mod bapi {
        pub(crate) const SESSION_REVOKE: &str = "/sessions/{session_id}/revoke";
        pub(crate) const SESSION_REFRESH: &str = "/sessions/{session_id}/refresh";
        pub(crate) const SESSION_TOKEN: &str = "/sessions/{session_id}/tokens";
        pub(crate) const TEMPLATE_TOKEN: &str = "/sessions/{session_id}/tokens/{template_name}";
    }
}

/// The matched pattern, stored in the request's extensions.
#[derive(Debug, Clone)]
struct RoutePattern(Option<String>);

/// The route pattern `req` matches, `None` for no route.
pub fn pattern(req: &ServiceRequest) -> Option<String> {
    if let Some(known) = req.extensions().get::<RoutePattern>() {
        return known.0.clone();
    }
    let found = req.match_pattern();
    req.extensions_mut().insert(RoutePattern(found.clone()));
    found
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn the_pattern_is_matched_once_and_then_read_back() {
        let req = TestRequest::get().uri("/x").to_srv_request();
        assert_eq!(pattern(&req), None);
        // What the second asker reads is what the first stored, not a new match.
        req.extensions_mut()
            .insert(RoutePattern(Some("/stored".to_owned())));
        assert_eq!(pattern(&req).as_deref(), Some("/stored"));
    }
}
