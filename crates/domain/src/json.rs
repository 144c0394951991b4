//! A small JSON value for the domain.
//!
//! The domain may not name a serialisation framework, yet JWT-template claims
//! are arbitrary JSON. [`Json`] is that value; adapters convert it to and from
//! `serde_json` at the edge. There is no parser here. The one renderer is
//! [`Json::to_compact_string`] (also [`fmt::Display`]): compact JSON text,
//! which the template engine needs to put objects and arrays into strings.
//!
//! Objects keep their insertion order and their keys are unique
//! ([`JsonObject::insert`] replaces in place).

use std::fmt::{self, Write as _};

/// A JSON value.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Json {
    #[default]
    Null,
    Bool(bool),
    Number(JsonNumber),
    String(String),
    Array(Vec<Json>),
    Object(JsonObject),
}

/// A JSON number: an integer, or a finite float.
///
/// `Int(1)` and `Float(1.0)` are different values. A `Float` must be finite
/// (build one with [`JsonNumber::from_f64`]); a non-finite float that gets in
/// anyway is rendered as `null`, as JSON has no text for it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum JsonNumber {
    Int(i64),
    Float(f64),
}

impl JsonNumber {
    /// A float number; `None` for NaN and the infinities.
    pub fn from_f64(value: f64) -> Option<Self> {
        value.is_finite().then_some(Self::Float(value))
    }

    /// The integer, when this is one.
    pub fn as_i64(self) -> Option<i64> {
        match self {
            Self::Int(i) => Some(i),
            Self::Float(_) => None,
        }
    }

    /// The value as a float (integers beyond 2^53 lose precision).
    pub fn as_f64(self) -> f64 {
        match self {
            Self::Int(i) => i as f64,
            Self::Float(f) => f,
        }
    }

    /// `false` only for a non-finite `Float`, which JSON cannot carry.
    pub fn is_finite(self) -> bool {
        match self {
            Self::Int(_) => true,
            Self::Float(f) => f.is_finite(),
        }
    }

    /// The number as plain decimal text: integers as digits, floats in their
    /// shortest round-trip form without exponent (`1.5`, `2`, `0.001`);
    /// `null` for a non-finite float.
    pub fn to_decimal_string(self) -> String {
        match self {
            Self::Int(i) => i.to_string(),
            Self::Float(f) if f.is_finite() => f.to_string(),
            Self::Float(_) => "null".to_owned(),
        }
    }

    fn write_json(self, out: &mut String) {
        match self {
            Self::Int(i) => {
                let _ = write!(out, "{i}");
            }
            // `{:?}` is the shortest round-trip form, keeps a float a float
            // (`1.0`) and uses JSON-valid exponents (`1e16`, `1.5e-7`).
            Self::Float(f) if f.is_finite() => {
                let _ = write!(out, "{f:?}");
            }
            Self::Float(_) => out.push_str("null"),
        }
    }
}

/// A JSON object: insertion-ordered, with unique keys.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct JsonObject(Vec<(String, Json)>);

impl JsonObject {
    /// An empty object.
    pub fn new() -> Self {
        Self(Vec::new())
    }

    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The value under `key`, mutably.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Json> {
        self.0.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Sets `key` to `value`. An existing key keeps its position and its old
    /// value is returned; a new key goes last.
    pub fn insert(&mut self, key: impl Into<String>, value: Json) -> Option<Json> {
        let key = key.into();
        match self.get_mut(&key) {
            Some(slot) => Some(std::mem::replace(slot, value)),
            None => {
                self.0.push((key, value));
                None
            }
        }
    }

    /// Removes `key`, keeping the order of the others; returns its value.
    pub fn remove(&mut self, key: &str) -> Option<Json> {
        let index = self.0.iter().position(|(k, _)| k == key)?;
        Some(self.0.remove(index).1)
    }

    /// The entries in insertion order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &Json)> + '_ {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The keys in insertion order.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.0.iter().map(|(k, _)| k.as_str())
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The same keys in the same order, each value mapped by `f`.
    pub(crate) fn map_values(&self, mut f: impl FnMut(&Json) -> Json) -> Self {
        Self(self.0.iter().map(|(k, v)| (k.clone(), f(v))).collect())
    }
}

/// Later duplicates replace earlier ones (in the earlier one's position).
impl<K: Into<String>> FromIterator<(K, Json)> for JsonObject {
    fn from_iter<I: IntoIterator<Item = (K, Json)>>(iter: I) -> Self {
        let mut object = Self::new();
        for (k, v) in iter {
            object.insert(k, v);
        }
        object
    }
}

impl IntoIterator for JsonObject {
    type Item = (String, Json);
    type IntoIter = std::vec::IntoIter<(String, Json)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl Json {
    /// A string value.
    pub fn str(value: impl Into<String>) -> Self {
        Self::String(value.into())
    }

    /// An integer value.
    pub fn int(value: i64) -> Self {
        Self::Number(JsonNumber::Int(value))
    }

    /// A float value; `None` for NaN and the infinities.
    pub fn float(value: f64) -> Option<Self> {
        JsonNumber::from_f64(value).map(Self::Number)
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Self::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Self::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<JsonNumber> {
        match self {
            Self::Number(n) => Some(*n),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Self::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&JsonObject> {
        match self {
            Self::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The value under `key` when this is an object.
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.as_object()?.get(key)
    }

    /// Follows `path` through nested objects (`["user", "first_name"]`).
    /// `None` when a key is missing or a step is not an object; the empty
    /// path is `self`.
    pub fn get_path(&self, path: &[&str]) -> Option<&Json> {
        path.iter().try_fold(self, |value, key| value.get(key))
    }

    /// Compact JSON text (no whitespace), strings escaped as JSON requires.
    pub fn to_compact_string(&self) -> String {
        let mut out = String::new();
        self.write_compact(&mut out);
        out
    }

    /// Appends the compact JSON text of `self` to `out`.
    pub fn write_compact(&self, out: &mut String) {
        match self {
            Self::Null => out.push_str("null"),
            Self::Bool(true) => out.push_str("true"),
            Self::Bool(false) => out.push_str("false"),
            Self::Number(n) => n.write_json(out),
            Self::String(s) => write_json_string(s, out),
            Self::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_compact(out);
                }
                out.push(']');
            }
            Self::Object(object) => {
                out.push('{');
                for (i, (key, value)) in object.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_json_string(key, out);
                    out.push(':');
                    value.write_compact(out);
                }
                out.push('}');
            }
        }
    }
}

/// Writes `s` as a JSON string literal: quotes, backslashes and control
/// characters escaped, everything else as-is.
fn write_json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0C}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

impl fmt::Display for Json {
    /// Compact JSON text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_compact_string())
    }
}

impl From<bool> for Json {
    fn from(value: bool) -> Self {
        Self::Bool(value)
    }
}

impl From<i64> for Json {
    fn from(value: i64) -> Self {
        Self::int(value)
    }
}

impl From<JsonNumber> for Json {
    fn from(value: JsonNumber) -> Self {
        Self::Number(value)
    }
}

impl From<&str> for Json {
    fn from(value: &str) -> Self {
        Self::str(value)
    }
}

impl From<String> for Json {
    fn from(value: String) -> Self {
        Self::String(value)
    }
}

impl From<Vec<Json>> for Json {
    fn from(value: Vec<Json>) -> Self {
        Self::Array(value)
    }
}

impl From<JsonObject> for Json {
    fn from(value: JsonObject) -> Self {
        Self::Object(value)
    }
}

impl<T: Into<Json>> From<Option<T>> for Json {
    /// `None` is `null`.
    fn from(value: Option<T>) -> Self {
        value.map_or(Self::Null, Into::into)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj<const N: usize>(entries: [(&str, Json); N]) -> Json {
        Json::Object(entries.into_iter().collect())
    }

    #[test]
    fn insert_replaces_in_place_and_remove_keeps_order() {
        let mut o = JsonObject::new();
        assert!(o.is_empty());
        assert_eq!(o.insert("a", Json::int(1)), None);
        assert_eq!(o.insert("b", Json::int(2)), None);
        assert_eq!(o.insert("c", Json::int(3)), None);
        assert_eq!(o.insert("a", Json::str("x")), Some(Json::int(1)));
        assert_eq!(o.keys().collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(o.get("a"), Some(&Json::str("x")));
        assert_eq!(o.remove("b"), Some(Json::int(2)));
        assert_eq!(o.remove("b"), None);
        assert_eq!(o.keys().collect::<Vec<_>>(), ["a", "c"]);
        assert_eq!(o.len(), 2);
        assert!(o.contains_key("c") && !o.contains_key("b"));
    }

    #[test]
    fn collecting_keeps_keys_unique() {
        let o: JsonObject = [("k", Json::int(1)), ("j", Json::Null), ("k", Json::int(2))]
            .into_iter()
            .collect();
        assert_eq!(
            o.iter().collect::<Vec<_>>(),
            [("k", &Json::int(2)), ("j", &Json::Null)]
        );
    }

    #[test]
    fn paths_reach_into_nested_objects_only() {
        let v = obj([(
            "user",
            obj([
                ("name", Json::str("Ada")),
                ("tags", Json::Array(vec![Json::str("x")])),
            ]),
        )]);
        assert_eq!(v.get_path(&["user", "name"]), Some(&Json::str("Ada")));
        assert_eq!(v.get_path(&[]), Some(&v));
        assert_eq!(v.get_path(&["user", "missing"]), None);
        assert_eq!(v.get_path(&["user", "name", "deeper"]), None);
        assert_eq!(v.get_path(&["user", "tags", "0"]), None);
        assert_eq!(Json::Null.get_path(&["a"]), None);
    }

    #[test]
    fn accessors() {
        assert_eq!(Json::str("s").as_str(), Some("s"));
        assert_eq!(Json::int(1).as_str(), None);
        assert!(Json::Null.is_null() && !Json::Bool(false).is_null());
        assert_eq!(Json::Bool(true).as_bool(), Some(true));
        assert_eq!(Json::int(7).as_i64(), Some(7));
        assert_eq!(Json::float(1.5).and_then(|j| j.as_i64()), None);
        assert_eq!(Json::float(f64::NAN), None);
        assert_eq!(Json::float(f64::INFINITY), None);
        assert_eq!(JsonNumber::from_f64(f64::NEG_INFINITY), None);
        assert!(obj([]).as_object().is_some_and(JsonObject::is_empty));
        assert_eq!(Json::from(None::<i64>), Json::Null);
        assert_eq!(Json::from(Some("a")), Json::str("a"));
        assert_ne!(Json::int(1), Json::float(1.0).unwrap());
    }

    #[test]
    fn each_accessor_answers_for_its_own_kind_only() {
        let array = vec![Json::Null];
        let object: JsonObject = [("a", Json::int(1))].into_iter().collect();
        let values = [
            Json::Null,
            Json::Bool(false),
            Json::int(3),
            Json::float(2.5).unwrap(),
            Json::str("s"),
            Json::Array(array.clone()),
            Json::Object(object.clone()),
        ];
        for (i, v) in values.iter().enumerate() {
            assert_eq!(v.is_null(), i == 0, "{v:?}");
            assert_eq!(v.as_bool(), (i == 1).then_some(false), "{v:?}");
            assert_eq!(v.as_i64(), (i == 2).then_some(3), "{v:?}");
            let number = match i {
                2 => Some(JsonNumber::Int(3)),
                3 => Some(JsonNumber::Float(2.5)),
                _ => None,
            };
            assert_eq!(v.as_number(), number, "{v:?}");
            assert_eq!(v.as_str(), (i == 4).then_some("s"), "{v:?}");
            assert_eq!(v.as_array(), (i == 5).then_some(array.as_slice()), "{v:?}");
            assert_eq!(v.as_object(), (i == 6).then_some(&object), "{v:?}");
        }
        let converted: [Json; 6] = [
            false.into(),
            3_i64.into(),
            JsonNumber::Float(2.5).into(),
            String::from("s").into(),
            array.clone().into(),
            object.clone().into(),
        ];
        assert_eq!(converted, values[1..]);
        assert_eq!(JsonNumber::Int(-3).as_f64(), -3.0);
        assert_eq!(JsonNumber::Float(2.5).as_f64(), 2.5);
        assert!(!object.is_empty());
        assert_eq!(
            object.into_iter().collect::<Vec<_>>(),
            [("a".to_owned(), Json::int(1))]
        );
    }

    #[test]
    fn compact_text() {
        let cases: Vec<(Json, &str)> = vec![
            (Json::Null, "null"),
            (Json::Bool(true), "true"),
            (Json::Bool(false), "false"),
            (Json::int(-42), "-42"),
            (Json::int(i64::MIN), "-9223372036854775808"),
            (Json::float(1.0).unwrap(), "1.0"),
            (Json::float(-0.5).unwrap(), "-0.5"),
            (Json::float(1e16).unwrap(), "1e16"),
            (Json::float(1.5e-7).unwrap(), "1.5e-7"),
            (Json::Number(JsonNumber::Float(f64::NAN)), "null"),
            (Json::str("plain"), r#""plain""#),
            (
                Json::str("q\"b\\n\nr\rt\tb\u{8}f\u{c}z\u{0}u\u{1f}"),
                r#""q\"b\\n\nr\rt\tb\bf\fz\u0000u\u001f""#,
            ),
            (Json::str("é/😀\u{7f}"), "\"é/😀\u{7f}\""),
            (Json::Array(vec![]), "[]"),
            (obj([]), "{}"),
            (
                obj([
                    ("b", Json::Array(vec![Json::int(1), Json::Null])),
                    ("a\"", obj([("x", Json::Bool(false))])),
                ]),
                r#"{"b":[1,null],"a\"":{"x":false}}"#,
            ),
        ];
        for (value, text) in cases {
            assert_eq!(value.to_compact_string(), text, "{value:?}");
            assert_eq!(value.to_string(), text);
        }
    }

    #[test]
    fn decimal_text() {
        assert_eq!(JsonNumber::Int(-3).to_decimal_string(), "-3");
        assert_eq!(JsonNumber::Float(2.0).to_decimal_string(), "2");
        assert_eq!(JsonNumber::Float(0.25).to_decimal_string(), "0.25");
        assert_eq!(JsonNumber::Float(1e-7).to_decimal_string(), "0.0000001");
        assert_eq!(JsonNumber::Float(f64::NAN).to_decimal_string(), "null");
    }
}
