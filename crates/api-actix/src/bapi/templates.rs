use actix_web::{HttpResponse, web};
use hallpass_app::{Hallpass, TemplateInput};
use hallpass_domain::{JwtTemplateId, SessionId};
use hallpass_ports::{KeyRingFactory, Store, TemplateRow};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::body::LenientJson;
use crate::pagination::{self, PageQuery};
use crate::{ApiError, no_store};

/// Create and update parameters (`additionalProperties: false`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TemplateBody {
    name: Option<String>,
    claims: Option<Value>,
    lifetime: Option<i64>,
    allowed_clock_skew: Option<i64>,
    #[serde(default)]
    custom_signing_key: Option<bool>,
    signing_algorithm: Option<String>,
    signing_key: Option<String>,
}

impl TemplateBody {
    pub(crate) fn into_input(self) -> Result<TemplateInput, ApiError> {
        let name = self.name.ok_or_else(|| ApiError::missing_param("name"))?;
        let claims = match self.claims {
            Some(Value::Object(map)) => hallpass_json_bridge::object_from_map(map),
            Some(_) => {
                return Err(ApiError::invalid_param(
                    "claims",
                    "claims must be a JSON object",
                ));
            }
            None => return Err(ApiError::missing_param("claims")),
        };
        Ok(TemplateInput {
            name,
            claims,
            lifetime: self.lifetime,
            allowed_clock_skew: self.allowed_clock_skew,
            custom_signing_key: self.custom_signing_key.unwrap_or(false),
            signing_algorithm: self.signing_algorithm,
            signing_key: self.signing_key,
        })
    }
}

/// The `JWTTemplate` object. The signing key is never returned.
fn template_json(t: &TemplateRow) -> Value {
    json!({
        "object": "jwt_template",
        "id": t.id.as_str(),
        "name": t.name.as_str(),
        "claims": Value::Object(hallpass_json_bridge::object_to_map(&t.claims)),
        "lifetime": t.lifetime,
        "allowed_clock_skew": t.allowed_clock_skew,
        "custom_signing_key": t.custom_key.is_some(),
        "signing_algorithm": t.custom_key.as_ref().map_or("RS256", |k| k.algorithm.as_str()),
        "created_at": t.created_at.as_millis(),
        "updated_at": t.updated_at.as_millis(),
    })
}

fn template_id(path: &str) -> Result<JwtTemplateId, ApiError> {
    JwtTemplateId::parse(path).map_err(|_| ApiError::not_found("JWT template"))
}

/// `GET /v1/jwt_templates`.
pub(crate) async fn list<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = query.page()?;
    let (rows, total) = app.list_templates(page.limit, page.offset).await?;
    Ok(pagination::respond(
        page,
        rows.iter().map(template_json).collect::<Vec<_>>(),
        total,
    ))
}

/// `POST /v1/jwt_templates`.
pub(crate) async fn create<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    LenientJson(body): LenientJson<TemplateBody>,
) -> Result<HttpResponse, ApiError> {
    let row = app.create_template(body.into_input()?).await?;
    Ok(HttpResponse::Ok().json(template_json(&row)))
}

/// `GET /v1/jwt_templates/{template_id}`.
pub(crate) async fn get<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let row = app.template(&template_id(&path)?).await?;
    Ok(HttpResponse::Ok().json(template_json(&row)))
}

/// `PATCH /v1/jwt_templates/{template_id}`.
pub(crate) async fn update<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    path: web::Path<String>,
    LenientJson(body): LenientJson<TemplateBody>,
) -> Result<HttpResponse, ApiError> {
    let row = app
        .update_template(&template_id(&path)?, body.into_input()?)
        .await?;
    Ok(HttpResponse::Ok().json(template_json(&row)))
}

/// `DELETE /v1/jwt_templates/{template_id}`.
pub(crate) async fn delete<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = template_id(&path)?;
    app.delete_template(&id).await?;
    Ok(HttpResponse::Ok()
        .json(json!({"object": "jwt_template", "id": id.as_str(), "deleted": true})))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MintBody {
    expires_in_seconds: Option<i64>,
}

/// `POST /v1/sessions/{session_id}/tokens/{template_name}`.
pub(crate) async fn mint<S: Store, K: KeyRingFactory>(
    app: web::Data<Hallpass<S, K>>,
    path: web::Path<(String, String)>,
    LenientJson(body): LenientJson<MintBody>,
) -> Result<HttpResponse, ApiError> {
    let (session, name) = path.into_inner();
    let id = SessionId::parse(&session).map_err(|_| ApiError::not_found("session"))?;
    let jwt = app
        .mint_template_token(&id, &name, None, body.expires_in_seconds)
        .await?;
    Ok(no_store(HttpResponse::Ok()).json(json!({"object": "token", "jwt": jwt})))
}
