//! The instance and its keys (`InstanceStore`).

use hallpass_ports::store::*;

use crate::support::*;

pub(crate) async fn instance_is_created_once<S: Store>(store: S) {
    assert!(store.load_instance().await.expect("load").is_none());
    let init = instance_init();
    store.create_instance(&init).await.expect("create");
    assert_eq!(
        store.load_instance().await.expect("load"),
        Some(init.instance.clone())
    );
    assert!(matches!(
        store.create_instance(&init).await,
        Err(CreateInstanceError::AlreadyExists)
    ));
    store.ping().await.expect("ping");
}

pub(crate) async fn signing_keys_are_listed_oldest_first_and_unique<S: Store>(store: S) {
    store
        .create_instance(&instance_init())
        .await
        .expect("create");
    let mut second = signing_key("ins_key2", at(10));
    second.retires_at = Some(at(1000));
    store.insert_signing_key(&second).await.expect("insert");
    let keys = store.list_signing_keys().await.expect("list");
    assert_eq!(keys, vec![signing_key("ins_key1", T0), second.clone()]);
    assert!(matches!(
        store.insert_signing_key(&second).await,
        Err(InsertError::Conflict)
    ));
}

pub(crate) async fn a_rotation_publishes_the_next_key_and_schedules_the_old_ones_retirement<
    S: Store,
>(
    store: S,
) {
    store
        .create_instance(&instance_init())
        .await
        .expect("create");
    let mut next = signing_key("ins_key2", at(10));
    next.activates_at = at(600);
    store
        .rotate_signing_key(&next, at(700), at(10))
        .await
        .expect("rotate");
    let keys = store.list_signing_keys().await.expect("list");
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0].kid, "ins_key1");
    assert_eq!(keys[0].retires_at, Some(at(700)));
    assert_eq!(keys[1], next);

    // A second rotation while one is pending is refused and writes nothing.
    let third = signing_key("ins_key3", at(20));
    let result = store.rotate_signing_key(&third, at(900), at(20)).await;
    assert!(
        matches!(result, Err(RotateKeyError::Pending { ref kid }) if kid == "ins_key2"),
        "{result:?}"
    );
    assert_eq!(store.list_signing_keys().await.expect("list"), keys);

    // Once the next key is active, the following rotation goes through and
    // never postpones a retirement already scheduled earlier.
    let mut third = signing_key("ins_key3", at(800));
    third.activates_at = at(1400);
    store
        .rotate_signing_key(&third, at(1500), at(800))
        .await
        .expect("rotate again");
    let keys = store.list_signing_keys().await.expect("list");
    assert_eq!(keys[0].retires_at, Some(at(700)));
    assert_eq!(keys[1].retires_at, Some(at(1500)));
    assert_eq!(keys[2].retires_at, None);
}

pub(crate) async fn secret_keys_are_found_by_hash_only<S: Store>(store: S) {
    store
        .create_instance(&instance_init())
        .await
        .expect("create");
    let found = store.find_secret_key(&"a".repeat(64)).await.expect("find");
    assert_eq!(found, Some(secret_key("sk_id1", &"a".repeat(64))));
    assert_eq!(
        store.find_secret_key(&"b".repeat(64)).await.expect("find"),
        None
    );
    let mut revoked = secret_key("sk_id2", &"c".repeat(64));
    revoked.revoked_at = Some(at(5));
    store.insert_secret_key(&revoked).await.expect("insert");
    assert_eq!(store.list_secret_keys().await.expect("list").len(), 2);
    assert!(matches!(
        store.insert_secret_key(&revoked).await,
        Err(InsertError::Conflict)
    ));
}
