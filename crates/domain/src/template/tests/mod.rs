use super::*;
use crate::json::JsonNumber;

const T0: UnixMillis = UnixMillis::new(1_700_000_000_123);
const PEM: &str =
    "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n";

fn obj<const N: usize>(entries: [(&str, Json); N]) -> Json {
    Json::Object(object(entries))
}

fn object<const N: usize>(entries: [(&str, Json); N]) -> JsonObject {
    entries.into_iter().collect()
}

fn arr<const N: usize>(items: [Json; N]) -> Json {
    Json::Array(items.into())
}

fn s(value: &str) -> Json {
    Json::str(value)
}

fn float(value: f64) -> Json {
    Json::float(value).unwrap()
}

fn context() -> Json {
    obj([
        (
            "user",
            obj([
                ("id", s("user_1")),
                ("first_name", s("John")),
                ("last_name", Json::Null),
                ("age", Json::int(42)),
                ("score", float(1.5)),
                ("verified", Json::Bool(true)),
                ("banned", Json::Bool(false)),
                (
                    "public_metadata",
                    obj([
                        (
                            "profile",
                            obj([("interests", arr([s("hiking"), s("chess")]))]),
                        ),
                        ("quote", s("say \"hi\"\n")),
                    ]),
                ),
            ]),
        ),
        ("session", obj([("id", s("sess_1"))])),
        ("org", Json::Null),
    ])
}

fn new_template() -> NewJwtTemplate {
    NewJwtTemplate {
        name: "supabase".into(),
        claims: object([
            ("aud", s("authenticated")),
            ("role", s("authenticated")),
            ("email", s("{{user.primary_email_address}}")),
        ]),
        lifetime_secs: None,
        allowed_clock_skew_secs: None,
        signing: TemplateSigning::InstanceKey,
    }
}

fn id() -> JwtTemplateId {
    JwtTemplateId::from_random(9)
}

fn input(now: UnixMillis) -> TemplateTokenInput<'static> {
    TemplateTokenInput {
        iss: "https://clerk.example.com",
        sub: "user_1",
        azp: Some("https://app.example.com"),
        jti: "abc123",
        now,
        expires_in_secs: None,
    }
}

mod context;
mod records;
mod rendering;
