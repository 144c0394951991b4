//! The JWT-template shortcode engine (`hallpass-domain`): validating a
//! template's claims, rendering them in a context, and the full claim set
//! of a template token.
//!
//! Input: the claims (a JSON object; anything else is used as the text of
//! one string claim), a newline, the context (JSON; a realistic one when
//! absent or invalid).
#![no_main]

use hallpass_domain::template::{
    JwtTemplate, NewJwtTemplate, RESERVED_CLAIMS, TemplateSigning, TemplateTokenInput,
    render_claims, template_token_claims, validate_claims,
};
use hallpass_domain::{Json, JsonObject, JwtTemplateId};
use hallpass_fuzz::{fields, now};
use libfuzzer_sys::fuzz_target;

fn default_context() -> Json {
    hallpass_json_bridge::from_value(serde_json::json!({
        "user": {
            "id": "user_2u", "first_name": "Ada", "last_name": null, "age": 36,
            "verified": true, "banned": false, "score": 1.5,
            "public_metadata": {"plan": "pro", "tags": ["a", "b"], "quote": "say \"hi\"\n"}
        },
        "session": {"id": "sess_1", "actor": null},
        "org": {"id": "org_1", "role": "admin", "slug": "acme"}
    }))
}

/// Everything but shortcode strings is copied; containers keep their shape.
fn assert_shape(input: &Json, output: &Json) {
    match input {
        Json::String(s) if s.contains("{{") => {}
        Json::Array(items) => {
            let out = output.as_array().expect("an array stays an array");
            assert_eq!(items.len(), out.len());
            for (i, o) in items.iter().zip(out) {
                assert_shape(i, o);
            }
        }
        Json::Object(object) => {
            let out = output.as_object().expect("an object stays an object");
            assert_object_shape(object, out);
        }
        other => assert_eq!(other, output),
    }
}

fn assert_object_shape(input: &JsonObject, output: &JsonObject) {
    assert_eq!(
        input.keys().collect::<Vec<_>>(),
        output.keys().collect::<Vec<_>>()
    );
    for ((_, i), (_, o)) in input.iter().zip(output.iter()) {
        assert_shape(i, o);
    }
}

fuzz_target!(|data: &[u8]| {
    let f = fields(data, 2);
    let first = String::from_utf8_lossy(f[0]);
    let claims = hallpass_json_bridge::parse_object(&first)
        .unwrap_or_else(|_| [("c", Json::str(first.as_ref()))].into_iter().collect());
    let context = f
        .get(1)
        .and_then(|c| serde_json::from_slice::<serde_json::Value>(c).ok())
        .map(hallpass_json_bridge::from_value)
        .unwrap_or_else(default_context);

    // Rendering is total and deterministic, whatever the claims hold.
    let rendered = render_claims(&claims, &context);
    assert_eq!(rendered, render_claims(&claims, &context));
    assert_object_shape(&claims, &rendered);
    // And what it renders can be written as JSON.
    serde_json::to_string(&hallpass_json_bridge::object_to_map(&rendered)).expect("rendered JSON");

    if validate_claims(&claims).is_err() {
        return;
    }
    let new = NewJwtTemplate {
        name: "fuzz".to_owned(),
        claims: claims.clone(),
        lifetime_secs: None,
        allowed_clock_skew_secs: None,
        signing: TemplateSigning::InstanceKey,
    };
    let template = JwtTemplate::create(JwtTemplateId::from_random(1), new, now())
        .expect("claims that validate make a template");
    let input = TemplateTokenInput {
        iss: "https://clerk.example.com",
        sub: "user_2u",
        azp: Some("https://app.example.com"),
        jti: "jti_1",
        now: now(),
        expires_in_secs: None,
    };
    let token = template_token_claims(&template, &context, &input);
    let iat = now().as_secs();
    assert_eq!(token.get("iat"), Some(&Json::int(iat)));
    assert_eq!(
        token.get("exp"),
        Some(&Json::int(iat.saturating_add(template.lifetime())))
    );
    assert_eq!(
        token.get("nbf"),
        Some(&Json::int(
            iat.saturating_sub(template.allowed_clock_skew())
        ))
    );
    assert_eq!(token.get("iss"), Some(&Json::str(input.iss)));
    assert_eq!(token.get("sub"), Some(&Json::str(input.sub)));
    assert_eq!(token.get("jti"), Some(&Json::str(input.jti)));
    // Every other claim is the template's, rendered.
    for (key, value) in token.iter() {
        if RESERVED_CLAIMS.contains(&key) {
            continue;
        }
        assert_eq!(rendered.get(key), Some(value), "claim {key}");
    }
    assert_eq!(token.len(), rendered.len() + RESERVED_CLAIMS.len());
});
