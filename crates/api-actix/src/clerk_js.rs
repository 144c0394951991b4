//! Clerk's browser SDK from the Frontend API host: Clerk's React SDK loads
//! `clerk.browser.js` and `ui.browser.js` (and their chunks) from
//! `/npm/@clerk/<package>@<version>/dist/…` on the host of the publishable
//! key or `proxyUrl`. Hallpass serves the builds the operator installed
//! with `scripts/install-clerk-js.sh` (pinned versions, integrity-checked)
//! into `frontend_api.clerk_js_dir`, so a Clerk app needs no CDN.
//!
//! `<version>` is what the SDK asks for: a major version (`6`, the usual
//! case: the newest installed build of that major) or an exact one
//! (`6.40.0`). Anything else, or a version not installed, is a 404 that
//! names what is installed and how to install it.

use std::path::{Component, Path, PathBuf};

use actix_files::NamedFile;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};

use crate::{ApiError, ApiOptions};

/// The packages served: clerk-js and the prebuilt components.
const PACKAGES: [&str; 2] = ["clerk-js", "ui"];

/// An exact version, `major.minor.patch` (no pre-release).
fn exact(version: &str) -> Option<[u64; 3]> {
    let mut parts = version.split('.');
    let mut out = [0u64; 3];
    for slot in &mut out {
        let part = parts.next()?;
        let leading_zero = part.len() > 1 && part.starts_with('0');
        if part.is_empty()
            || part.len() > 9
            || leading_zero
            || !part.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        *slot = part.parse().ok()?;
    }
    parts.next().is_none().then_some(out)
}

/// The installed version a request for `requested` gets: itself when it is
/// an installed exact version, the newest installed of a major version,
/// else none.
fn resolve<'a>(requested: &str, installed: &'a [String]) -> Option<&'a str> {
    if exact(requested).is_some() {
        return installed
            .iter()
            .find(|v| v.as_str() == requested)
            .map(String::as_str);
    }
    let major = exact(&format!("{requested}.0.0"))?[0];
    installed
        .iter()
        .filter_map(|v| exact(v).map(|parsed| (parsed, v)))
        .filter(|(parsed, _)| parsed[0] == major)
        .max_by_key(|(parsed, _)| *parsed)
        .map(|(_, v)| v.as_str())
}

/// The versions of `package` installed in `dir` (`@clerk/<package>@<x.y.z>`).
fn installed(dir: &Path, package: &str) -> Vec<String> {
    let prefix = format!("{package}@");
    let Ok(entries) = std::fs::read_dir(dir.join("@clerk")) else {
        return Vec::new();
    };
    let mut versions: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().join("dist").is_dir())
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let version = name.strip_prefix(&prefix)?;
            exact(version).map(|_| version.to_owned())
        })
        .collect();
    versions.sort_by_key(|v| exact(v));
    versions
}

/// The file a request names under a package's directory: `dist/` and
/// plain names (letters, digits, `.`, `_`, `-`; none starting with a dot),
/// so nothing outside `dist` can be named.
fn dist_file(tail: &str) -> Option<PathBuf> {
    if tail.len() > 256 || !tail.starts_with("dist/") {
        return None;
    }
    let plain = |s: &str| {
        !s.is_empty()
            && !s.starts_with('.')
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    };
    if !tail.split('/').all(plain) {
        return None;
    }
    let path = PathBuf::from(tail);
    path.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then_some(path)
}

/// The `Content-Type` to send for a file actix-files typed `guessed`: a
/// text type (clerk-js's scripts are `text/javascript`) says it is UTF-8,
/// as the builds are, so a browser never guesses another encoding.
fn with_charset(guessed: &str) -> Option<String> {
    let is_text = guessed.starts_with("text/") || guessed == "application/javascript";
    (is_text && !guessed.contains("charset=")).then(|| format!("{guessed}; charset=utf-8"))
}

/// What is installed in `dir`, for the start-up banner:
/// `clerk-js 6.40.0, ui 1.36.0`, or `not installed`.
pub fn installed_summary(dir: &Path) -> String {
    let parts: Vec<String> = PACKAGES
        .iter()
        .filter_map(|p| {
            let versions = installed(dir, p);
            (!versions.is_empty()).then(|| format!("{p} {}", versions.join(", ")))
        })
        .collect();
    if parts.is_empty() {
        "not installed".to_owned()
    } else {
        parts.join("; ")
    }
}

fn not_installed(package: &str, version: &str, installed: &[String]) -> ApiError {
    let have = if installed.is_empty() {
        "none is installed".to_owned()
    } else {
        format!("installed: {}", installed.join(", "))
    };
    ApiError::new(
        actix_web::http::StatusCode::NOT_FOUND,
        "resource_not_found",
        "not found",
        format!(
            "@clerk/{package}@{version} is not served by this Hallpass ({have}); \
             install the pinned builds with scripts/install-clerk-js.sh (docs/frontend-api.md)"
        ),
    )
}

/// `GET /npm/@clerk/{package}@{version}/{file}`.
pub(crate) async fn serve(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    options: Option<web::Data<ApiOptions>>,
) -> Result<HttpResponse, ApiError> {
    let (spec, tail) = path.into_inner();
    let Some((package, version)) = spec.split_once('@') else {
        return Err(ApiError::not_found("package"));
    };
    if !PACKAGES.contains(&package) {
        return Err(ApiError::not_found("package"));
    }
    let dir = options.as_ref().and_then(|o| o.clerk_js_dir.clone());
    let Some(dir) = dir else {
        return Err(not_installed(package, version, &[]));
    };
    let package_owned = package.to_owned();
    let scan_dir = dir.clone();
    let versions = web::block(move || installed(&scan_dir, &package_owned))
        .await
        .unwrap_or_default();
    let Some(resolved) = resolve(version, &versions) else {
        return Err(not_installed(package, version, &versions));
    };
    let Some(file) = dist_file(&tail) else {
        return Err(ApiError::not_found("file"));
    };
    let full = dir
        .join("@clerk")
        .join(format!("{package}@{resolved}"))
        .join(file);
    let named = NamedFile::open_async(&full)
        .await
        .map_err(|_| ApiError::not_found("file"))?;
    let mut res = named.prefer_utf8(true).into_response(&req);
    let headers = res.headers_mut();
    let typed = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(with_charset)
        .and_then(|v| HeaderValue::from_str(&v).ok());
    if let Some(typed) = typed {
        headers.insert(header::CONTENT_TYPE, typed);
    }
    // Loaded by `<script crossorigin="anonymous">` from the app's origin.
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::HeaderName::from_static("cross-origin-resource-policy"),
        HeaderValue::from_static("cross-origin"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // An exact version never changes; a major version follows what the
    // operator installs next.
    let cache = if resolved == version {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=300"
    };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_major_version_gets_the_newest_installed_build_of_it() {
        let installed = v(&["5.9.0", "6.9.3", "6.40.0", "6.10.0"]);
        assert_eq!(resolve("6", &installed), Some("6.40.0"));
        assert_eq!(resolve("5", &installed), Some("5.9.0"));
        assert_eq!(resolve("7", &installed), None);
        assert_eq!(resolve("6.10.0", &installed), Some("6.10.0"));
        assert_eq!(resolve("6.11.0", &installed), None);
    }

    #[test]
    fn tags_ranges_and_odd_spellings_are_not_versions() {
        let installed = v(&["6.40.0"]);
        for bad in [
            "latest",
            "canary",
            "^6",
            "6.x",
            "6.40",
            "06",
            "",
            "6.40.0.1",
            "6.40.0-beta",
            "+6",
            "-6",
            "6 ",
        ] {
            assert_eq!(resolve(bad, &installed), None, "{bad:?}");
        }
        assert_eq!(exact("6.40.0"), Some([6, 40, 0]));
        assert_eq!(exact("1234567890.0.0"), None, "bounded");
    }

    #[test]
    fn text_types_say_utf_8_once() {
        assert_eq!(
            with_charset("text/javascript").as_deref(),
            Some("text/javascript; charset=utf-8")
        );
        assert_eq!(
            with_charset("application/javascript").as_deref(),
            Some("application/javascript; charset=utf-8")
        );
        assert_eq!(
            with_charset("text/css").as_deref(),
            Some("text/css; charset=utf-8")
        );
        assert_eq!(with_charset("text/css; charset=utf-8"), None);
        assert_eq!(with_charset("application/json"), None);
        assert_eq!(with_charset("image/svg+xml"), None);
    }

    #[test]
    fn only_plain_names_under_dist_are_files() {
        assert_eq!(
            dist_file("dist/clerk.browser.js"),
            Some(PathBuf::from("dist/clerk.browser.js"))
        );
        assert!(dist_file("dist/10_clerk.browser_a68c22_6.40.0.js").is_some());
        assert!(dist_file("dist/themes/shadcn.css").is_some());
        for bad in [
            "clerk.browser.js",
            "dist/../package.json",
            "dist/./x.js",
            "dist//x.js",
            "dist/.integrity",
            "dist/x.js/",
            "dist/a b.js",
            "dist/%2e%2e/x",
            "dist\\x.js",
            "/etc/passwd",
            "",
        ] {
            assert_eq!(dist_file(bad), None, "{bad:?}");
        }
        assert!(dist_file(&format!("dist/{}", "a".repeat(300))).is_none());
    }

    #[test]
    fn installed_versions_are_read_from_the_directory() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        for name in [
            "clerk-js@6.40.0/dist",
            "clerk-js@6.9.0/dist",
            "clerk-js@latest/dist",
            "clerk-js@6.41.0",
            "ui@1.36.0/dist",
        ] {
            std::fs::create_dir_all(dir.path().join("@clerk").join(name))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        assert_eq!(installed(dir.path(), "clerk-js"), v(&["6.9.0", "6.40.0"]));
        assert_eq!(installed(dir.path(), "ui"), v(&["1.36.0"]));
        assert!(installed(&dir.path().join("missing"), "ui").is_empty());
    }
}
