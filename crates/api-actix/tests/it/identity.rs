//! What the users, organizations and memberships tests share.

use actix_web::http::Method;
use serde_json::{Map, Value, json};

use crate::support::*;

/// A refusal as the snapshots record it: status and body.
pub fn refusal(res: &Resp) -> Value {
    json!({ "status": res.status.as_u16(), "body": res.json() })
}

/// The one error code of a refusal, after checking its status.
pub fn code(res: &Resp, status: u16) -> String {
    res.error(status)["errors"][0]["code"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Refusals collected under labels, for one snapshot.
#[derive(Debug, Default)]
pub struct Refusals(pub Map<String, Value>);

impl Refusals {
    /// Records `res`, after checking its status and code.
    pub fn expect(&mut self, label: &str, res: &Resp, status: u16, expected: &str) {
        assert_eq!(code(res, status), expected, "{label}: {:?}", res.body);
        self.0.insert(label.to_owned(), refusal(res));
    }

    pub fn value(self) -> Value {
        Value::Object(self.0)
    }
}

impl Harness {
    /// `POST /v1/users`: the user object.
    pub async fn create_user(&self, body: Value) -> Value {
        self.bapi(Method::POST, "/v1/users", Some(body))
            .await
            .ok_json()
    }

    /// `POST /v1/organizations`: the organization object.
    pub async fn create_organization(&self, body: Value) -> Value {
        self.bapi(Method::POST, "/v1/organizations", Some(body))
            .await
            .ok_json()
    }

    /// `GET` of a Backend API path, which must answer 200: the body.
    pub async fn get_ok(&self, path: &str) -> Value {
        self.bapi(Method::GET, path, None).await.ok_json()
    }

    /// A request with a JSON body, which must answer 200: the body.
    pub async fn send_ok(&self, method: Method, path: &str, body: Value) -> Value {
        self.bapi(method, path, Some(body)).await.ok_json()
    }
}

/// The `id` of an object.
pub fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// The ids of a list of objects, in order.
pub fn ids(list: &Value) -> Vec<String> {
    list.as_array().unwrap().iter().map(id).collect()
}
