//! The token hot path, piece by piece: building the claims (domain),
//! signing them (RS256 over JSON), and verifying a token.
//!
//! `scripts/bench.sh` runs these beside `openssl speed rsa2048` (the raw
//! single-core RS256 sign rate) and reports the ratios.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use hallpass_adapter_jwt::{JoseKeys, KeyRing};
use hallpass_domain::session::NewSession;
use hallpass_domain::token::SessionTokenClaims;
use hallpass_domain::{
    ClientId, FrontendApi, InstanceSettings, OrgClaims, OrganizationId, Permission, Role, Session,
    SessionId, Slug, UnixMillis, UserId,
};
use hallpass_ports::{KeyRingFactory as _, SigningKeyRecord, TokenSigner as _, TokenVerifier as _};
use secrecy::ExposeSecret as _;

const T0: UnixMillis = UnixMillis::new(1_700_000_000_000);

fn ring() -> KeyRing {
    let key = JoseKeys::plain().generate("ins_bench").unwrap();
    let record = SigningKeyRecord {
        kid: "ins_bench".to_owned(),
        algorithm: key.algorithm,
        private_key: key.private_key.expose_secret().to_owned(),
        sealing: key.sealing,
        public_jwk: key.public_jwk,
        created_at: T0,
        activates_at: T0,
        retires_at: None,
    };
    KeyRing::new(&[record], T0).unwrap()
}

fn session() -> Session {
    Session::start(
        NewSession {
            id: SessionId::from_random(1),
            client_id: ClientId::from_random(2),
            user_id: UserId::parse("user_2cgmfxtaRzlfJXa4gmWRP20qo7D").unwrap(),
            actor: None,
            active_organization_id: Some(OrganizationId::parse("org_2xyz").unwrap()),
            tasks: vec![],
        },
        &InstanceSettings::default(),
        T0,
    )
}

/// An active organization with a custom role (`o` with `per` and `fpm`,
/// and `fea`): the largest claim set a session token carries.
fn organization() -> OrgClaims {
    OrgClaims {
        id: OrganizationId::parse("org_2xyz").unwrap(),
        slug: Slug::parse("acme-inc").unwrap(),
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

fn benches(c: &mut Criterion) {
    let ring = ring();
    let session = session();
    let org = organization();
    let fapi = FrontendApi::parse("https://clerk.example.com").unwrap();
    let origin = Some("https://app.example.com");
    let lifetime = Duration::from_secs(60);
    let claims =
        SessionTokenClaims::build(&session, Some(org.clone()), &fapi, lifetime, origin, T0)
            .unwrap();
    let token = ring.sign_session_token(&claims).unwrap();

    c.bench_function("claims_build", |b| {
        b.iter(|| {
            SessionTokenClaims::build(
                black_box(&session),
                Some(org.clone()),
                &fapi,
                lifetime,
                origin,
                T0,
            )
            .unwrap()
        })
    });
    c.bench_function("session_token_sign", |b| {
        b.iter(|| ring.sign_session_token(black_box(&claims)).unwrap())
    });
    c.bench_function("session_token_verify", |b| {
        b.iter(|| ring.verify_session_token(black_box(&token), T0).unwrap())
    });
}

criterion_group! {
    name = tokens;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = benches
}
criterion_main!(tokens);
