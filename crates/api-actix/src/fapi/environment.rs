//! `GET /v1/environment`, and the `POST ?_method=PATCH` that clerk-js
//! sends instead on development instances: the instance's settings as
//! clerk-js reads them at load (`Client.Environment`).

use actix_web::{HttpResponse, web};
use hallpass_app::Hallpass;
use hallpass_ports::{KeyRingFactory, Store};

use super::respond::{Options, opts};
use crate::ApiOptions;
use crate::dto::environment::{EnvironmentInputs, environment};

/// The bare environment (no `{response, client}` envelope: clerk-js reads
/// either, and a `client` key on the PATCH would overwrite its client).
/// The PATCH changes nothing: Clerk's records the app's origin, which
/// Hallpass takes from configuration (`frontend_api.allowed_origins`).
pub(crate) async fn get<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    options: Options,
) -> HttpResponse {
    let defaults;
    let options = match opts(&options) {
        Some(o) => o,
        None => {
            defaults = ApiOptions::default();
            &defaults
        }
    };
    HttpResponse::Ok().json(environment(EnvironmentInputs {
        instance_id: app.instance().id.as_str(),
        environment: app.environment(),
        multi_session: app.settings().multi_session(),
        native_api: options.native_api,
        display: &options.display,
        roles: app.roles(),
    }))
}
