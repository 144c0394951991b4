//! Hallpass's own token checks (`hallpass-adapter-jwt`'s key ring): client
//! tokens, session tokens (decoded, and verified at a fixed instant), raw
//! verification (handshake tokens), and the handshake's unverified `sid`
//! hint (`hallpass-api-actix`).
//!
//! Input: `r` then a compact token (real tokens, garbage, mutations); or
//! `s`, a header, a newline and a payload, which the target signs with the
//! test key so the checks after the signature are reached too. Anything
//! else is taken whole as a token.
#![no_main]

use hallpass_api_actix::parse::hinted_session;
use hallpass_domain::SessionId;
use hallpass_fuzz::{NOW_SECS, fields, header_of, now, ring, sign_raw, signed_by_test_key};
use hallpass_ports::{TokenSigner as _, TokenVerifier as _};
use libfuzzer_sys::fuzz_target;

fn token_of(data: &[u8]) -> Option<String> {
    match data.split_first() {
        Some((b's', rest)) => {
            let f = fields(rest, 2);
            Some(sign_raw(f[0], f.get(1).copied().unwrap_or_default()))
        }
        Some((b'r', rest)) => String::from_utf8(rest.to_vec()).ok(),
        _ => String::from_utf8(data.to_vec()).ok(),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some(token) = token_of(data) else { return };
    let ring = ring();

    if let Some(sid) = hinted_session(&token) {
        assert_eq!(SessionId::parse(sid.as_str()).as_ref(), Ok(&sid));
    }

    let raw = ring.verify_raw(&token);
    let client = ring.verify_client_token(&token);
    let decoded = ring.decode_session_token(&token);
    let verified = ring.verify_session_token(&token, now());

    if let Ok(raw) = &raw {
        assert_eq!(
            raw.header.get("alg").and_then(|a| a.as_str()),
            Some("RS256")
        );
    }
    // Anything accepted was signed by the ring's key, with RS256.
    if client.is_ok() || decoded.is_ok() || raw.is_ok() {
        assert!(
            signed_by_test_key(&token),
            "accepted without a valid signature"
        );
        let header = header_of(&token).expect("an accepted token has a JSON header");
        assert_eq!(header.get("alg").and_then(|a| a.as_str()), Some("RS256"));
        assert_eq!(
            header.get("kid").and_then(|k| k.as_str()),
            Some(hallpass_fuzz::KID)
        );
    }
    // A token is a client token or a session token, never both.
    assert!(
        !(client.is_ok() && decoded.is_ok()),
        "a token accepted both as a client and as a session token"
    );

    if let Ok(c) = &client {
        let header = header_of(&token).expect("an accepted token has a JSON header");
        assert!(
            !header.contains_key("cat"),
            "a client token with a category"
        );
        let again = ring
            .sign_client_token(c)
            .expect("re-signing accepted client claims");
        assert_eq!(ring.verify_client_token(&again).as_ref(), Ok(c));
    }

    if let Ok(v) = &verified {
        // Verification is decoding plus the time checks.
        assert_eq!(decoded.as_ref(), Ok(v));
        assert!(v.exp > NOW_SECS, "an expired token verified");
        assert!(v.nbf <= NOW_SECS, "a not-yet-valid token verified");
        assert!(v.sts.is_live());
    }
    if let Ok(d) = &decoded {
        assert!(d.sts.is_live(), "a session token for a {:?} session", d.sts);
        // What is read back is what would be written.
        let again = ring
            .sign_session_token(d)
            .expect("re-signing decoded session claims");
        assert_eq!(ring.decode_session_token(&again).as_ref(), Ok(d));
    }
});
