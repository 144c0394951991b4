//! Session activities (`SessionActivityStore`).

use hallpass_domain::SessionId;
use hallpass_ports::store::*;

use crate::support::*;

pub(crate) async fn the_latest_session_activity_is_replaced_and_read_in_bulk<S: Store>(store: S) {
    use hallpass_domain::activity::SessionActivity;
    let mut client = new_client(1);
    store.insert_client(&client).await.expect("client");
    let a = signed_in(&store, &mut client, 10, "user_a", at(1)).await;
    let b = signed_in(&store, &mut client, 11, "user_b", at(2)).await;
    let first = SessionActivity::new(
        false,
        Some("desktop".into()),
        Some("Firefox".into()),
        Some("120.0".into()),
        Some("203.0.113.7".into()),
    );
    let second = SessionActivity::new(
        true,
        Some("smartphone".into()),
        Some("Safari".into()),
        None,
        Some("2001:db8::1".into()),
    );
    store
        .record_session_activity(a.id(), &first, at(3))
        .await
        .expect("record");
    store
        .record_session_activity(a.id(), &second, at(4))
        .await
        .expect("replace");
    let found = store
        .find_session_activities(&[a.id().clone(), b.id().clone()])
        .await
        .expect("find");
    assert_eq!(found, vec![(a.id().clone(), second.clone())]);
    assert!(
        store
            .find_session_activities(&[])
            .await
            .expect("empty")
            .is_empty()
    );
    // One session with its activity, in one read.
    assert_eq!(
        store
            .find_session_with_activity(a.id())
            .await
            .expect("with activity"),
        (a.clone(), Some(second))
    );
    assert_eq!(
        store
            .find_session_with_activity(b.id())
            .await
            .expect("without activity"),
        (b.clone(), None)
    );
    assert!(matches!(
        store
            .find_session_with_activity(&SessionId::from_random(99))
            .await,
        Err(FindSessionError::NotFound)
    ));
}
