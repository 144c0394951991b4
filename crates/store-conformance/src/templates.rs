//! JWT templates (`TemplateStore`).

use hallpass_domain::UnixMillis;
use hallpass_ports::store::*;

use crate::support::*;

fn template(n: u128, name: &str, created: UnixMillis) -> TemplateRow {
    let claims: hallpass_domain::JsonObject = [
        ("aud", hallpass_domain::Json::str("https://api.example.com")),
        (
            "name",
            hallpass_domain::Json::str("{{user.first_name}} ünïcode 🦀 \"q\" '--"),
        ),
        (
            "nested",
            hallpass_domain::Json::Array(vec![
                hallpass_domain::Json::int(-7),
                hallpass_domain::Json::float(1.5).expect("finite"),
                hallpass_domain::Json::Null,
                hallpass_domain::Json::Bool(true),
            ]),
        ),
    ]
    .into_iter()
    .collect();
    TemplateRow {
        id: hallpass_domain::JwtTemplateId::from_random(n),
        name: hallpass_domain::TemplateName::parse(name).expect("name"),
        claims,
        lifetime: 60,
        allowed_clock_skew: 5,
        custom_key: None,
        created_at: created,
        updated_at: created,
    }
}

pub(crate) async fn templates_round_trip_with_unique_names<S: Store>(store: S) {
    let a = template(1, "supabase", at(1));
    let mut b = template(2, "hasura", at(2));
    b.custom_key = Some(SealedCustomKey {
        algorithm: hallpass_domain::SigningAlgorithm::HS256,
        sealed: "sealed-bytes".to_owned(),
        sealing: "jwe-dir-a256gcm:0011".to_owned(),
    });
    store.insert_template(&a).await.expect("insert a");
    store.insert_template(&b).await.expect("insert b");
    assert_eq!(store.find_template(&a.id).await.expect("find"), a);
    assert_eq!(
        store
            .find_template_by_name("hasura")
            .await
            .expect("by name"),
        b
    );
    assert!(matches!(
        store.find_template_by_name("HASURA").await,
        Err(FindTemplateError::NotFound)
    ));
    assert!(matches!(
        store.insert_template(&template(3, "supabase", at(3))).await,
        Err(SaveTemplateError::NameTaken)
    ));

    // Rename onto a taken name is refused; a real update is stored.
    let mut renamed = a.clone();
    renamed.name = hallpass_domain::TemplateName::parse("hasura").expect("name");
    assert!(matches!(
        store.update_template(&renamed).await,
        Err(SaveTemplateError::NameTaken)
    ));
    let mut updated = a.clone();
    updated.lifetime = 3600;
    updated.updated_at = at(9);
    store.update_template(&updated).await.expect("update");
    assert_eq!(store.find_template(&a.id).await.expect("find"), updated);
    assert!(matches!(
        store.update_template(&template(4, "ghost", at(4))).await,
        Err(SaveTemplateError::NotFound)
    ));

    let (page, total) = store.list_templates(10, 0).await.expect("list");
    assert_eq!(total, 2);
    assert_eq!(page, vec![b.clone(), updated.clone()], "newest first");
    let (page, total) = store.list_templates(1, 1).await.expect("list");
    assert_eq!((page, total), (vec![updated], 2));
    let (page, _) = store.list_templates(10, 10).await.expect("list");
    assert!(page.is_empty());

    store.delete_template(&b.id).await.expect("delete");
    assert!(matches!(
        store.delete_template(&b.id).await,
        Err(FindTemplateError::NotFound)
    ));
    assert!(matches!(
        store.find_template(&b.id).await,
        Err(FindTemplateError::NotFound)
    ));
}
