//! The Frontend API's reading of a request: the client credential in its
//! three transports (`__client` cookie, `_is_native` + `Authorization`,
//! `__clerk_db_jwt`), `Origin`, `Clerk-API-Version` / `__clerk_api_version`
//! and the `_method` override.
//!
//! Input, one field per line: flags (`d`: development instance, `n`: native
//! API disabled), method, query string, `Cookie`, `Authorization`,
//! `Origin`, `Clerk-API-Version`. An empty field leaves the header out.
#![no_main]

use actix_web::http::header::HeaderValue;
use actix_web::http::{Method, StatusCode, Uri};
use actix_web::test::TestRequest;
use actix_web::{FromRequest as _, ResponseError as _};
use hallpass_api_actix::RequestedVersion;
use hallpass_api_actix::parse::{Transport, overridden_method, parse_caller};
use hallpass_app::ClientCredential;
use hallpass_domain::token::ApiVersion;
use hallpass_domain::{DevBrowserId, Environment};
use hallpass_fuzz::{fields, text};
use libfuzzer_sys::fuzz_target;

const HEADERS: [(usize, &str); 4] = [
    (3, "cookie"),
    (4, "authorization"),
    (5, "origin"),
    (6, "clerk-api-version"),
];

fn header(f: &[&[u8]], i: usize) -> Option<HeaderValue> {
    f.get(i)
        .filter(|v| !v.is_empty())
        .and_then(|v| HeaderValue::from_bytes(v).ok())
}

/// Whether the query names a development browser parameter, read as the
/// Frontend API reads queries (the whole query, or nothing).
fn names_dev_browser(query: &str) -> bool {
    actix_web::web::Query::<Vec<(String, String)>>::from_query(query).is_ok_and(|q| {
        q.iter()
            .any(|(k, _)| k == "__clerk_db_jwt" || k == "__dev_session")
    })
}

fuzz_target!(|data: &[u8]| {
    let f = fields(data, 7);
    let flags = f.first().copied().unwrap_or_default();
    let environment = if flags.contains(&b'd') {
        Environment::Development
    } else {
        Environment::Production
    };
    let native_allowed = !flags.contains(&b'n');
    let method = f
        .get(1)
        .and_then(|m| Method::from_bytes(m).ok())
        .unwrap_or(Method::POST);
    let query = text(&f, 2).unwrap_or("");
    // Only what can arrive: a request target the HTTP parser accepts.
    let Ok(uri) = format!("/v1/client?{query}").parse::<Uri>() else {
        return;
    };
    let query = uri.query().unwrap_or("").to_owned();

    let mut request = TestRequest::default()
        .method(method.clone())
        .uri(&uri.to_string());
    let mut headers = Vec::new();
    for (i, name) in HEADERS {
        if let Some(value) = header(&f, i) {
            request = request.insert_header((name, value.clone()));
            headers.push((name, value));
        }
    }
    let req = request.to_http_request();
    let raw = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_bytes().to_vec())
    };

    // `_method`: only on POST, only to PUT, PATCH or DELETE.
    match overridden_method(&method, &query) {
        Ok(None) => {}
        Ok(Some(m)) => {
            assert_eq!(method, Method::POST, "override on {method}");
            assert!(
                [Method::PUT, Method::PATCH, Method::DELETE].contains(&m),
                "override to {m}"
            );
        }
        Err(e) => {
            assert_eq!(method, Method::POST);
            assert_eq!(e.status_code(), StatusCode::BAD_REQUEST);
        }
    }

    // The API version: a known one, or a 400.
    match RequestedVersion::from_request(&req, &mut actix_web::dev::Payload::None).into_inner() {
        Ok(RequestedVersion(v)) => {
            assert!(ApiVersion::KNOWN.contains(&v.as_str()), "version {v:?}");
            let in_query = url::form_urlencoded::parse(query.as_bytes())
                .any(|(k, _)| k == "__clerk_api_version");
            if raw("clerk-api-version").is_none() && !in_query {
                assert_eq!(v, ApiVersion::LATEST);
            }
        }
        Err(e) => assert_eq!(e.status_code(), StatusCode::BAD_REQUEST),
    }

    let caller = match parse_caller(&req, environment, native_allowed) {
        Ok(caller) => caller,
        Err(e) => {
            assert_eq!(e.status_code(), StatusCode::BAD_REQUEST, "{e:?}");
            return;
        }
    };
    if let Some(origin) = &caller.origin {
        assert!(!origin.is_empty() && origin != "null");
        assert_eq!(raw("origin").as_deref(), Some(origin.as_bytes()));
    }
    match caller.transport {
        Transport::Native => {
            assert!(native_allowed, "native transport while disabled");
            assert!(caller.dev_browser().is_none());
            match &caller.credential {
                None => {}
                Some(ClientCredential::Token(t)) => {
                    assert!(!t.is_empty() && t.trim() == t, "token {t:?}");
                    let auth = raw("authorization").unwrap_or_default();
                    assert!(
                        auth.windows(t.len()).any(|w| w == t.as_bytes()),
                        "a token the Authorization header does not hold"
                    );
                }
                Some(other) => panic!("native credential {other:?}"),
            }
        }
        Transport::DevBrowser => {
            assert_eq!(environment, Environment::Development);
            assert!(names_dev_browser(&query), "dev browser transport with {query:?}");
            match (&caller.credential, caller.dev_browser()) {
                (None, None) => {}
                (Some(ClientCredential::DevBrowser(a)), Some(b)) => {
                    assert_eq!(a, b);
                    assert_eq!(DevBrowserId::parse(a.as_str()).as_ref(), Ok(a));
                }
                other => panic!("dev browser credential {other:?}"),
            }
        }
        Transport::Cookie => {
            // Production, or a development request that names no
            // development browser (as the query parser reads it).
            if environment == Environment::Development {
                assert!(!names_dev_browser(&query), "cookie transport with {query:?}");
            }
            assert!(caller.dev_browser().is_none());
            match &caller.credential {
                None => {}
                Some(ClientCredential::Token(t)) => {
                    assert!(!t.is_empty());
                    let cookie = raw("cookie").unwrap_or_default();
                    // Cookie values are percent-decoded; without a `%` the
                    // value is a piece of the header, within one cookie.
                    if !cookie.contains(&b'%') {
                        assert!(!t.contains(';'), "a cookie value across cookies: {t:?}");
                        assert!(
                            cookie.windows(t.len()).any(|w| w == t.as_bytes()),
                            "a token the Cookie header does not hold"
                        );
                    }
                }
                Some(other) => panic!("cookie credential {other:?}"),
            }
        }
    }
});
