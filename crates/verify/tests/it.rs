//! hallpass-verify against real RSA keys, real tokens and a real JWKS
//! server on 127.0.0.1.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hallpass_verify::{ConfigError, Verifier, VerifierConfig, VerifyError};
use josekit::jws::{HS256, RS256, RS384};
use serde_json::{Value, json};
use support::*;

fn config(clock: &TestClock) -> VerifierConfig {
    VerifierConfig::default().clock(clock.as_fn())
}

/// A verifier fetching from `server`.
fn remote(server: &JwksServer, clock: &TestClock) -> Verifier {
    Verifier::new(config(clock).jwks_url(server.jwks_url())).unwrap()
}

/// A verifier over key A, never fetching.
fn local(clock: &TestClock) -> Verifier {
    Verifier::from_jwks_json(&jwks(&[key_a()]), config(clock)).unwrap()
}

/// The decoded header of a token.
fn header_of(token: &str) -> Value {
    let header = token.split('.').next().unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap()
}

async fn verify_local(token: &str) -> Result<hallpass_verify::SessionClaims, VerifyError> {
    local(&TestClock::new()).verify(token).await
}

#[tokio::test]
async fn a_valid_token_verifies_and_its_claims_parse() {
    let server = JwksServer::start(jwks(&[key_a(), key_b()]));
    let clock = TestClock::new();
    let verifier = remote(&server, &clock);
    let mut claims = claims();
    claims.insert(
        "act".into(),
        json!({"sub": "user_admin", "iss": "https://dashboard.example.com", "sid": "sess_adm"}),
    );
    claims.insert(
        "o".into(),
        json!({"id": "org_1", "slg": "acme", "rol": "admin", "per": "read,manage", "fpm": "3"}),
    );
    claims.insert("pla".into(), json!("u:free"));
    let token = sign(key_a(), &claims);
    assert_eq!(
        header_of(&token),
        json!({"alg": "RS256", "typ": "JWT", "kid": key_a().kid, "cat": SESSION_CAT})
    );

    let verified = verifier.verify(&token).await.unwrap();
    assert_eq!(verified.sub, "user_2xyz");
    assert_eq!(verified.user_id(), "user_2xyz");
    assert_eq!(verified.sid, "sess_2abc");
    assert_eq!(verified.session_id(), "sess_2abc");
    assert_eq!(verified.iss, ISS);
    assert_eq!(verified.azp.as_deref(), Some(AZP));
    assert_eq!(verified.exp, NOW + 60);
    assert_eq!(verified.iat, NOW);
    assert_eq!(verified.nbf, NOW - 10);
    assert_eq!(verified.sts.as_deref(), Some("active"));
    assert!(!verified.is_pending());
    assert_eq!(verified.v, Some(2));
    assert_eq!(verified.fva, Some([0, -1]));
    let act = verified.act.as_ref().unwrap();
    assert_eq!(act.sub, "user_admin");
    assert_eq!(act.iss.as_deref(), Some("https://dashboard.example.com"));
    assert_eq!(act.sid.as_deref(), Some("sess_adm"));
    let org = verified.org.as_ref().unwrap();
    assert_eq!(verified.org_id(), Some("org_1"));
    assert_eq!(org.slg.as_deref(), Some("acme"));
    assert_eq!(org.rol.as_deref(), Some("admin"));
    assert_eq!(org.per.as_deref(), Some("read,manage"));
    assert_eq!(org.fpm.as_deref(), Some("3"));
    assert_eq!(verified.extra.get("pla"), Some(&json!("u:free")));
    assert_eq!(verified.extra.len(), 1, "{:?}", verified.extra);

    // The second key of the set verifies too, and the JWKS was fetched once.
    verifier.verify(&sign(key_b(), &claims)).await.unwrap();
    verifier.verify(&token).await.unwrap();
    assert_eq!(server.hits(), 1);
    assert_eq!(server.paths(), ["/.well-known/jwks.json"]);
    assert_eq!(server.authorizations(), [None]);
}

#[tokio::test]
async fn a_minimal_v2_token_verifies() {
    let mut claims = claims();
    for name in ["azp", "sts", "v", "fva"] {
        claims.remove(name);
    }
    let verified = verify_local(&sign(key_a(), &claims)).await.unwrap();
    assert_eq!(verified.azp, None);
    assert_eq!(verified.sts, None);
    assert_eq!(verified.v, None);
    assert_eq!(verified.fva, None);
    assert_eq!(verified.act, None);
    assert_eq!(verified.org, None);
    assert!(verified.extra.is_empty());
}

#[tokio::test]
async fn a_pending_session_verifies_and_says_so() {
    let mut claims = claims();
    claims.insert("sts".into(), json!("pending"));
    let verified = verify_local(&sign(key_a(), &claims)).await.unwrap();
    assert!(verified.is_pending());
}

#[tokio::test]
async fn expiry_is_checked_with_the_leeway() {
    let clock = TestClock::new();
    let verifier = local(&clock);
    let token = sign(key_a(), &claims()); // exp = NOW + 60

    clock.advance(Duration::from_secs(64));
    verifier.verify(&token).await.unwrap(); // exp + 4 s: within the leeway
    clock.advance(Duration::from_secs(1)); // now = exp + 5 = exp + leeway
    assert_eq!(verifier.verify(&token).await, Err(VerifyError::Expired));
    clock.advance(Duration::from_secs(3600));
    assert_eq!(verifier.verify(&token).await, Err(VerifyError::Expired));

    // No leeway: expired exactly at exp.
    let strict =
        Verifier::from_jwks_json(&jwks(&[key_a()]), config(&clock).leeway(Duration::ZERO)).unwrap();
    let at = clock.now_secs();
    let mut c = claims_at(at);
    c.insert("exp".into(), json!(at));
    assert_eq!(
        strict.verify(&sign(key_a(), &c)).await,
        Err(VerifyError::Expired)
    );
    c.insert("exp".into(), json!(at + 1));
    strict.verify(&sign(key_a(), &c)).await.unwrap();
}

#[tokio::test]
async fn a_token_not_valid_yet_is_refused() {
    let mut claims = claims();
    claims.insert("nbf".into(), json!(NOW + 6));
    assert_eq!(
        verify_local(&sign(key_a(), &claims)).await,
        Err(VerifyError::NotYetValid)
    );
    // Within the leeway.
    claims.insert("nbf".into(), json!(NOW + 5));
    verify_local(&sign(key_a(), &claims)).await.unwrap();
}

#[tokio::test]
async fn a_token_issued_in_the_future_is_refused() {
    let mut claims = claims();
    claims.insert("iat".into(), json!(NOW + 30));
    claims.insert("exp".into(), json!(NOW + 90));
    assert_eq!(
        verify_local(&sign(key_a(), &claims)).await,
        Err(VerifyError::IssuedInFuture)
    );
    claims.insert("iat".into(), json!(NOW + 5));
    verify_local(&sign(key_a(), &claims)).await.unwrap();
}

#[tokio::test]
async fn a_tampered_payload_is_refused() {
    let token = sign(key_a(), &claims());
    let parts: Vec<&str> = token.split('.').collect();
    let mut forged = claims();
    forged.insert("sub".into(), json!("user_victim"));
    let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap());
    let tampered = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
    assert_eq!(
        verify_local(&tampered).await,
        Err(VerifyError::InvalidSignature)
    );

    // A signature from another key under key A's kid.
    let signer = RS256.signer_from_pem(&key_b().private_pem).unwrap();
    let other = sign_with(&signer, &key_a().kid, Some(SESSION_CAT), &claims());
    assert_eq!(
        verify_local(&other).await,
        Err(VerifyError::InvalidSignature)
    );

    // A flipped signature byte; an empty signature.
    let mut sig = parts[2].as_bytes().to_vec();
    sig[10] = if sig[10] == b'A' { b'B' } else { b'A' };
    let flipped = format!(
        "{}.{}.{}",
        parts[0],
        parts[1],
        String::from_utf8(sig).unwrap()
    );
    assert_eq!(
        verify_local(&flipped).await,
        Err(VerifyError::InvalidSignature)
    );
    let unsigned = format!("{}.{}.", parts[0], parts[1]);
    assert_eq!(
        verify_local(&unsigned).await,
        Err(VerifyError::InvalidSignature)
    );
}

#[tokio::test]
async fn alg_none_is_refused_without_fetching() {
    let server = JwksServer::start(jwks(&[key_a()]));
    let verifier = remote(&server, &TestClock::new());
    for header in [
        json!({"alg": "none", "typ": "JWT", "kid": key_a().kid, "cat": SESSION_CAT}),
        json!({"alg": "None", "typ": "JWT", "kid": key_a().kid}),
        json!({"typ": "JWT", "kid": key_a().kid}),
        json!({"alg": null, "kid": key_a().kid}),
    ] {
        for signature in [&b""[..], b"x"] {
            let token = raw_token(&header, &claims(), signature);
            let err = verifier.verify(&token).await.unwrap_err();
            assert!(
                matches!(
                    err,
                    VerifyError::UnsupportedAlgorithm | VerifyError::MissingClaim("alg")
                ),
                "{header}: {err:?}"
            );
        }
    }
    assert_eq!(server.hits(), 0);
}

#[tokio::test]
async fn hs256_signed_with_the_public_key_is_refused() {
    // The classic confusion: HMAC keyed with the RSA public key, which an
    // attacker can download from the JWKS.
    let server = JwksServer::start(jwks(&[key_a()]));
    let verifier = remote(&server, &TestClock::new());
    for secret in [
        key_a().public_pem.clone(),
        key_a().public_jwk.to_string().into_bytes(),
    ] {
        let signer = HS256.signer_from_bytes(&secret).unwrap();
        let token = sign_with(&signer, &key_a().kid, Some(SESSION_CAT), &claims());
        assert_eq!(header_of(&token)["alg"], "HS256");
        assert_eq!(
            verifier.verify(&token).await,
            Err(VerifyError::UnsupportedAlgorithm)
        );
    }
    assert_eq!(server.hits(), 0);
    // The same key verifies a genuine RS256 token.
    verifier.verify(&sign(key_a(), &claims())).await.unwrap();
}

#[tokio::test]
async fn the_algorithm_is_pinned_to_the_key() {
    let rs384 = RS384.signer_from_pem(&key_a().private_pem).unwrap();
    let token384 = sign_with(&rs384, &key_a().kid, Some(SESSION_CAT), &claims());

    // An RS256 key (explicit or implicit alg) refuses an RS384 token…
    for jwk in [key_a().public_jwk.clone(), key_a().jwk_with_alg(None)] {
        let verifier =
            Verifier::from_jwks_json(&jwks_of(&[jwk]), config(&TestClock::new())).unwrap();
        assert_eq!(
            verifier.verify(&token384).await,
            Err(VerifyError::UnsupportedAlgorithm)
        );
        verifier.verify(&sign(key_a(), &claims())).await.unwrap();
    }

    // …and a key published as RS384 accepts only RS384.
    let verifier = Verifier::from_jwks_json(
        &jwks_of(&[key_a().jwk_with_alg(Some("RS384"))]),
        config(&TestClock::new()),
    )
    .unwrap();
    verifier.verify(&token384).await.unwrap();
    assert_eq!(
        verifier.verify(&sign(key_a(), &claims())).await,
        Err(VerifyError::UnsupportedAlgorithm)
    );

    // Other families are refused outright.
    for alg in ["PS256", "ES256", "EdDSA", "HS512", "rs256"] {
        let token = raw_token(&json!({"alg": alg, "kid": key_a().kid}), &claims(), b"sig");
        assert_eq!(
            verify_local(&token).await,
            Err(VerifyError::UnsupportedAlgorithm),
            "{alg}"
        );
    }
}

#[tokio::test]
async fn an_unknown_kid_refetches_once_and_finds_the_rotated_key() {
    let server = JwksServer::start(jwks(&[key_a()]));
    let clock = TestClock::new();
    let verifier = remote(&server, &clock);
    verifier.verify(&sign(key_a(), &claims())).await.unwrap();
    assert_eq!(server.hits(), 1);

    // Hallpass publishes key B (and later signs with it).
    server.set_jwks(jwks(&[key_a(), key_b()]));
    clock.advance(Duration::from_secs(11)); // past min_refetch_interval
    let now = clock.now_secs();
    let verified = verifier
        .verify(&sign(key_b(), &claims_at(now)))
        .await
        .unwrap();
    assert_eq!(verified.sub, "user_2xyz");
    assert_eq!(server.hits(), 2);

    // Both keys are now cached: no more fetches.
    verifier
        .verify(&sign(key_b(), &claims_at(now)))
        .await
        .unwrap();
    verifier
        .verify(&sign(key_a(), &claims_at(now)))
        .await
        .unwrap();
    assert_eq!(server.hits(), 2);

    // Key A retires: still cached until the TTL, which is harmless because
    // Hallpass retires a key only after every token it signed expired.
    server.set_jwks(jwks(&[key_b()]));
    clock.advance(Duration::from_secs(3600));
    let now = clock.now_secs();
    assert_eq!(
        verifier.verify(&sign(key_a(), &claims_at(now))).await,
        Err(VerifyError::UnknownKey)
    );
    assert_eq!(server.hits(), 3);
}

#[tokio::test]
async fn an_unknown_kid_that_stays_unknown_is_refused_and_rate_limited() {
    let server = JwksServer::start(jwks(&[key_a()]));
    let clock = TestClock::new();
    let verifier = remote(&server, &clock);
    let stranger = sign(key_c(), &claims());

    // First use: one fetch; key C is not in it.
    assert_eq!(
        verifier.verify(&stranger).await,
        Err(VerifyError::UnknownKey)
    );
    assert_eq!(server.hits(), 1);
    // Within min_refetch_interval: refused without fetching.
    for _ in 0..5 {
        assert_eq!(
            verifier.verify(&stranger).await,
            Err(VerifyError::UnknownKey)
        );
        let random_kid = raw_token(
            &json!({"alg": "RS256", "kid": "ins_random"}),
            &claims(),
            b"sig",
        );
        assert_eq!(
            verifier.verify(&random_kid).await,
            Err(VerifyError::UnknownKey)
        );
    }
    clock.advance(Duration::from_secs(9));
    assert_eq!(
        verifier.verify(&stranger).await,
        Err(VerifyError::UnknownKey)
    );
    assert_eq!(server.hits(), 1);
    // Known keys keep working meanwhile.
    verifier.verify(&sign(key_a(), &claims())).await.unwrap();

    // Once the interval has passed, one more fetch.
    clock.advance(Duration::from_secs(2));
    assert_eq!(
        verifier.verify(&stranger).await,
        Err(VerifyError::UnknownKey)
    );
    assert_eq!(
        verifier.verify(&stranger).await,
        Err(VerifyError::UnknownKey)
    );
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn concurrent_first_requests_share_one_fetch() {
    let server = JwksServer::start(jwks(&[key_a()]));
    server.set_delay(Duration::from_millis(200));
    let verifier = remote(&server, &TestClock::new());
    let token = sign(key_a(), &claims());
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let verifier = verifier.clone();
            let token = token.clone();
            tokio::spawn(async move { verifier.verify(&token).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn the_cache_expires_after_its_ttl() {
    let server = JwksServer::start(jwks(&[key_a()]));
    let clock = TestClock::new();
    let verifier = Verifier::new(
        config(&clock)
            .jwks_url(server.jwks_url())
            .cache_ttl(Duration::from_secs(300)),
    )
    .unwrap();
    verifier.refresh().await.unwrap();
    assert_eq!(server.hits(), 1);
    clock.advance(Duration::from_secs(299));
    verifier
        .verify(&sign(key_a(), &claims_at(clock.now_secs())))
        .await
        .unwrap();
    assert_eq!(server.hits(), 1);
    clock.advance(Duration::from_secs(1));
    verifier
        .verify(&sign(key_a(), &claims_at(clock.now_secs())))
        .await
        .unwrap();
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn a_failing_jwks_endpoint() {
    let server = JwksServer::start(jwks(&[key_a()]));
    server.set_status(500);
    let clock = TestClock::new();
    let verifier = remote(&server, &clock);
    let token = sign(key_a(), &claims());

    // Nothing cached: a Jwks error, repeated without refetching.
    let err = verifier.verify(&token).await.unwrap_err();
    assert!(
        matches!(&err, VerifyError::Jwks(m) if m.contains("500")),
        "{err:?}"
    );
    assert_eq!(verifier.verify(&token).await, Err(err));
    assert_eq!(server.hits(), 1);

    // It recovers after the interval.
    server.set_status(200);
    clock.advance(Duration::from_secs(10));
    verifier
        .verify(&sign(key_a(), &claims_at(clock.now_secs())))
        .await
        .unwrap();
    assert_eq!(server.hits(), 2);

    // When the cache is stale and the endpoint fails (or serves junk), the
    // cached keys stay in use.
    server.set_status(503);
    clock.advance(Duration::from_secs(3600));
    let now = clock.now_secs();
    verifier
        .verify(&sign(key_a(), &claims_at(now)))
        .await
        .unwrap();
    assert_eq!(server.hits(), 3);
    server.set_status(200);
    server.set_jwks("not json".to_owned());
    clock.advance(Duration::from_secs(10));
    verifier
        .verify(&sign(key_a(), &claims_at(clock.now_secs())))
        .await
        .unwrap();
    assert_eq!(server.hits(), 4);
    // …but an unknown kid cannot be checked: a Jwks error, not UnknownKey.
    assert!(matches!(
        verifier
            .verify(&sign(key_b(), &claims_at(clock.now_secs())))
            .await,
        Err(VerifyError::Jwks(_))
    ));

    // An unreachable endpoint.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let verifier =
        Verifier::new(config(&clock).jwks_url(format!("http://{closed}/.well-known/jwks.json")))
            .unwrap();
    assert!(matches!(
        verifier.refresh().await,
        Err(VerifyError::Jwks(_))
    ));
}

#[tokio::test]
async fn template_and_machine_tokens_are_refused() {
    let claims = claims();
    for cat in [TEMPLATE_CAT, M2M_CAT, "cl_something_else", ""] {
        assert_eq!(
            verify_local(&sign_cat(key_a(), Some(cat), &claims)).await,
            Err(VerifyError::WrongCategory),
            "{cat}"
        );
    }
    // A non-string cat.
    let signer = RS256.signer_from_pem(&key_a().private_pem).unwrap();
    let mut header = josekit::jws::JwsHeader::new();
    header.set_key_id(&key_a().kid);
    header.set_claim("cat", Some(json!(1))).unwrap();
    let token =
        josekit::jws::serialize_compact(&serde_json::to_vec(&claims).unwrap(), &header, &signer)
            .unwrap();
    assert_eq!(verify_local(&token).await, Err(VerifyError::WrongCategory));

    // A machine subject under the session category.
    let mut machine = claims.clone();
    machine.insert("sub".into(), json!("mch_2abc"));
    assert_eq!(
        verify_local(&sign(key_a(), &machine)).await,
        Err(VerifyError::WrongCategory)
    );
}

#[tokio::test]
async fn a_token_without_cat_is_accepted() {
    let verified = verify_local(&sign_cat(key_a(), None, &claims()))
        .await
        .unwrap();
    assert_eq!(verified.sub, "user_2xyz");
}

#[tokio::test]
async fn the_issuer_is_checked_when_configured() {
    let clock = TestClock::new();
    let token = sign(key_a(), &claims());
    let with_issuer = |iss: &str| {
        Verifier::from_jwks_json(&jwks(&[key_a()]), config(&clock).issuer(iss)).unwrap()
    };
    with_issuer(ISS).verify(&token).await.unwrap();
    with_issuer(&format!("{ISS}/"))
        .verify(&token)
        .await
        .unwrap();
    for other in [
        "https://clerk.example.com",
        "http://127.0.0.1:7711",
        "127.0.0.1:7710",
    ] {
        assert_eq!(
            with_issuer(other).verify(&token).await,
            Err(VerifyError::WrongIssuer),
            "{other}"
        );
    }
    // Without the option, any issuer is accepted, but iss is still required.
    let mut no_iss = claims();
    no_iss.remove("iss");
    assert_eq!(
        verify_local(&sign(key_a(), &no_iss)).await,
        Err(VerifyError::MissingClaim("iss"))
    );
}

#[tokio::test]
async fn the_authorized_party_is_checked_when_configured() {
    let clock = TestClock::new();
    let verifier = Verifier::from_jwks_json(
        &jwks(&[key_a()]),
        config(&clock).authorized_parties(["https://app.example.com", AZP]),
    )
    .unwrap();
    verifier.verify(&sign(key_a(), &claims())).await.unwrap();

    let mut other = claims();
    other.insert("azp".into(), json!("https://evil.example.com"));
    assert_eq!(
        verifier.verify(&sign(key_a(), &other)).await,
        Err(VerifyError::UnauthorizedParty)
    );
    other.insert("azp".into(), json!(format!("{AZP}/")));
    assert_eq!(
        verifier.verify(&sign(key_a(), &other)).await,
        Err(VerifyError::UnauthorizedParty)
    );
    other.remove("azp");
    assert_eq!(
        verifier.verify(&sign(key_a(), &other)).await,
        Err(VerifyError::UnauthorizedParty)
    );
    // Without the option, a missing azp is fine.
    verify_local(&sign(key_a(), &other)).await.unwrap();
}

#[tokio::test]
async fn a_backend_api_fetch_sends_the_secret_key() {
    let server = JwksServer::start(jwks(&[key_a()]));
    server.require_bearer("sk_test_123");
    let clock = TestClock::new();

    let verifier = Verifier::new(
        config(&clock)
            .jwks_url(format!("{}/v1/jwks", server.base_url))
            .secret_key("sk_test_123"),
    )
    .unwrap();
    verifier.verify(&sign(key_a(), &claims())).await.unwrap();
    assert_eq!(server.paths(), ["/v1/jwks"]);
    assert_eq!(
        server.authorizations(),
        [Some("Bearer sk_test_123".to_owned())]
    );

    // The backend_api shorthand builds the same request.
    let verifier = Verifier::new(
        VerifierConfig::backend_api(&format!("{}/", server.base_url), "sk_test_123")
            .clock(clock.as_fn()),
    )
    .unwrap();
    verifier.refresh().await.unwrap();
    assert_eq!(server.paths()[1], "/v1/jwks");

    // A wrong key is a Jwks error that does not leak the secret.
    let verifier = Verifier::new(
        config(&clock)
            .jwks_url(format!("{}/v1/jwks", server.base_url))
            .secret_key("sk_wrong"),
    )
    .unwrap();
    let err = verifier
        .verify(&sign(key_a(), &claims()))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, VerifyError::Jwks(m) if m.contains("401") && !m.contains("sk_")),
        "{err}"
    );
    assert!(!format!("{verifier:?}").contains("sk_wrong"));
}

#[tokio::test]
async fn malformed_tokens_are_refused() {
    let good = sign(key_a(), &claims());
    let parts: Vec<&str> = good.split('.').collect();
    let too_long = format!("{}.{}.{}", parts[0], "A".repeat(17 * 1024), parts[2]);
    for token in [
        String::new(),
        "garbage".to_owned(),
        "a.b".to_owned(),
        format!("{good}.x"),
        format!("{}..{}", parts[0], parts[2]),
        format!(".{}.{}", parts[1], parts[2]),
        format!("!!!.{}.{}", parts[1], parts[2]),
        format!("{}=.{}.{}", parts[0], parts[1], parts[2]),
        too_long,
        raw_token(&json!(["alg", "RS256"]), &claims(), b"sig"),
        raw_token(
            &json!({"alg": "RS256", "kid": key_a().kid, "typ": "JOSE+JSON"}),
            &claims(),
            b"sig",
        ),
        raw_token(
            &json!({"alg": "RS256", "kid": key_a().kid, "crit": ["b64"], "b64": false}),
            &claims(),
            b"sig",
        ),
    ] {
        assert_eq!(
            verify_local(&token).await,
            Err(VerifyError::Malformed),
            "{token:.80}"
        );
    }
    for header in [
        json!({"alg": "RS256"}),
        json!({"alg": "RS256", "kid": ""}),
        json!({"alg": "RS256", "kid": 7}),
    ] {
        assert_eq!(
            verify_local(&raw_token(&header, &claims(), b"sig")).await,
            Err(VerifyError::MissingClaim("kid"))
        );
    }
    // A validly signed payload that is not a JSON object.
    let signer = RS256.signer_from_pem(&key_a().private_pem).unwrap();
    let mut header = josekit::jws::JwsHeader::new();
    header.set_key_id(&key_a().kid);
    let token = josekit::jws::serialize_compact(b"[1,2]", &header, &signer).unwrap();
    assert_eq!(verify_local(&token).await, Err(VerifyError::Malformed));
}

#[tokio::test]
async fn required_claims_are_enforced() {
    for (name, bad) in [
        ("sub", None),
        ("sub", Some(json!(""))),
        ("sub", Some(json!(42))),
        ("sid", None),
        ("sid", Some(json!(""))),
        ("iss", None),
        ("exp", None),
        ("exp", Some(json!("1750000060"))),
        ("exp", Some(json!(1_750_000_060.5))),
        ("nbf", None),
        ("iat", None),
    ] {
        let mut claims = claims();
        match &bad {
            None => claims.remove(name),
            Some(v) => claims.insert(name.into(), v.clone()),
        };
        assert_eq!(
            verify_local(&sign(key_a(), &claims)).await,
            Err(VerifyError::MissingClaim(name)),
            "{name}: {bad:?}"
        );
    }
    // Mistyped optional claims make the token malformed.
    for (name, bad) in [
        ("o", json!("org_1")),
        ("act", json!({"iss": "x"})),
        ("fva", json!([1])),
    ] {
        let mut claims = claims();
        claims.insert(name.into(), bad);
        assert_eq!(
            verify_local(&sign(key_a(), &claims)).await,
            Err(VerifyError::Malformed),
            "{name}"
        );
    }
}

#[tokio::test]
async fn a_verifier_from_pem() {
    let key = key_a();
    let pem = String::from_utf8(key.public_pem.clone()).unwrap();
    let verifier = Verifier::from_pem(&key.kid, &pem, config(&TestClock::new())).unwrap();
    verifier.verify(&sign(key, &claims())).await.unwrap();
    assert_eq!(
        verifier.verify(&sign(key_b(), &claims())).await,
        Err(VerifyError::UnknownKey)
    );
    assert!(matches!(
        Verifier::from_pem("ins_x", "not a pem", VerifierConfig::default()),
        Err(ConfigError::InvalidKeys(_))
    ));
    assert!(matches!(
        Verifier::from_pem("", &pem, VerifierConfig::default()),
        Err(ConfigError::InvalidKeys(_))
    ));
}

#[tokio::test]
async fn a_static_jwks_keeps_only_usable_keys() {
    let ec = {
        let pair = josekit::jws::ES256.generate_key_pair().unwrap();
        let mut jwk = pair.to_jwk_public_key();
        jwk.set_key_id("ins_ec");
        Value::Object(jwk.as_ref().clone())
    };
    let mut enc = key_b().public_jwk.clone();
    enc["use"] = json!("enc");
    let mut no_kid = key_c().public_jwk.clone();
    no_kid.as_object_mut().unwrap().remove("kid");
    let ps256 = key_c().jwk_with_alg(Some("PS256"));
    let verifier = Verifier::from_jwks_json(
        &jwks_of(&[ec.clone(), enc, no_kid, ps256, key_a().public_jwk.clone()]),
        config(&TestClock::new()),
    )
    .unwrap();
    verifier.verify(&sign(key_a(), &claims())).await.unwrap();
    assert_eq!(
        verifier.verify(&sign(key_b(), &claims())).await,
        Err(VerifyError::UnknownKey)
    );

    // A kid published twice (with different keys) is ambiguous: dropped.
    let mut twin = key_b().public_jwk.clone();
    twin["kid"] = json!(key_a().kid);
    let verifier = Verifier::from_jwks_json(
        &jwks_of(&[key_a().public_jwk.clone(), twin, key_c().public_jwk.clone()]),
        config(&TestClock::new()),
    )
    .unwrap();
    assert_eq!(
        verifier.verify(&sign(key_a(), &claims())).await,
        Err(VerifyError::UnknownKey)
    );

    for bad in [
        "",
        "{}",
        r#"{"keys":{}}"#,
        r#"{"keys":[]}"#,
        &jwks_of(&[ec]),
    ] {
        assert!(
            matches!(
                Verifier::from_jwks_json(bad, VerifierConfig::default()),
                Err(ConfigError::InvalidKeys(_))
            ),
            "{bad}"
        );
    }
}

#[test]
fn the_verifier_and_its_future_are_send_and_sync() {
    fn send_sync<T: Send + Sync>(_: &T) {}
    fn send<T: Send>(_: &T) {}
    let verifier = local(&TestClock::new());
    send_sync(&verifier);
    send(&verifier.verify("token"));
    send(&verifier.refresh());
}

#[test]
fn configuration_errors_and_defaults() {
    assert_eq!(
        Verifier::new(VerifierConfig::default()).unwrap_err(),
        ConfigError::MissingJwksUrl
    );
    for url in [
        "not a url",
        "ftp://example.com/jwks",
        "file:///etc/jwks.json",
    ] {
        assert!(
            matches!(
                Verifier::new(VerifierConfig::default().jwks_url(url)),
                Err(ConfigError::InvalidJwksUrl(_))
            ),
            "{url}"
        );
    }
    let config = VerifierConfig::default();
    assert_eq!(config.leeway, Duration::from_secs(5));
    assert_eq!(config.cache_ttl, Duration::from_secs(3600));
    assert_eq!(config.min_refetch_interval, Duration::from_secs(10));
    assert!(config.authorized_parties.is_empty());
    assert_eq!(
        VerifierConfig::frontend_api("https://clerk.example.com/")
            .jwks_url
            .as_deref(),
        Some("https://clerk.example.com/.well-known/jwks.json")
    );
    let bapi = VerifierConfig::backend_api("http://127.0.0.1:7711", "sk_live_secret");
    assert_eq!(
        bapi.jwks_url.as_deref(),
        Some("http://127.0.0.1:7711/v1/jwks")
    );
    let debug = format!("{bapi:?}");
    assert!(!debug.contains("sk_live_secret"), "{debug}");
    assert!(debug.contains("<redacted>"), "{debug}");
    // An https URL builds (TLS is compiled in).
    Verifier::new(VerifierConfig::frontend_api("https://clerk.example.com")).unwrap();
}

#[cfg(feature = "actix")]
mod actix {
    use actix_web::{App, HttpResponse, HttpServer, web};
    use hallpass_verify::actix::HallpassSession;
    use serde_json::Value;

    use super::*;

    async fn me(session: HallpassSession) -> HttpResponse {
        HttpResponse::Ok().json(json!({
            "user_id": session.user_id(),
            "session_id": session.session_id(),
        }))
    }

    async fn maybe(session: Option<HallpassSession>) -> String {
        session.map_or_else(|| "anonymous".to_owned(), |s| s.sub.clone())
    }

    /// Serves `/me` and `/maybe` on 127.0.0.1:0; `verifier` None registers
    /// no Verifier. Returns the base URL.
    fn serve(verifier: Option<Verifier>) -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let data = verifier.map(web::Data::new);
        let server = HttpServer::new(move || {
            let mut app = App::new()
                .route("/me", web::get().to(me))
                .route("/maybe", web::get().to(maybe));
            if let Some(data) = &data {
                app = app.app_data(data.clone());
            }
            app
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        actix_web::rt::spawn(server);
        base
    }

    async fn assert_clerk_error(response: reqwest::Response, status: u16, code: &str) -> Value {
        assert_eq!(response.status().as_u16(), status);
        assert_eq!(
            response.headers()["content-type"].to_str().unwrap(),
            "application/json"
        );
        let body: Value = response.json().await.unwrap();
        let errors = body["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{body}");
        assert_eq!(errors[0]["code"], code, "{body}");
        assert!(errors[0]["message"].is_string(), "{body}");
        assert!(errors[0]["long_message"].is_string(), "{body}");
        assert_eq!(errors[0]["meta"], json!({}), "{body}");
        body
    }

    #[actix_web::test]
    async fn the_extractor_on_a_real_server() {
        let jwks_server = JwksServer::start(jwks(&[key_a()]));
        // The real clock: the tokens are minted for now.
        let verifier = Verifier::new(
            VerifierConfig::default()
                .jwks_url(jwks_server.jwks_url())
                .authorized_parties([AZP]),
        )
        .unwrap();
        let base = serve(Some(verifier));
        let http = reqwest::Client::new();
        #[allow(clippy::disallowed_methods)] // the server checks real time
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let good = sign(key_a(), &claims_at(now));

        // Bearer header.
        let response = http
            .get(format!("{base}/me"))
            .bearer_auth(&good)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            body,
            json!({"user_id": "user_2xyz", "session_id": "sess_2abc"})
        );

        // __session cookie, among others.
        let response = http
            .get(format!("{base}/me"))
            .header(
                "cookie",
                format!("theme=dark; __session={good}; __client_uat=1"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["user_id"], "user_2xyz");

        // The header wins over the cookie.
        let response = http
            .get(format!("{base}/me"))
            .bearer_auth("not-a-token")
            .header("cookie", format!("__session={good}"))
            .send()
            .await
            .unwrap();
        assert_clerk_error(response, 401, "authentication_invalid").await;

        // A bad token: 401 in Clerk's shape.
        let mut expired = claims_at(now - 3600);
        expired.insert("exp".into(), json!(now - 3000));
        let response = http
            .get(format!("{base}/me"))
            .bearer_auth(sign(key_a(), &expired))
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        let body = assert_clerk_error(response, 401, "authentication_invalid").await;
        assert!(
            body["errors"][0]["long_message"]
                .as_str()
                .unwrap()
                .contains("expired"),
            "{body}"
        );

        // Wrong azp, template token, no token at all.
        let mut foreign = claims_at(now);
        foreign.insert("azp".into(), json!("https://evil.example.com"));
        for token in [
            Some(sign(key_a(), &foreign)),
            Some(sign_cat(key_a(), Some(TEMPLATE_CAT), &claims_at(now))),
            None,
        ] {
            let mut request = http.get(format!("{base}/me"));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            assert_clerk_error(request.send().await.unwrap(), 401, "authentication_invalid").await;
        }

        // Option<HallpassSession> for optional sign-in.
        let anonymous = http.get(format!("{base}/maybe")).send().await.unwrap();
        assert_eq!(anonymous.text().await.unwrap(), "anonymous");
        let signed_in = http
            .get(format!("{base}/maybe"))
            .bearer_auth(&good)
            .send()
            .await
            .unwrap();
        assert_eq!(signed_in.text().await.unwrap(), "user_2xyz");

        assert_eq!(jwks_server.hits(), 1);
    }

    #[actix_web::test]
    async fn unreachable_keys_are_a_503_and_a_missing_verifier_a_500() {
        let jwks_server = JwksServer::start(jwks(&[key_a()]));
        jwks_server.set_status(500);
        let base = serve(Some(
            Verifier::new(VerifierConfig::default().jwks_url(jwks_server.jwks_url())).unwrap(),
        ));
        let http = reqwest::Client::new();
        let response = http
            .get(format!("{base}/me"))
            .bearer_auth(sign(key_a(), &claims()))
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["retry-after"], "1");
        assert_clerk_error(response, 503, "service_unavailable").await;

        let base = serve(None);
        let response = http
            .get(format!("{base}/me"))
            .bearer_auth(sign(key_a(), &claims()))
            .send()
            .await
            .unwrap();
        assert_clerk_error(response, 500, "internal_clerk_error").await;
    }
}
