//! Domain token values to and from JSON claim sets.

use hallpass_domain::client::RotatingToken;
use hallpass_domain::session::Actor;
use hallpass_domain::token::{
    ClaimsVersion, ClientTokenClaims, HandshakePayload, SESSION_TOKEN_NBF_LEEWAY_SECS,
    SessionTokenClaims,
};
use hallpass_domain::{
    ClientId, OrgClaims, OrgClaimsV1, OrgClaimsV2, SessionId, SessionStatus, UserId,
};
use serde_json::{Map, Value, json};

pub(crate) const SESSION_TOKEN_NBF_LEEWAY: i64 = SESSION_TOKEN_NBF_LEEWAY_SECS;

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

pub(crate) fn session_to_json(c: &SessionTokenClaims) -> Map<String, Value> {
    let mut map = object(json!({
        "exp": c.exp,
        "fva": [c.fva.0, c.fva.1],
        "iat": c.iat,
        "iss": c.iss,
        "nbf": c.nbf,
        "sid": c.sid.as_str(),
        "sts": c.sts.as_str(),
        "sub": c.sub.as_str(),
    }));
    if c.version == ClaimsVersion::V2 {
        map.insert("v".into(), json!(SessionTokenClaims::VERSION));
    }
    if let Some(azp) = &c.azp {
        map.insert("azp".into(), json!(azp));
    }
    if let Some(act) = &c.act {
        let mut a = object(json!({ "sub": act.sub() }));
        if let Some(iss) = act.iss() {
            a.insert("iss".into(), json!(iss));
        }
        if let Some(sid) = act.sid() {
            a.insert("sid".into(), json!(sid));
        }
        map.insert("act".into(), Value::Object(a));
    }
    if let Some(org) = &c.org {
        match c.version {
            ClaimsVersion::V2 => org_v2_to_json(&org.v2(), &mut map),
            ClaimsVersion::V1 => org_v1_to_json(&org.v1(), &mut map),
        }
    }
    map
}

/// `o: {id, slg, rol, per, fpm}` and the top-level `fea`, as
/// `@clerk/shared`'s `jwtPayloadParser` reads them; `per`, `fpm` and `fea`
/// only when the role has custom permissions.
fn org_v2_to_json(v2: &OrgClaimsV2, map: &mut Map<String, Value>) {
    let mut o = object(json!({ "id": v2.id, "slg": v2.slg, "rol": v2.rol }));
    if let Some(per) = &v2.per {
        o.insert("per".into(), json!(per));
    }
    if let Some(fpm) = &v2.fpm {
        o.insert("fpm".into(), json!(fpm));
    }
    map.insert("o".into(), Value::Object(o));
    if let Some(fea) = &v2.fea {
        map.insert("fea".into(), json!(fea));
    }
}

/// `org_id`, `org_slug`, `org_role`, `org_permissions` (always a list).
fn org_v1_to_json(v1: &OrgClaimsV1, map: &mut Map<String, Value>) {
    map.insert("org_id".into(), json!(v1.org_id));
    map.insert("org_slug".into(), json!(v1.org_slug));
    map.insert("org_role".into(), json!(v1.org_role));
    map.insert("org_permissions".into(), json!(v1.org_permissions));
}

/// The organization claims read back. Tokens signed before Hallpass wrote
/// the membership's claims (`o: {id}` alone) read back with none: no
/// Hallpass path trusts a token's organization, it reads the store.
fn org_from_json(version: ClaimsVersion, m: &Map<String, Value>) -> Option<OrgClaims> {
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
    match version {
        ClaimsVersion::V2 => {
            let o = m.get("o")?;
            OrgClaims::from_v2(&OrgClaimsV2 {
                id: text(o.get("id"))?,
                slg: text(o.get("slg"))?,
                rol: text(o.get("rol"))?,
                per: text(o.get("per")),
                fpm: text(o.get("fpm")),
                fea: text(m.get("fea")),
            })
        }
        ClaimsVersion::V1 => OrgClaims::from_v1(&OrgClaimsV1 {
            org_id: text(m.get("org_id"))?,
            org_slug: text(m.get("org_slug"))?,
            org_role: text(m.get("org_role"))?,
            org_permissions: m
                .get("org_permissions")?
                .as_array()?
                .iter()
                .map(|p| p.as_str().map(str::to_owned))
                .collect::<Option<_>>()?,
        }),
    }
}

pub(crate) fn session_from_json(m: &Map<String, Value>) -> Option<SessionTokenClaims> {
    let int = |k: &str| m.get(k).and_then(Value::as_i64);
    let text = |k: &str| m.get(k).and_then(Value::as_str);
    let fva = m.get("fva").and_then(Value::as_array)?;
    let act = match m.get("act") {
        None => None,
        Some(a) => {
            let s = |k: &str| a.get(k).and_then(Value::as_str).map(str::to_owned);
            Some(Actor::new(s("sub")?, s("iss"), s("sid")).ok()?)
        }
    };
    let version = match int("v") {
        None => ClaimsVersion::V1,
        Some(v) if v == i64::from(SessionTokenClaims::VERSION) => ClaimsVersion::V2,
        Some(_) => return None,
    };
    let org = org_from_json(version, m);
    Some(SessionTokenClaims {
        azp: text("azp").map(str::to_owned),
        exp: int("exp")?,
        iat: int("iat")?,
        nbf: int("nbf")?,
        iss: text("iss")?.to_owned(),
        sid: SessionId::parse(text("sid")?).ok()?,
        sub: UserId::parse(text("sub")?).ok()?,
        sts: text("sts")?
            .parse::<SessionStatus>()
            .ok()
            .filter(|s| s.is_live())?,
        fva: (fva.first()?.as_i64()?, fva.get(1)?.as_i64()?),
        act,
        org,
        version,
    })
}

pub(crate) fn client_to_json(c: &ClientTokenClaims) -> Map<String, Value> {
    object(json!({
        "id": c.id.as_str(),
        "rotating_token": c.rotating_token.expose(),
        "iat": c.iat,
    }))
}

pub(crate) fn client_from_json(m: &Map<String, Value>) -> Option<ClientTokenClaims> {
    Some(ClientTokenClaims {
        id: ClientId::parse(m.get("id")?.as_str()?).ok()?,
        rotating_token: RotatingToken::parse(m.get("rotating_token")?.as_str()?)?,
        iat: m.get("iat")?.as_i64()?,
    })
}

pub(crate) fn handshake_to_json(p: &HandshakePayload) -> Map<String, Value> {
    object(json!({
        "handshake": p.directives,
        "iat": p.iat,
        "exp": p.exp,
    }))
}
