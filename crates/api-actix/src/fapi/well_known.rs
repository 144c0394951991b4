use actix_web::{HttpResponse, web};
use hallpass_app::Hallpass;
use hallpass_ports::{KeyRingFactory, Store, TokenVerifier as _};
use serde_json::json;

/// `GET /.well-known/jwks.json`: the published keys, no authentication.
pub(crate) async fn jwks<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
) -> HttpResponse {
    crate::jwks_response(app.ring().jwks_json())
}

/// `GET /.well-known/openid-configuration`: where the keys are.
pub(crate) async fn openid_configuration<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
) -> HttpResponse {
    let issuer = app.frontend_api().origin();
    HttpResponse::Ok()
        .insert_header(("Cache-Control", crate::JWKS_CACHE_CONTROL))
        .json(json!({
            "issuer": issuer,
            "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
            "id_token_signing_alg_values_supported": ["RS256"],
            "subject_types_supported": ["public"],
            "response_types_supported": ["code"],
            "claims_supported": ["azp", "exp", "iat", "iss", "nbf", "sid", "sub", "sts", "v", "fva", "act", "o"],
        }))
}
