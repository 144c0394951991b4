use actix_web::{HttpResponse, web};
use hallpass_app::Hallpass;
use hallpass_ports::{KeyRingFactory, Store, TokenVerifier as _};

/// `GET /v1/jwks`: the published keys.
pub(crate) async fn get<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
) -> HttpResponse {
    crate::jwks_response(app.ring().jwks_json())
}
