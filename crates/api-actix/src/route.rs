//! The route pattern a request matched (`/v1/client/sessions/{session_id}/tokens`),
//! worked out once per request.
//!
//! actix-web finds it by matching the path against the route table's
//! regexes again; the request span (logs) and the metrics middleware both
//! want it, so the first asker stores it in the request's extensions and
//! the second reads it from there.

use actix_web::HttpMessage as _;
use actix_web::dev::ServiceRequest;

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
