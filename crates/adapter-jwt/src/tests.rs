use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hallpass_domain::session::NewSession;
use hallpass_domain::token::ClaimsVersion;
use hallpass_domain::{
    Client, ClientId, FrontendApi, InstanceSettings, OrgClaims, OrganizationId, Permission, Role,
    RotatingToken, Session, SessionId, Slug, UserId,
};
use josekit::jws::HS256;
use secrecy::ExposeSecret as _;

use super::*;

const T0: UnixMillis = UnixMillis::new(1_700_000_000_000);

fn record(kid: &str, created: UnixMillis) -> SigningKeyRecord {
    let key = JoseKeys::plain().generate(kid).unwrap();
    SigningKeyRecord {
        kid: kid.to_owned(),
        algorithm: key.algorithm,
        private_key: key.private_key.expose_secret().to_owned(),
        sealing: key.sealing,
        public_jwk: key.public_jwk,
        created_at: created,
        activates_at: created,
        retires_at: None,
    }
}

/// The claims of an `org:analyst` of `org_1` (`acme`) whose role has
/// `org:dashboard:read`, `org:dashboard:manage` and `org:teams:read`
/// (Clerk's documented example).
fn analyst() -> OrgClaims {
    OrgClaims {
        id: OrganizationId::parse("org_1").unwrap(),
        slug: Slug::parse("acme").unwrap(),
        role: Role::parse("org:analyst").unwrap(),
        permissions: [
            "org:dashboard:manage",
            "org:dashboard:read",
            "org:teams:read",
        ]
        .iter()
        .map(|p| Permission::parse(p).unwrap())
        .collect(),
    }
}

fn claims(now: UnixMillis) -> SessionTokenClaims {
    claims_with(now, Some(analyst()))
}

fn claims_with(now: UnixMillis, org: Option<OrgClaims>) -> SessionTokenClaims {
    let session = Session::start(
        NewSession {
            id: SessionId::from_random(1),
            client_id: ClientId::from_random(2),
            user_id: UserId::parse("user_2u").unwrap(),
            actor: None,
            active_organization_id: Some(OrganizationId::parse("org_1").unwrap()),
            tasks: vec![],
        },
        &InstanceSettings::default(),
        now,
    );
    SessionTokenClaims::build(
        &session,
        org,
        &FrontendApi::parse("https://clerk.example.com").unwrap(),
        std::time::Duration::from_secs(60),
        Some("https://app.example.com"),
        now,
    )
    .unwrap()
}

fn parts(token: &str) -> (Value, Value) {
    let mut it = token.split('.');
    let h = B64.decode(it.next().unwrap()).unwrap();
    let p = B64.decode(it.next().unwrap()).unwrap();
    (
        serde_json::from_slice(&h).unwrap(),
        serde_json::from_slice(&p).unwrap(),
    )
}

#[test]
fn generated_keys_are_rsa_2048_with_e_65537_and_a_full_jwk() {
    let key = JoseKeys::plain().generate("ins_abc").unwrap();
    let jwk: Value = serde_json::from_str(&key.public_jwk).unwrap();
    assert_eq!(jwk["kty"], "RSA");
    assert_eq!(jwk["kid"], "ins_abc");
    assert_eq!(jwk["alg"], "RS256");
    assert_eq!(jwk["use"], "sig");
    assert_eq!(jwk["e"], "AQAB");
    let n = B64.decode(jwk["n"].as_str().unwrap()).unwrap();
    assert_eq!(n.len(), 256, "2048-bit modulus");
    assert!(jwk.get("d").is_none(), "no private part in the public JWK");
}

#[test]
fn a_stored_key_prints_no_private_key() {
    let key = record("ins_debug", T0);
    let pem_line = key.private_key.lines().nth(1).unwrap();
    let debug = format!("{key:?}");
    assert!(debug.contains("ins_debug"), "{debug}");
    assert!(!debug.contains("PRIVATE KEY"), "{debug}");
    assert!(!debug.contains(pem_line), "{debug}");
}

#[test]
fn session_tokens_round_trip_with_clerks_header_and_claims() {
    let ring = KeyRing::new(&[record("ins_k1", T0)], T0).unwrap();
    let c = claims(T0);
    let token = ring.sign_session_token(&c).unwrap();
    let (header, payload) = parts(&token);
    assert_eq!(
        header,
        serde_json::json!({"alg":"RS256","typ":"JWT","kid":"ins_k1","cat":"cl_B7d4PD111AAA"})
    );
    assert_eq!(payload["v"], 2);
    assert_eq!(payload["sts"], "active");
    assert_eq!(
        payload["o"],
        serde_json::json!({
            "id": "org_1", "slg": "acme", "rol": "analyst", "per": "manage,read", "fpm": "3,2"
        })
    );
    assert_eq!(payload["fea"], "o:dashboard,o:teams");
    assert_eq!(payload["fva"], serde_json::json!([0, -1]));
    assert!(payload.get("aud").is_none());
    assert!(payload.get("org_id").is_none());
    assert_eq!(ring.verify_session_token(&token, T0).unwrap(), c);
}

#[test]
fn v1_tokens_carry_the_organization_in_org_claims_and_read_back() {
    let ring = KeyRing::new(&[record("ins_k1", T0)], T0).unwrap();
    let c = claims(T0).with_version(ClaimsVersion::V1);
    let token = ring.sign_session_token(&c).unwrap();
    let (_, payload) = parts(&token);
    assert_eq!(payload["org_id"], "org_1");
    assert_eq!(payload["org_slug"], "acme");
    assert_eq!(payload["org_role"], "org:analyst");
    assert_eq!(
        payload["org_permissions"],
        serde_json::json!([
            "org:dashboard:manage",
            "org:dashboard:read",
            "org:teams:read"
        ])
    );
    for v2_only in ["v", "o", "fea"] {
        assert!(payload.get(v2_only).is_none(), "{v2_only}: {payload}");
    }
    assert_eq!(ring.verify_session_token(&token, T0).unwrap(), c);
}

#[test]
fn a_role_without_custom_permissions_carries_the_role_alone() {
    let ring = KeyRing::new(&[record("ins_k1", T0)], T0).unwrap();
    let admin = OrgClaims {
        role: Role::admin(),
        permissions: vec![],
        ..analyst()
    };
    let c = claims_with(T0, Some(admin.clone()));
    let token = ring.sign_session_token(&c).unwrap();
    let (_, payload) = parts(&token);
    assert_eq!(
        payload["o"],
        serde_json::json!({"id": "org_1", "slg": "acme", "rol": "admin"})
    );
    assert!(payload.get("fea").is_none(), "{payload}");
    assert_eq!(ring.verify_session_token(&token, T0).unwrap(), c);
    let v1 = c.with_version(ClaimsVersion::V1);
    let token = ring.sign_session_token(&v1).unwrap();
    let (_, payload) = parts(&token);
    assert_eq!(payload["org_role"], "org:admin");
    assert_eq!(payload["org_permissions"], serde_json::json!([]));
    assert_eq!(ring.verify_session_token(&token, T0).unwrap(), v1);
}

#[test]
fn without_an_organization_no_organization_claim_is_written() {
    let ring = KeyRing::new(&[record("ins_k1", T0)], T0).unwrap();
    for version in [ClaimsVersion::V2, ClaimsVersion::V1] {
        let c = claims_with(T0, None).with_version(version);
        let token = ring.sign_session_token(&c).unwrap();
        let (_, payload) = parts(&token);
        for claim in [
            "o",
            "fea",
            "org_id",
            "org_slug",
            "org_role",
            "org_permissions",
        ] {
            assert!(payload.get(claim).is_none(), "{claim}: {payload}");
        }
        assert_eq!(ring.verify_session_token(&token, T0).unwrap(), c);
    }
}

#[test]
fn organization_claims_of_another_shape_read_back_as_none() {
    // Tokens signed before the membership's claims were written (`o: {id}`
    // alone, `org_id` alone) and claims Hallpass never writes still verify:
    // their organization reads back as none.
    let ring = KeyRing::new(&[record("ins_k1", T0)], T0).unwrap();
    type Change = Box<dyn Fn(&mut Map<String, Value>)>;
    let mut changes: Vec<(ClaimsVersion, Change)> = vec![
        (
            ClaimsVersion::V2,
            Box::new(|m| {
                m.insert("o".into(), serde_json::json!({"id": "org_1"}));
            }),
        ),
        (
            ClaimsVersion::V2,
            Box::new(|m| {
                m.insert("fea".into(), serde_json::json!("o:dashboard"));
                m["o"]["fpm"] = serde_json::json!("x");
            }),
        ),
        (
            ClaimsVersion::V1,
            Box::new(|m| {
                m.remove("org_slug");
            }),
        ),
        (
            ClaimsVersion::V1,
            Box::new(|m| {
                m.insert("org_permissions".into(), serde_json::json!("org:a:b"));
            }),
        ),
    ];
    for (version, change) in changes.drain(..) {
        let c = claims(T0).with_version(version);
        let mut json = session_json(&c);
        change(&mut json);
        let token = ring.sign(Some(TokenCategory::Session), json).unwrap();
        let read = ring.verify_session_token(&token, T0).unwrap();
        assert_eq!(read.org, None, "{version:?}");
        assert_eq!(read.sid, c.sid);
    }
}

/// A ring with one key, a client token it signed, and the token's claims.
fn ring_and_client_token() -> (KeyRing, String, ClientTokenClaims) {
    let ring = KeyRing::new(&[record("ins_k1", T0)], T0).unwrap();
    let client = Client::new(ClientId::from_random(3), RotatingToken::from_random(4), T0);
    let c = ClientTokenClaims::for_client(&client, T0);
    let token = ring.sign_client_token(&c).unwrap();
    (ring, token, c)
}

#[test]
fn client_tokens_round_trip_and_are_not_session_tokens() {
    let (ring, token, c) = ring_and_client_token();
    assert_eq!(ring.verify_client_token(&token).unwrap(), c);
    assert_eq!(
        ring.verify_session_token(&token, T0).unwrap_err(),
        VerifyError::Header
    );
    let session_token = ring.sign_session_token(&claims(T0)).unwrap();
    assert_eq!(
        ring.verify_client_token(&session_token).unwrap_err(),
        VerifyError::Header
    );
}

#[test]
fn verified_client_tokens_are_remembered_per_ring_valid_ones_only_and_bounded() {
    let (ring, token, c) = ring_and_client_token();
    assert_eq!(ring.verify_client_token(&token).unwrap(), c);
    assert_eq!(ring.verified_client_tokens.len(), 1);
    // Answered from memory, with the same claims.
    assert_eq!(ring.verify_client_token(&token).unwrap(), c);

    // A token that differs in one byte of its signature is verified, and
    // refused, and not remembered.
    let mut forged = token.clone().into_bytes();
    let last = forged.len() - 2;
    forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).unwrap();
    assert!(ring.verify_client_token(&forged).is_err());
    assert_eq!(ring.verified_client_tokens.len(), 1);

    // Another ring (another key set: a different instance, or a reload
    // without this key) remembers nothing of this one.
    let other = KeyRing::new(&[record("ins_k1", T0)], T0).unwrap();
    assert_eq!(
        other.verify_client_token(&token).unwrap_err(),
        VerifyError::Signature
    );

    // Bounded: full, it starts over.
    for n in 0..u128::try_from(VERIFIED_CLIENT_TOKENS).unwrap() {
        ring.verified_client_tokens.insert(&format!("t{n}"), &c);
    }
    assert!(ring.verified_client_tokens.len() <= VERIFIED_CLIENT_TOKENS);
    assert_eq!(ring.verify_client_token(&token).unwrap(), c);
}

#[test]
fn forged_and_stale_tokens_are_refused() {
    let k1 = record("ins_k1", T0);
    let ring = KeyRing::new(std::slice::from_ref(&k1), T0).unwrap();
    let token = ring.sign_session_token(&claims(T0)).unwrap();
    let [h, p, s]: [&str; 3] = token.split('.').collect::<Vec<_>>().try_into().unwrap();

    // Tampered payload.
    let mut payload: Value = serde_json::from_slice(&B64.decode(p).unwrap()).unwrap();
    payload["sub"] = "user_evil".into();
    let tampered = format!("{h}.{}.{s}", B64.encode(payload.to_string()));
    assert_eq!(
        ring.verify_session_token(&tampered, T0).unwrap_err(),
        VerifyError::Signature
    );

    // alg: none.
    let none_header =
        B64.encode(r#"{"alg":"none","typ":"JWT","kid":"ins_k1","cat":"cl_B7d4PD111AAA"}"#);
    assert_eq!(
        ring.verify_session_token(&format!("{none_header}.{p}."), T0)
            .unwrap_err(),
        VerifyError::Header
    );

    // HS256 signed with the RSA public key as the HMAC secret.
    let mut header = JwsHeader::new();
    header.set_token_type("JWT");
    header.set_key_id("ins_k1");
    header
        .set_claim("cat", Some("cl_B7d4PD111AAA".into()))
        .unwrap();
    let hmac = HS256.signer_from_bytes(k1.public_jwk.as_bytes()).unwrap();
    let payload = JwtPayload::from_map(session_json(&claims(T0))).unwrap();
    let confused = jwt::encode_with_signer(&payload, &header, &hmac).unwrap();
    assert_eq!(
        ring.verify_session_token(&confused, T0).unwrap_err(),
        VerifyError::Header
    );

    // Signed by a key the instance never published.
    let foreign = KeyRing::new(&[record("ins_k1", T0)], T0).unwrap();
    let foreign_token = foreign.sign_session_token(&claims(T0)).unwrap();
    assert_eq!(
        ring.verify_session_token(&foreign_token, T0).unwrap_err(),
        VerifyError::Signature
    );
    let other_kid = KeyRing::new(&[record("ins_other", T0)], T0).unwrap();
    let other_token = other_kid.sign_session_token(&claims(T0)).unwrap();
    assert_eq!(
        ring.verify_session_token(&other_token, T0).unwrap_err(),
        VerifyError::UnknownKey
    );

    // Expired, and not yet valid.
    let later = T0.saturating_add(std::time::Duration::from_secs(61));
    assert_eq!(
        ring.verify_session_token(&token, later).unwrap_err(),
        VerifyError::Expired
    );
    let future = ring.sign_session_token(&claims(later)).unwrap();
    assert_eq!(
        ring.verify_session_token(&future, T0).unwrap_err(),
        VerifyError::Claims
    );

    // Garbage.
    for junk in ["", "a.b", "a.b.c", "....", &"x".repeat(20_000)] {
        assert!(ring.verify_session_token(junk, T0).is_err(), "{junk:.20}");
        assert!(ring.verify_client_token(junk).is_err());
    }
}

fn session_json(c: &SessionTokenClaims) -> Map<String, Value> {
    claims::session_to_json(c)
}

#[test]
fn the_newest_active_key_signs_and_every_published_key_verifies() {
    let old = record("ins_old", T0);
    let mut next = record(
        "ins_next",
        T0.saturating_add(std::time::Duration::from_secs(10)),
    );
    next.activates_at = T0.saturating_add(std::time::Duration::from_secs(300));

    // Before the next key activates: published, but the old key signs.
    let now = T0.saturating_add(std::time::Duration::from_secs(60));
    let ring = KeyRing::new(&[old.clone(), next.clone()], now).unwrap();
    assert_eq!(ring.active_kid(), "ins_old");
    assert_eq!(ring.public_jwks().len(), 2);
    let old_token = ring.sign_session_token(&claims(now)).unwrap();

    // After: the next key signs, and the old token still verifies.
    let now = T0.saturating_add(std::time::Duration::from_secs(301));
    let ring = KeyRing::new(&[old.clone(), next.clone()], now).unwrap();
    assert_eq!(ring.active_kid(), "ins_next");
    assert!(ring.verify_raw(&old_token).is_ok());

    // Once the old key retires it is neither published nor accepted for
    // session tokens; client tokens it signed still verify.
    let client = Client::new(ClientId::from_random(3), RotatingToken::from_random(4), T0);
    let old_ring = KeyRing::new(std::slice::from_ref(&old), T0).unwrap();
    let old_client_token = old_ring
        .sign_client_token(&ClientTokenClaims::for_client(&client, T0))
        .unwrap();
    let mut retired = old;
    retired.retires_at = Some(now);
    let ring = KeyRing::new(&[retired, next], now).unwrap();
    assert_eq!(ring.public_jwks().len(), 1);
    assert_eq!(
        ring.verify_raw(&old_token).unwrap_err(),
        VerifyError::UnknownKey
    );
    assert!(ring.verify_client_token(&old_client_token).is_ok());
    let jwks: Value = serde_json::from_str(ring.jwks_json()).unwrap();
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 1);
    assert_eq!(jwks["keys"][0]["kid"], "ins_next");
}

#[test]
fn sealed_keys_need_the_same_encryption_key() {
    let sealed = JoseKeys::sealed(Sealer::new([1; 32]));
    let key = sealed.generate("ins_s").unwrap();
    assert!(key.sealing.starts_with("jwe-dir-a256gcm:"));
    assert!(!key.private_key.expose_secret().contains("PRIVATE KEY"));
    let stored = SigningKeyRecord {
        kid: "ins_s".to_owned(),
        algorithm: key.algorithm,
        private_key: key.private_key.expose_secret().to_owned(),
        sealing: key.sealing,
        public_jwk: key.public_jwk,
        created_at: T0,
        activates_at: T0,
        retires_at: None,
    };
    let ring = sealed.ring(std::slice::from_ref(&stored), T0).unwrap();
    let token = ring.sign_session_token(&claims(T0)).unwrap();
    assert!(ring.verify_session_token(&token, T0).is_ok());
    for other in [JoseKeys::plain(), JoseKeys::sealed(Sealer::new([2; 32]))] {
        assert!(matches!(
            other.ring(std::slice::from_ref(&stored), T0),
            Err(KeyError::Sealed { .. })
        ));
    }
    // A sealing factory still reads plain keys stored before sealing was on.
    assert!(sealed.ring(&[record("ins_plain", T0)], T0).is_ok());
}

#[test]
fn a_ring_without_an_active_key_is_an_error() {
    let mut future = record("ins_f", T0);
    future.activates_at = T0.saturating_add(std::time::Duration::from_secs(60));
    assert!(matches!(
        KeyRing::new(&[future], T0),
        Err(KeyError::NoActiveKey)
    ));
    assert!(matches!(KeyRing::new(&[], T0), Err(KeyError::NoActiveKey)));
}

#[test]
fn handshake_payload_is_signed_as_a_session_category_token() {
    let ring = KeyRing::new(&[record("ins_k1", T0)], T0).unwrap();
    let token = ring
        .sign_handshake(&HandshakePayload {
            directives: vec!["__session=abc; Path=/".into()],
            iat: 1,
            exp: 2,
        })
        .unwrap();
    let (header, payload) = parts(&token);
    assert_eq!(header["cat"], "cl_B7d4PD111AAA");
    assert_eq!(payload["handshake"][0], "__session=abc; Path=/");
}

fn template_claims() -> hallpass_domain::JsonObject {
    [
        ("sub", hallpass_domain::Json::str("user_1")),
        ("aud", hallpass_domain::Json::str("https://api.example.com")),
    ]
    .into_iter()
    .collect()
}

#[test]
fn template_tokens_with_the_instance_key_are_not_session_tokens() {
    let ring = KeyRing::new(&[record("ins_k1", T0)], T0).unwrap();
    let token = ring.sign_template_token(&template_claims()).unwrap();
    let (header, payload) = parts(&token);
    assert_eq!(header["cat"], "cl_B7d4PD222AAA");
    assert_eq!(header["kid"], "ins_k1");
    assert_eq!(payload["aud"], "https://api.example.com");
    assert_eq!(
        ring.verify_session_token(&token, T0).unwrap_err(),
        VerifyError::Header
    );
}

#[test]
fn template_tokens_sign_with_every_custom_algorithm() {
    use hallpass_domain::SigningAlgorithm as A;
    use josekit::jwk::alg::ed::EdCurve;
    use josekit::jws::{ES256, ES384, EdDSA, HS256, HS384, HS512, JwsVerifier, RS384, RS512};

    let rsa = RS256.generate_key_pair(2048).unwrap();
    let rsa_pem = String::from_utf8(rsa.to_pem_private_key()).unwrap();
    let rsa_pub = rsa.to_pem_public_key();
    let es256 = ES256.generate_key_pair().unwrap();
    let es384 = ES384.generate_key_pair().unwrap();
    let ed = EdDSA.generate_key_pair(EdCurve::Ed25519).unwrap();
    let secret = "s".repeat(64);

    let cases: Vec<(A, String, Box<dyn JwsVerifier>)> = vec![
        (
            A::RS256,
            rsa_pem.clone(),
            Box::new(RS256.verifier_from_pem(&rsa_pub).unwrap()),
        ),
        (
            A::RS384,
            rsa_pem.clone(),
            Box::new(RS384.verifier_from_pem(&rsa_pub).unwrap()),
        ),
        (
            A::RS512,
            rsa_pem.clone(),
            Box::new(RS512.verifier_from_pem(&rsa_pub).unwrap()),
        ),
        (
            A::ES256,
            String::from_utf8(es256.to_pem_private_key()).unwrap(),
            Box::new(ES256.verifier_from_pem(es256.to_pem_public_key()).unwrap()),
        ),
        (
            A::ES384,
            String::from_utf8(es384.to_pem_private_key()).unwrap(),
            Box::new(ES384.verifier_from_pem(es384.to_pem_public_key()).unwrap()),
        ),
        (
            A::EdDSA,
            String::from_utf8(ed.to_pem_private_key()).unwrap(),
            Box::new(EdDSA.verifier_from_pem(ed.to_pem_public_key()).unwrap()),
        ),
        (
            A::HS256,
            secret.clone(),
            Box::new(HS256.verifier_from_bytes(&secret).unwrap()),
        ),
        (
            A::HS384,
            secret.clone(),
            Box::new(HS384.verifier_from_bytes(&secret).unwrap()),
        ),
        (
            A::HS512,
            secret.clone(),
            Box::new(HS512.verifier_from_bytes(&secret).unwrap()),
        ),
    ];
    for sealed_factory in [JoseKeys::plain(), JoseKeys::sealed(Sealer::new([3; 32]))] {
        for (algorithm, key, verifier) in &cases {
            sealed_factory.check_custom_key(*algorithm, key).unwrap();
            let stored = sealed_factory.seal_custom_key(*algorithm, key).unwrap();
            let token = sealed_factory
                .sign_with_custom_key(&template_claims(), &stored)
                .unwrap();
            let (payload, header) = jwt::decode_with_verifier(&token, verifier.as_ref())
                .unwrap_or_else(|e| panic!("{algorithm}: {e}"));
            assert_eq!(header.algorithm(), Some(algorithm.as_str()));
            assert_eq!(header.claim("cat").unwrap(), "cl_B7d4PD222AAA");
            assert_eq!(payload.claim("aud").unwrap(), "https://api.example.com");
        }
    }
}

#[test]
fn unusable_custom_keys_are_refused_without_echoing_them() {
    use hallpass_domain::SigningAlgorithm as A;
    let rsa = RS256.generate_key_pair(2048).unwrap();
    let public = String::from_utf8(rsa.to_pem_public_key()).unwrap();
    let private = String::from_utf8(rsa.to_pem_private_key()).unwrap();
    for (algorithm, key) in [
        (A::RS256, public.as_str()),
        (A::RS256, "not a key"),
        (A::ES256, private.as_str()),
        (A::EdDSA, private.as_str()),
    ] {
        let err = JoseKeys::plain()
            .check_custom_key(algorithm, key)
            .unwrap_err();
        assert!(!err.contains("BEGIN"), "{err}");
    }
}
