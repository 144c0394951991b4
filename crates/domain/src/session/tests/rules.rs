//! The rules of `docs/session-lifecycle.md`, one test per rule, each
//! boundary checked on both sides.

use super::*;

const MS: Duration = Duration::from_millis(1);

fn at(d: Duration) -> UnixMillis {
    T0.saturating_add(d)
}

fn org(id: &str) -> OrganizationId {
    OrganizationId::parse(id).unwrap()
}

#[test]
fn only_pending_and_active_are_live_and_every_other_status_is_terminal() {
    // The "live?" column of the status table in docs/session-lifecycle.md.
    let table = [
        (SessionStatus::Pending, true),
        (SessionStatus::Active, true),
        (SessionStatus::Ended, false),
        (SessionStatus::Removed, false),
        (SessionStatus::Revoked, false),
        (SessionStatus::Expired, false),
        (SessionStatus::Abandoned, false),
        (SessionStatus::Replaced, false),
    ];
    assert_eq!(table.map(|(s, _)| s), SessionStatus::ALL);
    for (status, live) in table {
        assert_eq!(status.is_live(), live, "{status}");
        assert_eq!(status.is_terminal(), !live, "{status}");
    }
}

#[test]
fn a_session_is_live_until_the_millisecond_its_maximum_lifetime_ends() {
    let settings = settings_with(Some(7 * DAY), None);
    let s = active(&settings);
    assert_eq!(s.expire_at(), at(7 * DAY));
    assert!(s.is_live_at(at(7 * DAY - MS)));
    assert_eq!(s.status_at(at(7 * DAY - MS)), SessionStatus::Active);
    assert!(!s.is_live_at(at(7 * DAY)));
    assert_eq!(s.status_at(at(7 * DAY)), SessionStatus::Expired);
}

#[test]
fn an_idle_session_expires_exactly_one_inactivity_timeout_after_its_last_activity() {
    let settings = settings_with(None, Some(DAY));
    let mut s = active(&settings);
    assert!(s.is_live_at(at(DAY - MS)));
    assert!(!s.is_live_at(at(DAY)));

    // Activity moves the deadline: one timeout after the activity.
    let touched = at(DAY / 2);
    assert_eq!(
        s.record_activity(touched, &settings),
        Ok(Activity::Recorded)
    );
    let deadline = touched.saturating_add(DAY);
    assert_eq!(s.expire_at(), deadline);
    assert!(s.is_live_at(deadline.saturating_sub(MS)));
    assert!(!s.is_live_at(deadline));
}

#[test]
fn an_expired_session_is_abandoned_only_from_abandon_at() {
    let s = active(&InstanceSettings::default());
    assert_eq!(s.abandon_at(), at(30 * DAY));
    assert_eq!(s.status_at(at(30 * DAY - MS)), SessionStatus::Expired);
    assert_eq!(s.status_at(at(30 * DAY)), SessionStatus::Abandoned);
    assert!(!s.is_live_at(at(30 * DAY)));
}

#[test]
fn a_pending_session_expires_and_is_abandoned_like_an_active_one() {
    let settings = InstanceSettings::default();
    let s = Session::start(new_session(vec![SessionTask::SetupMfa]), &settings, T0);
    assert!(s.is_live_at(at(7 * DAY - MS)));
    assert_eq!(s.status_at(at(7 * DAY - MS)), SessionStatus::Pending);
    assert_eq!(s.status_at(at(7 * DAY)), SessionStatus::Expired);
    assert_eq!(s.status_at(at(30 * DAY)), SessionStatus::Abandoned);
}

#[test]
fn time_does_not_relabel_a_session_that_ended_before_its_deadlines() {
    let mut s = active(&InstanceSettings::default());
    s.end(at(MIN)).unwrap();
    let ended = s.clone();
    for later in [at(7 * DAY), at(30 * DAY), at(400 * DAY)] {
        assert_eq!(s.status_at(later), SessionStatus::Ended);
        assert!(!s.is_live_at(later));
        assert!(!s.observe(later), "observing an ended session changed it");
        assert_eq!(s, ended);
    }
}

#[test]
fn observe_changes_nothing_before_the_first_deadline() {
    let mut s = active(&InstanceSettings::default());
    let before = s.clone();
    assert!(!s.observe(at(7 * DAY - MS)));
    assert_eq!(s, before);
}

#[test]
fn observe_dates_an_expiry_at_expire_at_however_late_it_is_noticed() {
    let mut s = active(&InstanceSettings::default());
    assert!(s.observe(at(8 * DAY)));
    assert_eq!(s.status(), SessionStatus::Expired);
    assert_eq!(s.updated_at(), at(7 * DAY));
}

#[test]
fn observe_dates_an_abandonment_at_abandon_at_however_late_it_is_noticed() {
    let mut s = active(&InstanceSettings::default());
    assert!(s.observe(at(45 * DAY)));
    assert_eq!(s.status(), SessionStatus::Abandoned);
    assert_eq!(s.updated_at(), at(30 * DAY));
    assert!(!s.observe(at(46 * DAY)));
    assert_eq!(s.updated_at(), at(30 * DAY));
}

#[test]
fn activity_is_recorded_from_the_moment_the_write_interval_has_elapsed() {
    let settings = settings_with(Some(7 * DAY), Some(DAY));
    let mut s = active(&settings);
    assert_eq!(
        s.record_activity(at(MIN - MS), &settings),
        Ok(Activity::Throttled)
    );
    assert_eq!((s.last_active_at(), s.updated_at()), (T0, T0));
    assert_eq!(
        s.record_activity(at(MIN), &settings),
        Ok(Activity::Recorded)
    );
    assert_eq!(s.last_active_at(), at(MIN));
    assert_eq!(s.updated_at(), at(MIN));
}

#[test]
fn without_a_write_interval_activity_is_recorded_whenever_the_clock_moved_forward() {
    let settings = settings_with(Some(7 * DAY), Some(DAY));
    let settings = InstanceSettings::new(*settings.lifetime(), Duration::ZERO, MIN, false).unwrap();
    let mut s = active(&settings);
    // The same millisecond, or a clock that went back: nothing to store.
    assert_eq!(s.record_activity(T0, &settings), Ok(Activity::Throttled));
    assert_eq!(s.record_activity(at(MS), &settings), Ok(Activity::Recorded));
    assert_eq!(s.last_active_at(), at(MS));
    assert_eq!(s.record_activity(T0, &settings), Ok(Activity::Throttled));
    assert_eq!(s.last_active_at(), at(MS));
}

#[test]
fn the_backend_may_make_any_organization_active_and_hears_whether_it_changed() {
    let mut s = in_org(None);
    assert_eq!(
        s.set_active_organization(Some(org("org_a")), at(MIN)),
        Ok(true)
    );
    assert_eq!(s.last_active_organization_id(), Some(&org("org_a")));
    assert_eq!(s.updated_at(), at(MIN));

    // The same organization again: unchanged, nothing to store.
    let before = s.clone();
    assert_eq!(
        s.set_active_organization(Some(org("org_a")), at(2 * MIN)),
        Ok(false)
    );
    assert_eq!(s, before);

    assert_eq!(
        s.set_active_organization(Some(org("org_b")), at(3 * MIN)),
        Ok(true)
    );
    assert_eq!(s.last_active_organization_id(), Some(&org("org_b")));
    assert_eq!(s.set_active_organization(None, at(4 * MIN)), Ok(true));
    assert_eq!(s.last_active_organization_id(), None);
    assert_eq!(s.set_active_organization(None, at(5 * MIN)), Ok(false));
    assert_eq!(s.updated_at(), at(4 * MIN));
}

#[test]
fn an_organization_cannot_be_made_active_on_a_session_that_is_no_longer_live() {
    let mut s = in_org(Some("org_a"));
    let expired = at(7 * DAY);
    assert_eq!(
        s.set_active_organization(Some(org("org_b")), expired),
        Err(TransitionError::Terminal {
            status: SessionStatus::Expired,
            action: "touch",
        })
    );
    assert_eq!(s.last_active_organization_id(), Some(&org("org_a")));
}

#[test]
fn the_factor_verification_age_counts_whole_minutes_since_sign_in_and_no_second_factor() {
    let s = active(&InstanceSettings::default());
    for (elapsed, minutes) in [
        (Duration::ZERO, 0),
        (MIN - MS, 0),
        (MIN, 1),
        (2 * MIN - MS, 1),
        (90 * MIN, 90),
        (DAY, 1440),
    ] {
        assert_eq!(
            s.factor_verification_age(at(elapsed)),
            (minutes, -1),
            "{elapsed:?} after sign-in"
        );
    }
    // A clock behind the sign-in reads as no time at all.
    assert_eq!(s.factor_verification_age(T0.saturating_sub(MIN)), (0, -1));
}

#[test]
fn task_keys_round_trip_and_unknown_keys_are_refused() {
    for task in SessionTask::ALL {
        assert_eq!(SessionTask::parse(task.as_str()), Some(task));
    }
    assert_eq!(
        SessionTask::ALL.map(SessionTask::as_str),
        ["choose-organization", "reset-password", "setup-mfa"]
    );
    assert_eq!(SessionTask::parse("setup_mfa"), None);
    assert_eq!(SessionTask::parse(""), None);
}

#[test]
fn actor_values_are_1_to_256_characters_counted_as_characters() {
    let text = |n: usize| "é".repeat(n);
    let actor = Actor::new(text(256), Some(text(1)), Some(text(256))).unwrap();
    assert_eq!(actor.sub(), text(256));
    assert_eq!(actor.iss(), Some(text(1).as_str()));
    assert_eq!(actor.sid(), Some(text(256).as_str()));
    assert_eq!(
        Actor::new(text(257), None, None),
        Err(InvalidActor { field: "sub" })
    );
    assert_eq!(
        Actor::new("a".into(), Some(String::new()), None),
        Err(InvalidActor { field: "iss" })
    );
    assert_eq!(
        Actor::new("a".into(), None, Some(text(257))),
        Err(InvalidActor { field: "sid" })
    );
    assert_eq!(
        Actor::new("tab\there".into(), None, None),
        Err(InvalidActor { field: "sub" })
    );
}

#[test]
fn a_session_survives_the_trip_through_its_stored_record() {
    let new = NewSession {
        actor: Some(Actor::new("user_admin".into(), None, None).unwrap()),
        active_organization_id: Some(org("org_a")),
        ..new_session(vec![SessionTask::ResetPassword])
    };
    let settings = settings_with(Some(7 * DAY), Some(DAY));
    let mut s = Session::start(new, &settings, T0);
    s.record_activity(at(MIN), &settings).unwrap();
    let r = s.to_record();
    assert_eq!(r.id, SessionId::from_random(1));
    assert_eq!(r.client_id, ClientId::from_random(2));
    assert_eq!(r.user_id, UserId::parse("user_1").unwrap());
    assert_eq!(r.status, SessionStatus::Pending);
    assert_eq!(r.actor.as_ref().map(Actor::sub), Some("user_admin"));
    assert_eq!(r.last_active_organization_id, Some(org("org_a")));
    assert_eq!(r.tasks, vec![SessionTask::ResetPassword]);
    assert_eq!(r.last_active_at, at(MIN));
    assert_eq!(r.expire_at, at(MIN + DAY));
    assert_eq!(r.abandon_at, at(30 * DAY));
    assert_eq!((r.created_at, r.updated_at), (T0, at(MIN)));
    let back = Session::from_record(r);
    assert_eq!(back, s);
    assert_eq!(back.id(), s.id());
    assert_eq!(back.client_id(), &ClientId::from_random(2));
    assert_eq!(back.user_id(), s.user_id());
    // An impersonated session stays impersonated (the tokens' `act` claim).
    assert_eq!(back.actor().map(Actor::sub), Some("user_admin"));
    assert_eq!(back.tasks(), [SessionTask::ResetPassword]);
    assert_eq!(back.created_at(), T0);
}
