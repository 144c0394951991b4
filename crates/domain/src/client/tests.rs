use super::*;
use crate::id::UserId;
use crate::session::SessionStatus;
use crate::settings::SessionLifetime;

const T0: UnixMillis = UnixMillis::new(1_700_000_000_000);
const LATER: UnixMillis = UnixMillis::new(1_700_000_060_000);

fn new_session(client: &Client, n: u128) -> NewSession {
    NewSession {
        id: SessionId::from_random(n),
        client_id: client.id().clone(),
        user_id: UserId::parse("user_1").unwrap(),
        actor: None,
        active_organization_id: None,
        tasks: vec![],
    }
}

fn multi() -> InstanceSettings {
    InstanceSettings::new(
        SessionLifetime::default(),
        Duration::from_secs(60),
        Duration::from_secs(60),
        true,
    )
    .unwrap()
}

#[test]
fn sign_in_rotates_the_token_and_sets_the_last_active_session() {
    let mut c = Client::new(ClientId::from_random(1), RotatingToken::from_random(1), T0);
    let old = c.rotating_token().clone();
    let out = c
        .sign_in(
            &[],
            new_session(&c, 1),
            RotatingToken::from_random(2),
            OnExistingSession::Refuse,
            &InstanceSettings::default(),
            LATER,
        )
        .unwrap();
    assert_ne!(c.rotating_token(), &old);
    assert_eq!(c.last_active_session_id(), Some(out.session.id()));
    assert_eq!(c.updated_at(), LATER);
}

#[test]
fn single_session_mode_refuses_a_second_sign_in() {
    let settings = InstanceSettings::default();
    let mut c = Client::new(ClientId::from_random(1), RotatingToken::from_random(1), T0);
    let first = c
        .sign_in(
            &[],
            new_session(&c, 1),
            RotatingToken::from_random(2),
            OnExistingSession::Refuse,
            &settings,
            T0,
        )
        .unwrap()
        .session;
    let before = c.clone();
    let err = c
        .sign_in(
            std::slice::from_ref(&first),
            new_session(&c, 2),
            RotatingToken::from_random(3),
            OnExistingSession::Refuse,
            &settings,
            LATER,
        )
        .unwrap_err();
    assert_eq!(err, ClientError::SessionExists(first.id().clone()));
    assert_eq!(c, before, "a refused sign-in must not rotate anything");

    let out = c
        .sign_in(
            &[first],
            new_session(&c, 2),
            RotatingToken::from_random(3),
            OnExistingSession::Replace,
            &settings,
            LATER,
        )
        .unwrap();
    assert_eq!(out.replaced.len(), 1);
    assert_eq!(out.replaced[0].status(), SessionStatus::Replaced);
}

#[test]
fn multi_session_mode_accumulates_and_falls_back_on_sign_out() {
    let settings = multi();
    let mut c = Client::new(ClientId::from_random(1), RotatingToken::from_random(1), T0);
    let a = c
        .sign_in(
            &[],
            new_session(&c, 1),
            RotatingToken::from_random(2),
            OnExistingSession::Refuse,
            &settings,
            T0,
        )
        .unwrap()
        .session;
    let mut b = c
        .sign_in(
            std::slice::from_ref(&a),
            new_session(&c, 2),
            RotatingToken::from_random(3),
            OnExistingSession::Refuse,
            &settings,
            LATER,
        )
        .unwrap()
        .session;
    assert_eq!(c.last_active_session_id(), Some(b.id()));
    b.end(LATER).unwrap();
    c.session_left(b.id(), &[a.clone(), b.clone()], LATER);
    assert_eq!(c.last_active_session_id(), Some(a.id()));

    let changed = c.sign_out_all(&[a, b], true, LATER);
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].status(), SessionStatus::Removed);
    assert_eq!(c.last_active_session_id(), None);
}

#[test]
fn a_session_of_another_client_cannot_be_signed_in_here() {
    let mut c = Client::new(ClientId::from_random(1), RotatingToken::from_random(1), T0);
    let other = Client::new(ClientId::from_random(2), RotatingToken::from_random(1), T0);
    let err = c
        .sign_in(
            &[],
            new_session(&other, 1),
            RotatingToken::from_random(2),
            OnExistingSession::Refuse,
            &InstanceSettings::default(),
            T0,
        )
        .unwrap_err();
    assert!(matches!(err, ClientError::ForeignSession(_)));
}

const DAY: Duration = Duration::from_secs(86_400);

fn client() -> Client {
    Client::new(ClientId::from_random(1), RotatingToken::from_random(1), T0)
}

/// A client with two live sessions signed in at T0 and LATER (multi-session).
fn client_with_two_sessions() -> (Client, Session, Session) {
    let settings = multi();
    let mut c = client();
    let sign_in = |c: &mut Client, existing: &[Session], n: u128, at: UnixMillis| {
        let new = new_session(c, n);
        c.sign_in(
            existing,
            new,
            RotatingToken::from_random(n + 10),
            OnExistingSession::Refuse,
            &settings,
            at,
        )
        .unwrap()
        .session
    };
    let a = sign_in(&mut c, &[], 1, T0);
    let b = sign_in(&mut c, std::slice::from_ref(&a), 2, LATER);
    (c, a, b)
}

#[test]
fn the_client_cookie_lives_one_year_after_the_clients_last_change() {
    let year = Duration::from_secs(365 * 86_400);
    assert_eq!(CLIENT_COOKIE_LIFETIME, year);
    let mut c = client();
    assert_eq!(c.cookie_expires_at(), T0.saturating_add(year));
    c.sign_out_all(&[], false, LATER);
    assert_eq!(c.cookie_expires_at(), LATER.saturating_add(year));
}

#[test]
fn a_stored_rotating_token_is_1_to_64_ascii_letters_or_digits() {
    let max = "aZ09".repeat(16);
    for good in ["a", "Z", "7", max.as_str()] {
        let token = RotatingToken::parse(good).unwrap();
        assert_eq!(token.expose(), good);
    }
    let too_long = format!("{max}a");
    for bad in [
        "",
        too_long.as_str(),
        "abc-def",
        "abc def",
        "abc+/=",
        "\u{e9}t\u{e9}",
    ] {
        assert_eq!(RotatingToken::parse(bad), None, "{bad:?}");
    }
    let random = RotatingToken::from_random(u128::MAX);
    assert_eq!(RotatingToken::parse(random.expose()), Some(random));
}

#[test]
fn a_rotating_token_never_shows_in_debug_output() {
    let token = RotatingToken::parse("s3cretRotatingValue").unwrap();
    assert_eq!(format!("{token:?}"), "RotatingToken(..)");
    let c = Client::new(ClientId::from_random(1), token, T0);
    assert!(!format!("{c:?}").contains("s3cret"));
}

#[test]
fn a_live_session_of_the_client_becomes_the_last_active_one() {
    let (mut c, a, b) = client_with_two_sessions();
    assert_eq!(c.last_active_session_id(), Some(b.id()));
    let at = LATER.saturating_add(Duration::from_secs(60));
    c.set_last_active(&a, at).unwrap();
    assert_eq!(c.last_active_session_id(), Some(a.id()));
    assert_eq!(c.updated_at(), at);

    // Already the last active one: nothing changes, nothing to store.
    let before = c.clone();
    c.set_last_active(&a, at.saturating_add(Duration::from_secs(60)))
        .unwrap();
    assert_eq!(c, before);
}

#[test]
fn a_session_of_another_client_cannot_become_the_last_active_one() {
    let (mut c, _, _) = client_with_two_sessions();
    let other = Client::new(ClientId::from_random(9), RotatingToken::from_random(9), T0);
    let foreign = Session::start(new_session(&other, 7), &multi(), T0);
    let before = c.clone();
    assert_eq!(
        c.set_last_active(&foreign, LATER),
        Err(ClientError::ForeignSession(foreign.id().clone()))
    );
    assert_eq!(c, before);
}

#[test]
fn a_session_that_is_no_longer_live_cannot_become_the_last_active_one() {
    let (mut c, mut a, _) = client_with_two_sessions();
    let before = c.clone();
    // Past its deadline, though still stored as active.
    let expired = T0.saturating_add(7 * DAY);
    assert_eq!(
        c.set_last_active(&a, expired),
        Err(ClientError::Transition(TransitionError::Terminal {
            status: SessionStatus::Expired,
            action: "touch",
        }))
    );
    a.end(LATER).unwrap();
    assert_eq!(
        c.set_last_active(&a, LATER),
        Err(ClientError::Transition(TransitionError::Terminal {
            status: SessionStatus::Ended,
            action: "touch",
        }))
    );
    assert_eq!(c, before);
}

#[test]
fn when_the_last_active_session_leaves_the_most_recent_live_one_takes_its_place() {
    let (mut c, a, mut b) = client_with_two_sessions();
    let at = LATER.saturating_add(Duration::from_secs(60));
    // `b` is the most recently active, but it is the one leaving.
    b.end(at).unwrap();
    c.session_left(b.id(), &[b.clone(), a.clone()], at);
    assert_eq!(c.last_active_session_id(), Some(a.id()));

    // A session leaving that was not the last active one changes nothing
    // but `updated_at`.
    let (mut c, mut a, b) = client_with_two_sessions();
    a.end(at).unwrap();
    c.session_left(a.id(), &[a.clone(), b.clone()], at);
    assert_eq!(c.last_active_session_id(), Some(b.id()));
    assert_eq!(c.updated_at(), at);

    // No live session left: none is the last active one.
    let (mut c, mut a, mut b) = client_with_two_sessions();
    a.end(at).unwrap();
    b.end(at).unwrap();
    c.session_left(b.id(), &[a, b.clone()], at);
    assert_eq!(c.last_active_session_id(), None);
}

#[test]
fn a_client_is_signed_in_while_one_of_its_sessions_is_live() {
    let (_, a, mut b) = client_with_two_sessions();
    assert!(!Client::is_signed_in(&[], LATER));
    assert!(Client::is_signed_in(&[a.clone(), b.clone()], LATER));
    b.end(LATER).unwrap();
    assert!(Client::is_signed_in(&[a.clone(), b.clone()], LATER));
    assert!(!Client::is_signed_in(std::slice::from_ref(&b), LATER));
    // Until the moment the last live one expires.
    let expiry = a.expire_at();
    assert!(Client::is_signed_in(
        std::slice::from_ref(&a),
        expiry.saturating_sub(Duration::from_millis(1))
    ));
    assert!(!Client::is_signed_in(&[a, b], expiry));
}
