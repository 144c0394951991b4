//! # hallpass-json-bridge
//!
//! The domain keeps JSON as its own value type ([`hallpass_domain::Json`])
//! so that it needs no serialisation framework. Adapters that speak JSON
//! (HTTP, storage, signing) convert at their edge with these functions.
//! Why the domain keeps its own value: `docs/adr/0004-json-value.md`.

use hallpass_domain::{Json, JsonNumber, JsonObject};
use serde_json::{Map, Number, Value};

/// A `serde_json` value as a domain value. Numbers that fit `i64` stay
/// integers; others become floats (serde_json never holds a non-finite one).
pub fn from_value(value: Value) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Json::Number(JsonNumber::Int(i)),
            None => n
                .as_f64()
                .and_then(JsonNumber::from_f64)
                .map_or(Json::Null, Json::Number),
        },
        Value::String(s) => Json::String(s),
        Value::Array(items) => Json::Array(items.into_iter().map(from_value).collect()),
        Value::Object(map) => Json::Object(object_from_map(map)),
    }
}

/// A `serde_json` object as a domain object.
pub fn object_from_map(map: Map<String, Value>) -> JsonObject {
    map.into_iter().map(|(k, v)| (k, from_value(v))).collect()
}

/// A domain value as a `serde_json` value.
pub fn to_value(json: &Json) -> Value {
    match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(JsonNumber::Int(i)) => Value::Number((*i).into()),
        Json::Number(JsonNumber::Float(f)) => {
            Number::from_f64(*f).map_or(Value::Null, Value::Number)
        }
        Json::String(s) => Value::String(s.clone()),
        Json::Array(items) => Value::Array(items.iter().map(to_value).collect()),
        Json::Object(obj) => Value::Object(object_to_map(obj)),
    }
}

/// A domain object as a `serde_json` map.
pub fn object_to_map(obj: &JsonObject) -> Map<String, Value> {
    obj.iter()
        .map(|(k, v)| (k.to_owned(), to_value(v)))
        .collect()
}

/// Parses JSON text that must be an object.
pub fn parse_object(text: &str) -> Result<JsonObject, serde_json::Error> {
    serde_json::from_str::<Map<String, Value>>(text).map(object_from_map)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn values_round_trip() {
        let text = r#"{"a":1,"b":[true,null,1.5,"x"],"c":{"d":-9007199254740993},"e":1e300}"#;
        let obj = parse_object(text).unwrap();
        let back = Value::Object(object_to_map(&obj));
        assert_eq!(back, serde_json::from_str::<Value>(text).unwrap());
        assert_eq!(obj.get("a"), Some(&Json::Number(JsonNumber::Int(1))));
    }

    #[test]
    fn only_objects_parse_as_objects() {
        for text in ["[]", "1", "null", "\"x\"", "{"] {
            assert!(parse_object(text).is_err(), "{text}");
        }
    }
}
