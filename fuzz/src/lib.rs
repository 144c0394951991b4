//! What the fuzz targets share: splitting an input into fields, the test
//! signing key, and helpers to mint tokens with it.
//!
//! The key in `keys/test-rsa-2048.pem` exists only for fuzzing and for the
//! seed tokens in `corpus/`; nothing else trusts it.

use std::future::Future;
use std::sync::OnceLock;
use std::task::{Context, Poll, Waker};

use base64::Engine as _;
use base64::alphabet::URL_SAFE;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use hallpass_adapter_jwt::KeyRing;
use hallpass_domain::UnixMillis;
use hallpass_ports::store::SigningKeyRecord;
use josekit::jws::alg::rsassa::RsassaJwsSigner;
use josekit::jws::{JwsSigner as _, RS256};

const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The test key (PKCS#8 PEM).
pub const TEST_KEY_PEM: &str = include_str!("../keys/test-rsa-2048.pem");
/// The test key's `kid`.
pub const KID: &str = "ins_fuzz";
/// The instant every target verifies at: 2023-11-14T22:13:20Z.
pub const NOW_SECS: i64 = 1_700_000_000;
/// The issuer of seed tokens (a Frontend API URL).
pub const ISSUER: &str = "https://clerk.example.com";
/// The authorized party of seed tokens.
pub const AZP: &str = "https://app.example.com";

/// The moment the targets run at.
pub fn now() -> UnixMillis {
    UnixMillis::new(NOW_SECS * 1000)
}

/// Splits `data` at the first `n - 1` newlines: at most `n` fields, the
/// last one keeping any further newlines.
pub fn fields(data: &[u8], n: usize) -> Vec<&[u8]> {
    data.splitn(n, |b| *b == b'\n').collect()
}

/// Field `i` as text, if present and UTF-8.
pub fn text<'a>(fields: &[&'a [u8]], i: usize) -> Option<&'a str> {
    fields.get(i).and_then(|f| std::str::from_utf8(f).ok())
}

fn signer() -> &'static RsassaJwsSigner {
    static SIGNER: OnceLock<RsassaJwsSigner> = OnceLock::new();
    SIGNER.get_or_init(|| {
        RS256
            .signer_from_pem(TEST_KEY_PEM.as_bytes())
            .expect("the test key is an RSA key")
    })
}

/// The test key's public JWK (`kid`, `alg` RS256, `use` sig), JSON text.
pub fn public_jwk() -> String {
    let pair = RS256
        .key_pair_from_pem(TEST_KEY_PEM.as_bytes())
        .expect("the test key is an RSA key");
    let mut jwk = josekit::jwk::KeyPair::to_jwk_public_key(&pair);
    jwk.set_key_id(KID);
    jwk.set_algorithm("RS256");
    jwk.set_key_use("sig");
    jwk.to_string()
}

/// `{"keys":[<the test key>]}`.
pub fn jwks() -> String {
    format!("{{\"keys\":[{}]}}", public_jwk())
}

/// Hallpass's key ring over the test key alone, active since long before
/// [`NOW_SECS`].
pub fn ring() -> &'static KeyRing {
    static RING: OnceLock<KeyRing> = OnceLock::new();
    RING.get_or_init(|| {
        let record = SigningKeyRecord {
            kid: KID.to_owned(),
            algorithm: "RS256".to_owned(),
            private_key: TEST_KEY_PEM.to_owned(),
            sealing: "none".to_owned(),
            public_jwk: public_jwk(),
            created_at: UnixMillis::new(0),
            activates_at: UnixMillis::new(0),
            retires_at: None,
        };
        KeyRing::new(&[record], now()).expect("a ring over the test key")
    })
}

/// A compact JWS over arbitrary header and payload bytes, signed RS256 with
/// the test key: what a forger with the key could send, so the checks
/// after the signature are reachable by the fuzzer.
pub fn sign_raw(header: &[u8], payload: &[u8]) -> String {
    let mut message = B64.encode(header);
    message.push('.');
    message.push_str(&B64.encode(payload));
    let signature = signer()
        .sign(message.as_bytes())
        .expect("RS256 signing with the test key");
    message.push('.');
    message.push_str(&B64.encode(signature));
    message
}

/// Runs a future that must not wait (verification over static keys).
pub fn ready<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("verification over static keys waited"),
    }
}

/// The header of a compact JWS as JSON, if it decodes.
pub fn header_of(token: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    let bytes = B64.decode(token.split('.').next()?).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Whether `token` is three segments whose signature, over the first two,
/// verifies under the test key with RS256: an independent check of what a
/// verifier accepted.
pub fn signed_by_test_key(token: &str) -> bool {
    static VERIFIER: OnceLock<josekit::jws::alg::rsassa::RsassaJwsVerifier> = OnceLock::new();
    let verifier = VERIFIER.get_or_init(|| {
        let pair = RS256
            .key_pair_from_pem(TEST_KEY_PEM.as_bytes())
            .expect("the test key is an RSA key");
        let public = josekit::jwk::KeyPair::to_jwk_public_key(&pair);
        RS256
            .verifier_from_jwk(&public)
            .expect("a verifier for the test key")
    });
    let parts: Vec<&str> = token.split('.').collect();
    let [header, payload, signature] = parts[..] else {
        return false;
    };
    // Padding or not: whatever a verifier might tolerate is checked here.
    let Ok(signature) = LENIENT.decode(signature) else {
        return false;
    };
    let message = format!("{header}.{payload}");
    josekit::jws::JwsVerifier::verify(verifier, message.as_bytes(), &signature).is_ok()
}
