//! Development browsers (`DevBrowserStore`).

use hallpass_ports::store::*;

use crate::support::*;

pub(crate) async fn dev_browsers_bind_to_clients<S: Store>(store: S) {
    let browser = DevBrowserRecord {
        id: hallpass_domain::DevBrowserId::from_random(1),
        client_id: None,
        created_at: T0,
        updated_at: T0,
    };
    store.insert_dev_browser(&browser).await.expect("insert");
    assert_eq!(
        store.find_dev_browser(&browser.id).await.expect("find"),
        Some(browser.clone())
    );
    assert!(matches!(
        store.insert_dev_browser(&browser).await,
        Err(InsertError::Conflict)
    ));
    let client = new_client(1);
    store.insert_client(&client).await.expect("client");
    assert!(
        store
            .bind_dev_browser(&browser.id, client.id(), at(5))
            .await
            .expect("bind")
    );
    let bound = store
        .find_dev_browser(&browser.id)
        .await
        .expect("find")
        .expect("some");
    assert_eq!(bound.client_id.as_ref(), Some(client.id()));
    assert_eq!(bound.updated_at, at(5));
    let ghost = hallpass_domain::DevBrowserId::from_random(2);
    assert!(
        !store
            .bind_dev_browser(&ghost, client.id(), at(5))
            .await
            .expect("bind")
    );
    assert_eq!(store.find_dev_browser(&ghost).await.expect("find"), None);
}
