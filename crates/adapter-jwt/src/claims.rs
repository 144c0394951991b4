//! Domain token values to and from JSON claim sets.

use hallpass_domain::client::RotatingToken;
use hallpass_domain::session::Actor;
use hallpass_domain::token::{
    ClaimsVersion, ClientTokenClaims, HandshakePayload, SESSION_TOKEN_NBF_LEEWAY_SECS,
    SessionTokenClaims,
};
use hallpass_domain::{ClientId, OrganizationId, SessionId, SessionStatus, UserId};
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
            ClaimsVersion::V2 => map.insert("o".into(), json!({ "id": org.as_str() })),
            ClaimsVersion::V1 => map.insert("org_id".into(), json!(org.as_str())),
        };
    }
    map
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
    let org = match (version, m.get("o"), m.get("org_id")) {
        (ClaimsVersion::V2, Some(o), _) => {
            Some(OrganizationId::parse(o.get("id")?.as_str()?).ok()?)
        }
        (ClaimsVersion::V1, _, Some(id)) => Some(OrganizationId::parse(id.as_str()?).ok()?),
        _ => None,
    };
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
