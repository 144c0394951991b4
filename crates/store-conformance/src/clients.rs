//! Clients (`ClientStore`).

use hallpass_domain::ClientId;
use hallpass_ports::store::*;

use crate::support::*;

pub(crate) async fn clients_round_trip_and_report_missing_and_duplicates<S: Store>(store: S) {
    let client = new_client(1);
    store.insert_client(&client).await.expect("insert");
    assert_eq!(store.find_client(client.id()).await.expect("find"), client);
    assert!(matches!(
        store.insert_client(&client).await,
        Err(InsertError::Conflict)
    ));
    assert!(matches!(
        store.find_client(&ClientId::from_random(2)).await,
        Err(FindClientError::NotFound)
    ));
    let ghost = new_client(3);
    assert!(matches!(
        store.update_client(&ghost, &ghost).await,
        Err(UpdateClientError::NotFound)
    ));
    let mut changed = client.clone();
    changed.sign_out_all(&[], true, T0);
    store
        .update_client(&changed, &client)
        .await
        .expect("update");
    assert_eq!(store.find_client(client.id()).await.expect("find"), changed);
    // A second writer that read the client before the first change.
    let mut stale = client.clone();
    stale.sign_out_all(&[], false, at(1));
    assert!(matches!(
        store.update_client(&stale, &client).await,
        Err(UpdateClientError::Changed)
    ));
    assert_eq!(store.find_client(client.id()).await.expect("find"), changed);
}
