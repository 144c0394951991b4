//! Clerk's browser SDK served from the Frontend API host
//! (`/npm/@clerk/<package>@<version>/dist/…`), from what
//! `scripts/install-clerk-js.sh` installed.

use actix_web::test::TestRequest;
use hallpass_domain::Environment;

use crate::identity::code;
use crate::support::*;

/// A development instance serving a fake install of clerk-js 6.9.0 and
/// 6.40.0 and ui 1.36.0.
async fn installed() -> (Harness, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    for (package, body) in [
        ("clerk-js@6.9.0", "/* 6.9.0 */"),
        ("clerk-js@6.40.0", "/* 6.40.0 */ window.Clerk = {};"),
        ("ui@1.36.0", "/* ui 1.36.0 */"),
    ] {
        let dist = dir.path().join("@clerk").join(package).join("dist");
        std::fs::create_dir_all(&dist).unwrap();
        let file = if package.starts_with("ui") {
            "ui.browser.js"
        } else {
            "clerk.browser.js"
        };
        std::fs::write(dist.join(file), body).unwrap();
        std::fs::write(dist.join("10_chunk_6.40.0.js"), "/* chunk */").unwrap();
    }
    std::fs::write(dir.path().join("@clerk").join("secret.txt"), "outside").unwrap();
    let mut options = options(Environment::Development);
    options.clerk_js_dir = Some(dir.path().to_owned());
    (Harness::start(Environment::Development, options).await, dir)
}

async fn get(h: &Harness, path: &str) -> Resp {
    h.fapi(TestRequest::get().uri(path)).await
}

#[actix_web::test]
async fn the_major_version_the_react_sdk_asks_for_gets_the_newest_installed_build() {
    let (h, _dir) = installed().await;
    let res = get(&h, "/npm/@clerk/clerk-js@6/dist/clerk.browser.js").await;
    assert_eq!(res.status, 200);
    assert_eq!(&res.body[..], b"/* 6.40.0 */ window.Clerk = {};");
    assert_eq!(
        res.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert_eq!(res.header("access-control-allow-origin"), Some("*"));
    assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(res.header("cache-control"), Some("public, max-age=300"));

    let chunk = get(&h, "/npm/@clerk/clerk-js@6/dist/10_chunk_6.40.0.js").await;
    assert_eq!(&chunk.body[..], b"/* chunk */");
    let ui = get(&h, "/npm/@clerk/ui@1/dist/ui.browser.js").await;
    assert_eq!(&ui.body[..], b"/* ui 1.36.0 */");

    let exact = get(&h, "/npm/@clerk/clerk-js@6.9.0/dist/clerk.browser.js").await;
    assert_eq!(&exact.body[..], b"/* 6.9.0 */");
    assert_eq!(
        exact.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    let head = h
        .fapi(
            TestRequest::default()
                .method(actix_web::http::Method::HEAD)
                .uri("/npm/@clerk/clerk-js@6/dist/clerk.browser.js"),
        )
        .await;
    // (The HTTP server drops a HEAD response's body; in process it stays.)
    assert_eq!(head.status, 200);
}

#[actix_web::test]
async fn a_version_not_installed_is_a_404_naming_what_is() {
    let (h, _dir) = installed().await;
    for version in ["7", "6.41.0", "latest", "06"] {
        let res = get(
            &h,
            &format!("/npm/@clerk/clerk-js@{version}/dist/clerk.browser.js"),
        )
        .await;
        assert_eq!(code(&res, 404), "resource_not_found", "{version}");
        let long = res.json()["errors"][0]["long_message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            long.contains(&format!("@clerk/clerk-js@{version}"))
                && long.contains("6.9.0, 6.40.0")
                && long.contains("scripts/install-clerk-js.sh"),
            "{long}"
        );
    }
}

#[actix_web::test]
async fn nothing_outside_an_installed_dist_directory_is_served() {
    let (h, _dir) = installed().await;
    for path in [
        "/npm/@clerk/clerk-js@6/dist/../../secret.txt",
        "/npm/@clerk/clerk-js@6/dist/%2e%2e/%2e%2e/secret.txt",
        "/npm/@clerk/clerk-js@6/../secret.txt",
        "/npm/@clerk/clerk-js@6/package.json",
        "/npm/@clerk/clerk-js@6/dist/.hidden",
        "/npm/@clerk/clerk-js@6/dist/missing.js",
        "/npm/@clerk/clerk-js@6/dist/",
        "/npm/@clerk/secret.txt/dist/x.js",
        "/npm/@clerk/backend@6/dist/index.js",
        "/npm/@clerk/clerk-js/dist/clerk.browser.js",
    ] {
        let res = get(&h, path).await;
        assert_eq!(res.status, 404, "{path}: {:?}", res.body);
        assert!(
            !String::from_utf8_lossy(&res.body).contains("outside"),
            "{path}"
        );
    }
}

#[actix_web::test]
async fn without_an_install_the_404_says_how_to_install() {
    let h = Harness::dev().await;
    let res = get(&h, "/npm/@clerk/clerk-js@6/dist/clerk.browser.js").await;
    assert_eq!(code(&res, 404), "resource_not_found");
    let long = res.json()["errors"][0]["long_message"].to_string();
    assert!(
        long.contains("none is installed") && long.contains("scripts/install-clerk-js.sh"),
        "{long}"
    );
}
