//! Networkless verification through the public API: `Verifier::verify`
//! over a pinned key (no JWKS fetch), a token as Hallpass mints it.
//!
//! `scripts/bench.sh` prints it beside `openssl speed rsa2048`'s raw
//! verify rate.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::{Duration, UNIX_EPOCH};

use criterion::{Criterion, criterion_group, criterion_main};
use hallpass_verify::{Verifier, VerifierConfig};
use josekit::jws::{self, JwsHeader, RS256};
use serde_json::json;

const NOW: u64 = 1_750_000_000;
const ISS: &str = "https://clerk.example.com";

fn token_and_verifier() -> (String, Verifier) {
    let pair = RS256.generate_key_pair(2048).unwrap();
    let mut header = JwsHeader::new();
    header.set_token_type("JWT");
    header.set_key_id("ins_bench");
    header
        .set_claim("cat", Some(json!(hallpass_verify::SESSION_TOKEN_CATEGORY)))
        .unwrap();
    let claims = json!({
        "azp": "https://app.example.com", "exp": NOW + 60, "fva": [0, -1],
        "iat": NOW, "iss": ISS, "nbf": NOW - 10, "sid": "sess_2abc",
        "sts": "active", "sub": "user_2xyz", "v": 2, "o": {"id": "org_2xyz"},
    });
    let signer = RS256.signer_from_der(pair.to_der_private_key()).unwrap();
    let token = jws::serialize_compact(claims.to_string().as_bytes(), &header, &signer).unwrap();
    let config = VerifierConfig::default()
        .issuer(ISS)
        .authorized_parties(["https://app.example.com"])
        .clock(|| UNIX_EPOCH + Duration::from_secs(NOW));
    let pem = String::from_utf8(pair.to_pem_public_key()).unwrap();
    let verifier = Verifier::from_pem("ins_bench", &pem, config).unwrap();
    (token, verifier)
}

fn benches(c: &mut Criterion) {
    let (token, verifier) = token_and_verifier();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    assert!(runtime.block_on(verifier.verify(&token)).is_ok());
    c.bench_function("verify_networkless", |b| {
        b.iter(|| {
            runtime
                .block_on(verifier.verify(black_box(&token)))
                .unwrap()
        })
    });
}

criterion_group!(verify, benches);
criterion_main!(verify);
