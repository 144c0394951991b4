//! `hallpass-verify`, the library other services verify session tokens
//! with: the JWKS reader and `Verifier::verify` over static keys at a fixed
//! instant, with and without issuer and authorized-party checks.
//!
//! Input: `r` then a compact token; `s`, a header, a newline and a payload,
//! signed by the target with the test key; `j` then a JWKS document.
//! Anything else is taken whole as a token.
#![no_main]

use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use hallpass_fuzz::{
    AZP, ISSUER, NOW_SECS, fields, header_of, jwks, ready, sign_raw, signed_by_test_key,
};
use hallpass_verify::{SESSION_TOKEN_CATEGORY, Verifier, VerifierConfig};
use libfuzzer_sys::fuzz_target;

const LEEWAY: i64 = 5;

fn config() -> VerifierConfig {
    VerifierConfig::default()
        .leeway(Duration::from_secs(LEEWAY as u64))
        .clock(|| SystemTime::UNIX_EPOCH + Duration::from_secs(NOW_SECS as u64))
}

/// (lenient, strict): the same key; strict also pins `iss` and `azp`.
fn verifiers() -> &'static (Verifier, Verifier) {
    static V: OnceLock<(Verifier, Verifier)> = OnceLock::new();
    V.get_or_init(|| {
        let lenient = Verifier::from_jwks_json(&jwks(), config()).expect("the test JWKS");
        let strict =
            Verifier::from_jwks_json(&jwks(), config().issuer(ISSUER).authorized_parties([AZP]))
                .expect("the test JWKS");
        (lenient, strict)
    })
}

fn check_token(token: &str) {
    let (lenient, strict) = verifiers();
    let loose = ready(lenient.verify(token));
    let tight = ready(strict.verify(token));
    if tight.is_ok() {
        assert!(loose.is_ok(), "strict accepted what lenient refused");
    }
    let Ok(claims) = loose else { return };
    // The only key the verifiers hold is the test key, pinned to RS256.
    assert!(
        signed_by_test_key(token),
        "accepted without a valid signature"
    );
    let header = header_of(token).expect("an accepted token has a JSON header");
    assert!(
        matches!(
            header.get("alg").and_then(|a| a.as_str()),
            Some("RS256" | "RS384" | "RS512")
        ),
        "alg {:?}",
        header.get("alg")
    );
    assert_eq!(
        header.get("kid").and_then(|k| k.as_str()),
        Some(hallpass_fuzz::KID)
    );
    match header.get("cat") {
        None => {}
        Some(cat) => assert_eq!(cat.as_str(), Some(SESSION_TOKEN_CATEGORY)),
    }
    assert!(!header.contains_key("crit"));
    assert!(claims.exp > NOW_SECS - LEEWAY, "expired");
    assert!(claims.nbf <= NOW_SECS + LEEWAY, "not yet valid");
    assert!(claims.iat <= NOW_SECS + LEEWAY, "issued in the future");
    assert!(!claims.sub.is_empty() && !claims.sid.is_empty() && !claims.iss.is_empty());
    assert!(!claims.sub.starts_with("mch_"), "a machine token accepted");
    if let Ok(strict) = tight {
        assert_eq!(strict.iss.trim_end_matches('/'), ISSUER);
        assert_eq!(strict.azp.as_deref(), Some(AZP));
    }
}

fuzz_target!(|data: &[u8]| {
    match data.split_first() {
        Some((b'j', rest)) => {
            let Ok(text) = std::str::from_utf8(rest) else {
                return;
            };
            if let Ok(verifier) = Verifier::from_jwks_json(text, config()) {
                // Whatever keys it holds, a token signed by none of them is
                // refused.
                let forged = sign_raw(br#"{"alg":"RS256","kid":"nobody"}"#, b"{}");
                assert!(ready(verifier.verify(&forged)).is_err());
            }
        }
        Some((b's', rest)) => {
            let f = fields(rest, 2);
            check_token(&sign_raw(f[0], f.get(1).copied().unwrap_or_default()));
        }
        Some((b'r', rest)) => {
            if let Ok(token) = std::str::from_utf8(rest) {
                check_token(token);
            }
        }
        _ => {
            if let Ok(token) = std::str::from_utf8(data) {
                check_token(token);
            }
        }
    }
});
