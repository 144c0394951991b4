//! How the handlers read requests, as plain functions over request parts:
//! the extractors and middleware call these, and so do the fuzz targets in
//! `fuzz/` (see `docs/security.md`), so what is fuzzed is what serves.
//!
//! Every refusal is an [`ApiError`](crate::ApiError) with a 4xx status,
//! never a panic.

pub use crate::bapi::decode_json_bodies;
pub use crate::caller::parse_caller;
pub use crate::fapi::{decode_forms, hinted_session, overridden_method};
/// What [`parse_caller`] reads: the caller every Frontend API use case
/// starts from.
pub use hallpass_app::{FrontendCaller as Caller, Transport};

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use actix_web::ResponseError as _;
    use actix_web::http::{Method, StatusCode};
    use actix_web::test::TestRequest;
    use hallpass_app::ClientCredential;
    use hallpass_domain::token::ApiVersion;
    use hallpass_domain::{DevBrowserId, Environment};

    use super::*;

    #[test]
    fn the_client_cookie_is_the_credential_on_production_instances() {
        let req = TestRequest::default()
            .uri("/v1/client?_clerk_js_version=5")
            .insert_header(("cookie", "theme=dark; __client=abc.def.ghi; __session=x"))
            .insert_header(("origin", "https://app.example.com"))
            .to_http_request();
        let caller = parse_caller(&req, Environment::Production, true).unwrap();
        assert_eq!(caller.transport, Transport::Cookie);
        assert_eq!(
            caller.credential,
            Some(ClientCredential::Token("abc.def.ghi".to_owned()))
        );
        assert_eq!(caller.origin.as_deref(), Some("https://app.example.com"));
        assert_eq!(caller.version, ApiVersion::LATEST);
    }

    #[test]
    fn native_clients_send_a_bearer_token_unless_the_native_api_is_off() {
        let req = TestRequest::default()
            .uri("/v1/client?_is_native=1")
            .insert_header(("authorization", "Bearer  tok "))
            .insert_header(("origin", "null"))
            .to_http_request();
        let caller = parse_caller(&req, Environment::Production, true).unwrap();
        assert_eq!(caller.transport, Transport::Native);
        assert_eq!(
            caller.credential,
            Some(ClientCredential::Token("tok".to_owned()))
        );
        assert_eq!(caller.origin, None);
        let refused = parse_caller(&req, Environment::Production, false).unwrap_err();
        assert_eq!(refused.status_code(), StatusCode::BAD_REQUEST);
        assert_eq!(refused.code(), "native_api_disabled");
    }

    #[test]
    fn development_instances_read_the_dev_browser_from_the_query() {
        let id = DevBrowserId::from_random(7);
        let req = TestRequest::default()
            .uri(&format!(
                "/v1/client?__clerk_db_jwt={}&__clerk_api_version=2024-10-01",
                id.as_str()
            ))
            .insert_header(("cookie", "__client=ignored"))
            .to_http_request();
        let caller = parse_caller(&req, Environment::Development, true).unwrap();
        assert_eq!(caller.transport, Transport::DevBrowser);
        assert_eq!(caller.dev_browser(), Some(&id));
        assert_eq!(caller.credential, Some(ClientCredential::DevBrowser(id)));
        assert_eq!(caller.version.as_str(), "2024-10-01");

        let garbage = TestRequest::default()
            .uri("/v1/client?__clerk_db_jwt=not%20an%20id")
            .to_http_request();
        let caller = parse_caller(&garbage, Environment::Development, true).unwrap();
        assert_eq!(caller.transport, Transport::DevBrowser);
        assert_eq!((caller.dev_browser(), &caller.credential), (None, &None));

        // No development browser named: the `__client` cookie, as in
        // production.
        let cookie = TestRequest::default()
            .uri("/v1/client")
            .insert_header(("cookie", "__client=a.client.token"))
            .to_http_request();
        let caller = parse_caller(&cookie, Environment::Development, true).unwrap();
        assert_eq!(caller.transport, Transport::Cookie);
        assert_eq!(
            caller.credential,
            Some(ClientCredential::Token("a.client.token".to_owned()))
        );
    }

    #[test]
    fn an_api_version_in_both_places_or_unknown_is_a_400() {
        for req in [
            TestRequest::default()
                .uri("/v1/client?__clerk_api_version=2025-03-12")
                .insert_header(("clerk-api-version", "2025-03-12")),
            TestRequest::default().insert_header(("clerk-api-version", "latest")),
            TestRequest::default().insert_header(("clerk-api-version", &b"2025-03-\xff"[..])),
        ] {
            let e =
                parse_caller(&req.to_http_request(), Environment::Production, true).unwrap_err();
            assert_eq!(e.status_code(), StatusCode::BAD_REQUEST);
            assert_eq!(e.code(), "api_version_invalid");
        }
    }

    #[test]
    fn method_override_applies_to_post_only_and_only_to_put_patch_delete() {
        assert_eq!(
            overridden_method(&Method::POST, "_method=patch").unwrap(),
            Some(Method::PATCH)
        );
        assert_eq!(
            overridden_method(&Method::POST, "a=1&_method=DELETE").unwrap(),
            Some(Method::DELETE)
        );
        assert_eq!(overridden_method(&Method::POST, "a=1").unwrap(), None);
        assert_eq!(
            overridden_method(&Method::GET, "_method=TRACE").unwrap(),
            None
        );
        for bad in ["_method=TRACE", "_method=", "_method=GET", "_method=P%00T"] {
            let e = overridden_method(&Method::POST, bad).unwrap_err();
            assert_eq!(e.status_code(), StatusCode::BAD_REQUEST, "{bad}");
        }
    }

    #[test]
    fn forms_blank_bodies_are_empty_and_bad_ones_are_400s() {
        for ok in [
            (None, &b""[..]),
            (Some("text/plain"), &b" \n "[..]),
            (
                Some("application/x-www-form-urlencoded; charset=utf-8"),
                &b"strategy=ticket&ticket=t&_clerk_js_version=5"[..],
            ),
        ] {
            assert!(decode_forms(ok.0, ok.1).iter().all(Result::is_ok), "{ok:?}");
        }
        for bad in [
            (Some("application/json"), &b"{}"[..]),
            (None, &b"strategy=\xff"[..]),
            (
                None,
                &b"strategy=a&strategy=b&organization_id=1&organization_id=2\
                   &active_organization_id=1&active_organization_id=2"[..],
            ),
        ] {
            for result in decode_forms(bad.0, bad.1) {
                let e = result.unwrap_err();
                assert_eq!(e.status_code(), StatusCode::BAD_REQUEST, "{bad:?}");
            }
        }
    }

    #[test]
    fn json_bodies_empty_null_and_braces_are_no_parameters() {
        for empty in [&b""[..], b"null", b" {} "] {
            for (route, result) in decode_json_bodies(empty) {
                match result {
                    Ok(()) => {}
                    // The only route with a required parameter.
                    Err(e) => {
                        assert_eq!(route, "POST /v1/jwt_templates");
                        assert_eq!(e.code(), "form_param_missing");
                    }
                }
            }
        }
        for (route, result) in decode_json_bodies(br#"{"unknown":1}"#) {
            let e = result.unwrap_err();
            assert_eq!(e.status_code(), StatusCode::BAD_REQUEST, "{route}");
        }
    }

    #[test]
    fn the_handshake_hint_reads_sid_without_verifying_and_never_fails() {
        // {"sid":"sess_1"}
        assert_eq!(
            hinted_session("x.eyJzaWQiOiJzZXNzXzEifQ.y").map(|s| s.as_str().to_owned()),
            Some("sess_1".to_owned())
        );
        for garbage in ["", ".", "a.b.c", "x.eyJzaWQiOjF9.y", "x.%%%.y", "x.e30=.y"] {
            assert_eq!(hinted_session(garbage), None, "{garbage}");
        }
    }
}
