use proptest::prelude::*;

use super::*;

fn obj<const N: usize>(entries: [(&str, Json); N]) -> JsonObject {
    entries.into_iter().collect()
}

/// An object whose compact JSON is exactly `size` bytes: `{"k":"…"}` is 8
/// bytes around the string.
fn object_of_size(size: usize) -> JsonObject {
    obj([("k", Json::str("x".repeat(size - 8)))])
}

#[test]
fn the_cap_is_eight_kilobytes_of_compact_json() {
    assert_eq!(METADATA_MAX_BYTES, 8192);
    let at_cap = object_of_size(8192);
    assert_eq!(Json::Object(at_cap.clone()).to_compact_string().len(), 8192);
    let m = Metadata::new(at_cap).unwrap();
    assert_eq!(m.size(), 8192);
    assert_eq!(
        Metadata::new(object_of_size(8193)),
        Err(MetadataError::TooLarge {
            size: 8193,
            max: 8192
        })
    );
}

#[test]
fn size_counts_utf8_bytes_and_escapes() {
    // "é" is two bytes; a quote is escaped as two characters.
    let m = Metadata::new(obj([("k", Json::str("é\""))])).unwrap();
    assert_eq!(m.size(), r#"{"k":"é\""}"#.len());
    assert_eq!(m.size(), 12);
}

#[test]
fn only_objects_and_null_are_metadata() {
    assert_eq!(Metadata::from_json(Json::Null), Ok(Metadata::empty()));
    let o = obj([("plan", Json::str("pro"))]);
    assert_eq!(
        Metadata::from_json(Json::Object(o.clone())).map(Metadata::into_object),
        Ok(o)
    );
    for bad in [
        Json::str("x"),
        Json::int(1),
        Json::Bool(true),
        Json::Array(vec![]),
    ] {
        assert_eq!(Metadata::from_json(bad), Err(MetadataError::NotAnObject));
    }
    assert_eq!(
        Metadata::from_json(Json::Object(object_of_size(8193))),
        Err(MetadataError::TooLarge {
            size: 8193,
            max: 8192
        })
    );
}

#[test]
fn a_stored_object_is_taken_as_it_is() {
    let big = object_of_size(9000);
    assert_eq!(Metadata::from_record(big.clone()).as_object(), &big);
    assert_eq!(
        Metadata::from_record(big.clone()).to_json(),
        Json::Object(big)
    );
}

#[test]
fn merge_adds_replaces_and_removes_keys() {
    let base = obj([
        ("plan", Json::str("free")),
        ("seats", Json::int(3)),
        ("tags", Json::Array(vec![Json::str("a")])),
    ]);
    let patch = obj([
        ("plan", Json::str("pro")),
        ("seats", Json::Null),
        ("tags", Json::Array(vec![Json::str("b")])),
        ("new", Json::Bool(true)),
        ("absent", Json::Null),
    ]);
    assert_eq!(
        deep_merge(&base, &patch),
        obj([
            ("plan", Json::str("pro")),
            ("tags", Json::Array(vec![Json::str("b")])),
            ("new", Json::Bool(true)),
        ])
    );
}

#[test]
fn merge_recurses_into_objects_and_removes_nulls_at_any_depth() {
    let base = obj([(
        "billing",
        Json::Object(obj([
            ("plan", Json::str("free")),
            ("card", Json::str("visa")),
        ])),
    )]);
    let patch = obj([(
        "billing",
        Json::Object(obj([("card", Json::Null), ("seats", Json::int(5))])),
    )]);
    assert_eq!(
        deep_merge(&base, &patch),
        obj([(
            "billing",
            Json::Object(obj([("plan", Json::str("free")), ("seats", Json::int(5))])),
        )])
    );
}

#[test]
fn an_object_replacing_a_non_object_loses_its_nulls() {
    let base = obj([("a", Json::int(1))]);
    let patch = obj([(
        "a",
        Json::Object(obj([("b", Json::Null), ("c", Json::int(2))])),
    )]);
    assert_eq!(
        deep_merge(&base, &patch),
        obj([("a", Json::Object(obj([("c", Json::int(2))])))])
    );
    // A non-object replaces an object.
    let base = obj([("a", Json::Object(obj([("b", Json::int(1))])))]);
    let patch = obj([("a", Json::str("flat"))]);
    assert_eq!(deep_merge(&base, &patch), obj([("a", Json::str("flat"))]));
}

#[test]
fn merged_metadata_is_held_to_the_cap() {
    let base = Metadata::new(object_of_size(8000)).unwrap();
    // Adding `,"p":"…"` (7 bytes + the string) over the cap by one byte.
    let room = 8192 - 8000;
    let fits = obj([("p", Json::str("y".repeat(room - 7)))]);
    assert_eq!(base.merged(&fits).unwrap().size(), 8192);
    let over = obj([("p", Json::str("y".repeat(room - 6)))]);
    assert_eq!(
        base.merged(&over),
        Err(MetadataError::TooLarge {
            size: 8193,
            max: 8192
        })
    );
    // Removing keys brings an oversized stored object back under the cap.
    let stored = Metadata::from_record(object_of_size(9000));
    let cleared = stored.merged(&obj([("k", Json::Null)])).unwrap();
    assert_eq!(cleared, Metadata::empty());
}

#[test]
fn merge_field_names_the_field_and_passes_absence_through() {
    let current = Metadata::empty();
    assert_eq!(merge_field(MetadataField::Public, &current, None), Ok(None));
    let too_big = object_of_size(8193);
    assert_eq!(
        merge_field(MetadataField::Unsafe, &current, Some(&too_big)),
        Err(MetadataFieldError {
            field: MetadataField::Unsafe,
            error: MetadataError::TooLarge {
                size: 8193,
                max: 8192
            },
        })
    );
    assert_eq!(
        merge_field(MetadataField::Private, &current, Some(&obj([]))),
        Ok(Some(Metadata::empty()))
    );
}

#[test]
fn a_pair_is_refused_when_either_half_is() {
    let e = Metadata::empty();
    let ok = obj([("a", Json::int(1))]);
    let too_big = object_of_size(8193);
    let err = merge_pair((&e, Some(&ok)), (&e, Some(&too_big))).unwrap_err();
    assert_eq!(err.field, MetadataField::Private);
    let err = merge_pair((&e, Some(&too_big)), (&e, Some(&ok))).unwrap_err();
    assert_eq!(err.field, MetadataField::Public);
    let (public, private) = merge_pair((&e, Some(&ok)), (&e, None)).unwrap();
    assert_eq!(public.map(Metadata::into_object), Some(ok));
    assert_eq!(private, None);
}

#[test]
fn field_names_are_the_wire_names() {
    assert_eq!(MetadataField::Public.as_str(), "public_metadata");
    assert_eq!(MetadataField::Private.as_str(), "private_metadata");
    assert_eq!(MetadataField::Unsafe.as_str(), "unsafe_metadata");
    let e = MetadataFieldError {
        field: MetadataField::Public,
        error: MetadataError::NotAnObject,
    };
    assert_eq!(
        e.to_string(),
        "public_metadata: metadata must be a JSON object"
    );
}

fn json_leaf() -> impl Strategy<Value = Json> {
    prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::int),
        "[a-z]{0,4}".prop_map(Json::str),
    ]
}

fn json_object(depth: u32) -> BoxedStrategy<JsonObject> {
    let value = if depth == 0 {
        json_leaf().boxed()
    } else {
        prop_oneof![
            3 => json_leaf(),
            1 => json_object(depth - 1).prop_map(Json::Object),
        ]
        .boxed()
    };
    proptest::collection::vec(("[a-c]", value), 0..4)
        .prop_map(|entries| entries.into_iter().collect())
        .boxed()
}

fn has_null(object: &JsonObject) -> bool {
    object.iter().any(|(_, v)| match v {
        Json::Null => true,
        Json::Object(o) => has_null(o),
        _ => false,
    })
}

proptest! {
    #[test]
    fn merging_an_empty_patch_changes_nothing(base in json_object(2)) {
        prop_assert_eq!(deep_merge(&base, &JsonObject::new()), base);
    }

    #[test]
    fn merging_twice_is_merging_once(base in json_object(2), patch in json_object(2)) {
        let once = deep_merge(&base, &patch);
        prop_assert_eq!(deep_merge(&once, &patch), once);
    }

    #[test]
    fn a_merge_leaves_no_null_the_patch_brought(patch in json_object(2)) {
        prop_assert!(!has_null(&deep_merge(&JsonObject::new(), &patch)));
    }

    #[test]
    fn every_non_null_non_object_patch_value_wins(base in json_object(2), patch in json_object(2)) {
        let merged = deep_merge(&base, &patch);
        for (k, v) in patch.iter() {
            match v {
                Json::Null => prop_assert!(merged.get(k).is_none()),
                Json::Object(_) => prop_assert!(matches!(merged.get(k), Some(Json::Object(_)))),
                other => prop_assert_eq!(merged.get(k), Some(other)),
            }
        }
    }
}
