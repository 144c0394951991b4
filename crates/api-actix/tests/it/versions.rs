//! One API-version policy on every route of both APIs: a known version is
//! served as itself, a newer date as the newest known, a date between
//! releases as the one in effect; a malformed or too old value, or both
//! the header and the parameter, is `400 api_version_invalid` wherever it
//! is sent, routes that do not otherwise read the version included.

use actix_web::http::Method;
use actix_web::test::TestRequest;

use crate::support::*;

fn with_version(req: TestRequest, version: &str) -> TestRequest {
    req.insert_header(("clerk-api-version", version))
}

#[actix_web::test]
async fn every_backend_route_applies_the_version_policy() {
    let h = Harness::dev().await;
    let get = |path: &str, version: &str| {
        let req = TestRequest::get()
            .uri(path)
            .insert_header(("authorization", format!("Bearer {}", h.secret_key)));
        h.bapi_raw(with_version(req, version))
    };
    // Routes that answer the same in every version still refuse a
    // version that cannot be served.
    for path in ["/v1/users", "/v1/organizations", "/v1/sessions", "/v1/jwks"] {
        for served in ["2026-05-12", "2026-08-20", "2025-06-01", "9999-12-31"] {
            let res = get(path, served).await;
            assert_eq!(res.status.as_u16(), 200, "{path} {served}: {:?}", res.body);
        }
        for refused in ["2021-02-04", "latest", "2026-02-30", "2026-05-12x", ""] {
            let e = get(path, refused).await.error(400);
            assert_eq!(
                e["errors"][0]["code"], "api_version_invalid",
                "{path} {refused:?}"
            );
            assert!(
                e["errors"][0]["long_message"]
                    .as_str()
                    .unwrap()
                    .contains("2026-05-12"),
                "names the known versions: {e}"
            );
        }
    }
    // The header and the parameter at once.
    let req = TestRequest::get()
        .uri("/v1/users?__clerk_api_version=2026-05-12")
        .insert_header(("authorization", format!("Bearer {}", h.secret_key)));
    let e = h.bapi_raw(with_version(req, "2026-05-12")).await.error(400);
    assert_eq!(e["errors"][0]["code"], "api_version_invalid");
    // Without a secret key the answer is still 401, whatever the version.
    let res = h
        .bapi_raw(with_version(TestRequest::get().uri("/v1/users"), "latest"))
        .await;
    assert_eq!(res.status.as_u16(), 401);
}

#[actix_web::test]
async fn a_newer_clerk_js_loads_and_an_older_date_gets_the_claims_in_effect() {
    let h = Harness::dev().await;
    let mut browser = Browser::dev(&h).await;
    let sid = browser.sign_in(&h, "user_versions").await;
    // clerk-js 6.40 sends 2026-08-20, newer than Hallpass knows.
    let res = browser
        .call(
            &h,
            Method::GET,
            "/v1/client?__clerk_api_version=2026-08-20",
            &[],
        )
        .await;
    assert_eq!(res.ok_json()["response"]["sessions"][0]["id"], sid.as_str());
    // A date between 2025-03-12 and 2025-04-10 mints the v1 claims of
    // 2025-03-12; the day of 2025-04-10 and after, v2.
    for (version, v2) in [
        ("2025-04-09", false),
        ("2025-04-10", true),
        ("2030-01-01", true),
    ] {
        let res = browser
            .call(
                &h,
                Method::POST,
                &format!("/v1/client/sessions/{sid}/tokens?__clerk_api_version={version}"),
                &[],
            )
            .await;
        let (_, claims) = jwt_parts(res.ok_json()["jwt"].as_str().unwrap());
        assert_eq!(claims.get("v").is_some(), v2, "{version}: {claims}");
    }
    for refused in ["2020-12-31", "2026-13-01", "v1"] {
        let e = browser
            .call(
                &h,
                Method::GET,
                &format!("/v1/client?__clerk_api_version={refused}"),
                &[],
            )
            .await
            .error(400);
        assert_eq!(e["errors"][0]["code"], "api_version_invalid", "{refused}");
    }
}
