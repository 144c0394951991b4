use std::time::Duration;

use proptest::prelude::*;

use super::*;
use crate::settings::{InstanceSettings, SessionLifetime};

const MIN: Duration = Duration::from_secs(60);
const DAY: Duration = Duration::from_secs(86_400);
const T0: UnixMillis = UnixMillis::new(1_700_000_000_000);

fn new_session(tasks: Vec<SessionTask>) -> NewSession {
    NewSession {
        id: SessionId::from_random(1),
        client_id: ClientId::from_random(2),
        user_id: UserId::parse("user_1").unwrap(),
        actor: None,
        active_organization_id: None,
        tasks,
    }
}

fn settings_with(max: Option<Duration>, idle: Option<Duration>) -> InstanceSettings {
    InstanceSettings::new(
        SessionLifetime::new(max, idle, 30 * DAY).unwrap(),
        MIN,
        MIN,
        false,
    )
    .unwrap()
}

fn active(settings: &InstanceSettings) -> Session {
    Session::start(new_session(vec![]), settings, T0)
}

#[test]
fn a_new_session_is_active_with_clerks_default_deadlines() {
    let s = active(&InstanceSettings::default());
    assert_eq!(s.status(), SessionStatus::Active);
    assert_eq!(s.expire_at(), T0.saturating_add(7 * DAY));
    assert_eq!(s.abandon_at(), T0.saturating_add(30 * DAY));
    assert_eq!(s.last_active_at(), T0);
}

#[test]
fn a_session_with_tasks_starts_pending_and_activates_when_they_are_done() {
    let mut s = Session::start(
        new_session(vec![SessionTask::ChooseOrganization]),
        &InstanceSettings::default(),
        T0,
    );
    assert_eq!(s.status(), SessionStatus::Pending);
    s.complete_tasks(T0.saturating_add(MIN)).unwrap();
    assert_eq!(s.status(), SessionStatus::Active);
    assert!(s.tasks().is_empty());
    assert_eq!(
        s.complete_tasks(T0.saturating_add(MIN)),
        Err(TransitionError::NoTasks {
            status: SessionStatus::Active
        })
    );
}

#[test]
fn terminal_sessions_refuse_every_action() {
    let settings = InstanceSettings::default();
    let mut s = active(&settings);
    s.end(T0).unwrap();
    for action in SessionAction::ALL {
        let before = s.clone();
        let result = s.apply(action, T0.saturating_add(MIN), &settings);
        assert!(
            matches!(
                result,
                Err(TransitionError::Terminal {
                    status: SessionStatus::Ended,
                    ..
                })
            ),
            "{action:?}: {result:?}"
        );
        assert_eq!(s, before, "{action:?} changed a terminal session");
    }
}

#[test]
fn revoking_twice_returns_the_revoked_session_unchanged() {
    let mut s = active(&InstanceSettings::default());
    s.revoke(T0.saturating_add(MIN)).unwrap();
    let once = s.clone();
    s.revoke(T0.saturating_add(2 * MIN)).unwrap();
    assert_eq!(s, once);
}

#[test]
fn revoking_an_ended_session_does_not_resurrect_or_relabel_it() {
    let mut s = active(&InstanceSettings::default());
    s.end(T0).unwrap();
    assert!(s.revoke(T0).is_err());
    assert_eq!(s.status(), SessionStatus::Ended);
}

#[test]
fn time_expires_a_session_at_expire_at_and_abandons_it_at_abandon_at() {
    let settings = InstanceSettings::default();
    let s = active(&settings);
    let just_before = s.expire_at().saturating_sub(Duration::from_millis(1));
    assert_eq!(s.status_at(just_before), SessionStatus::Active);
    assert_eq!(s.status_at(s.expire_at()), SessionStatus::Expired);
    assert_eq!(s.status_at(s.abandon_at()), SessionStatus::Abandoned);

    let mut observed = s.clone();
    assert!(observed.observe(s.expire_at()));
    assert_eq!(observed.status(), SessionStatus::Expired);
    assert_eq!(observed.updated_at(), s.expire_at());
    // Expired is terminal: later time does not relabel it abandoned.
    assert!(!observed.observe(s.abandon_at()));
    assert_eq!(observed.status(), SessionStatus::Expired);
}

#[test]
fn activity_is_throttled_to_one_write_per_interval() {
    let settings = settings_with(Some(7 * DAY), Some(DAY));
    let mut s = active(&settings);
    let t = T0.saturating_add(Duration::from_secs(30));
    assert_eq!(s.record_activity(t, &settings), Ok(Activity::Throttled));
    assert_eq!(s.last_active_at(), T0);
    let t = T0.saturating_add(MIN);
    assert_eq!(s.record_activity(t, &settings), Ok(Activity::Recorded));
    assert_eq!(s.last_active_at(), t);
    assert_eq!(s.expire_at(), t.saturating_add(DAY));
}

#[test]
fn inactivity_timeout_slides_but_never_past_the_maximum_lifetime() {
    let settings = settings_with(Some(2 * DAY), Some(DAY));
    let mut s = active(&settings);
    assert_eq!(s.expire_at(), T0.saturating_add(DAY));
    let later = T0.saturating_add(DAY + DAY / 2 - MIN);
    // Past the first sliding expiry (T0 + 1 day): the session is gone.
    assert!(s.record_activity(later, &settings).is_err());
    assert_eq!(s.status(), SessionStatus::Expired);

    let mut s = active(&settings);
    let t = T0.saturating_add(DAY - MIN);
    s.record_activity(t, &settings).unwrap();
    assert_eq!(s.expire_at(), t.saturating_add(DAY));
    let t = t.saturating_add(DAY - MIN);
    s.record_activity(t, &settings).unwrap();
    // The sliding deadline would be later; the absolute one caps it.
    assert_eq!(s.expire_at(), T0.saturating_add(2 * DAY));
}

#[test]
fn inactivity_only_policy_keeps_abandon_at_after_expire_at() {
    let settings = settings_with(None, Some(DAY));
    let mut s = active(&settings);
    let mut t = T0;
    for _ in 0..60 {
        t = t.saturating_add(DAY / 2);
        s.record_activity(t, &settings).unwrap();
        assert!(s.abandon_at() >= s.expire_at());
    }
    assert_eq!(s.status(), SessionStatus::Active);
}

fn in_org(org: Option<&str>) -> Session {
    let new = NewSession {
        active_organization_id: org.map(|o| OrganizationId::parse(o).unwrap()),
        ..new_session(vec![])
    };
    Session::start(new, &InstanceSettings::default(), T0)
}

fn org(id: &str) -> OrganizationId {
    OrganizationId::parse(id).unwrap()
}

/// `user`'s membership in `organization`, as the caller would find it.
fn membership(user: &str, organization: &str) -> Membership {
    use crate::organization::{NewOrganization, Organization, OrganizationName};
    let o = Organization::create(
        NewOrganization::named(OrganizationName::parse("Acme").unwrap()),
        org(organization),
        T0,
    );
    Membership::create(
        &o,
        UserId::parse(user).unwrap(),
        crate::membership::NewMembership::default(),
        0,
        &crate::role::RoleSet::default(),
        crate::id::OrganizationMembershipId::from_random(9),
        T0,
    )
    .unwrap()
}

fn choose(id: &str) -> OrganizationChoice {
    OrganizationChoice::Organization(org(id))
}

#[test]
fn a_browser_cannot_make_an_organization_it_does_not_belong_to_active() {
    // The hole: a browser naming someone else's organization, no membership.
    let mut s = in_org(None);
    assert!(!s.may_select_organization(&choose("org_someone_elses_company"), None));
    assert_eq!(
        s.select_organization(choose("org_someone_elses_company"), None, T0),
        Err(SelectOrganizationError::NotAMember(org(
            "org_someone_elses_company"
        )))
    );
    assert_eq!(s.last_active_organization_id(), None);
    assert_eq!(s.updated_at(), T0);
    // Someone else's membership in that organization does not count.
    let theirs = membership("user_2", "org_someone_elses_company");
    assert_eq!(
        s.select_organization(choose("org_someone_elses_company"), Some(&theirs), T0),
        Err(SelectOrganizationError::NotAMember(org(
            "org_someone_elses_company"
        )))
    );
    // Nor does this user's membership in another organization.
    let mine_elsewhere = membership("user_1", "org_mine");
    let mut s = in_org(Some("org_mine"));
    assert_eq!(
        s.select_organization(choose("org_other"), Some(&mine_elsewhere), T0),
        Err(SelectOrganizationError::NotAMember(org("org_other")))
    );
    assert_eq!(s.last_active_organization_id(), Some(&org("org_mine")));
}

#[test]
fn a_member_makes_the_organization_active_and_hears_whether_it_changed() {
    let mine = membership("user_1", "org_mine");
    let mut s = in_org(None);
    assert!(s.may_select_organization(&choose("org_mine"), Some(&mine)));
    let later = T0.saturating_add(MIN);
    assert_eq!(
        s.select_organization(choose("org_mine"), Some(&mine), later),
        Ok(true)
    );
    assert_eq!(s.last_active_organization_id(), Some(&org("org_mine")));
    assert_eq!(s.updated_at(), later);
    // Already active: unchanged, nothing to store.
    assert_eq!(
        s.select_organization(choose("org_mine"), Some(&mine), later.saturating_add(MIN)),
        Ok(false)
    );
    assert_eq!(s.updated_at(), later);
}

#[test]
fn keeping_an_organization_needs_a_membership_too() {
    // Made active by the Backend API, the membership since removed: a
    // browser cannot re-select it.
    let mut s = in_org(Some("org_mine"));
    assert_eq!(
        s.select_organization(choose("org_mine"), None, T0),
        Err(SelectOrganizationError::NotAMember(org("org_mine")))
    );
}

#[test]
fn a_gone_organization_is_forgotten_only_while_it_is_the_active_one() {
    let later = T0.saturating_add(MIN);
    // The active one: forgotten, and the change is dated.
    let mut s = in_org(Some("org_mine"));
    assert!(s.forget_organization(&org("org_mine"), later));
    assert_eq!(s.last_active_organization_id(), None);
    assert_eq!(s.updated_at(), later);
    // Already forgotten, or another organization (chosen since): unchanged.
    assert!(!s.forget_organization(&org("org_mine"), later.saturating_add(MIN)));
    let mut s = in_org(Some("org_new"));
    assert!(!s.forget_organization(&org("org_mine"), later));
    assert_eq!(s.last_active_organization_id(), Some(&org("org_new")));
    assert_eq!(s.updated_at(), T0);
    // A session that ended forgets too (it only takes away), and time never
    // goes back.
    let mut s = in_org(Some("org_mine"));
    s.end(later).unwrap();
    assert!(s.forget_organization(&org("org_mine"), T0));
    assert_eq!(s.last_active_organization_id(), None);
    assert_eq!(s.updated_at(), later);
}

#[test]
fn a_browser_may_always_leave_for_the_personal_account() {
    let mut s = in_org(Some("org_mine"));
    assert!(s.may_select_organization(&OrganizationChoice::Personal, None));
    assert_eq!(
        s.select_organization(OrganizationChoice::Personal, None, T0.saturating_add(MIN)),
        Ok(true)
    );
    assert_eq!(s.last_active_organization_id(), None);
    assert_eq!(s.updated_at(), T0.saturating_add(MIN));
    // A personal account stays personal.
    assert_eq!(
        s.select_organization(OrganizationChoice::Personal, None, T0.saturating_add(MIN)),
        Ok(false)
    );
    assert_eq!(OrganizationChoice::from(None), OrganizationChoice::Personal);
    assert_eq!(
        OrganizationChoice::from(Some(org("org_a"))),
        choose("org_a")
    );
}

#[test]
fn an_ended_session_refuses_an_organization_before_judging_it() {
    let mine = membership("user_1", "org_mine");
    let mut s = in_org(Some("org_mine"));
    s.end(T0).unwrap();
    let refused = s.select_organization(choose("org_mine"), Some(&mine), T0);
    assert!(
        matches!(refused, Err(SelectOrganizationError::Transition(_))),
        "{refused:?}"
    );
    assert!(matches!(
        s.select_organization(OrganizationChoice::Personal, None, T0),
        Err(SelectOrganizationError::Transition(_))
    ));
}

#[test]
fn status_names_round_trip() {
    for status in SessionStatus::ALL {
        assert_eq!(status.as_str().parse::<SessionStatus>(), Ok(status));
    }
    assert!("bogus".parse::<SessionStatus>().is_err());
}

#[derive(Debug, Clone)]
enum Step {
    Act(SessionAction),
    Wait(u64),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        proptest::sample::select(SessionAction::ALL.to_vec()).prop_map(Step::Act),
        // Clock jumps from one second to 40 days.
        (1u64..40 * 86_400).prop_map(Step::Wait),
    ]
}

fn policy() -> impl Strategy<Value = InstanceSettings> {
    (
        proptest::option::of(1u64..20),
        proptest::option::of(1u64..20),
        0u64..600,
    )
        .prop_filter_map("needs a limit", |(max, idle, interval)| {
            let max = max.map(|d| DAY * u32::try_from(d).unwrap());
            let idle = idle.map(|d| DAY * u32::try_from(d).unwrap());
            let lifetime = SessionLifetime::new(max, idle, 20 * DAY).ok()?;
            InstanceSettings::new(lifetime, Duration::from_secs(interval), MIN, false).ok()
        })
}

proptest! {
    #[test]
    fn no_sequence_of_commands_and_clock_jumps_breaks_the_invariants(
        settings in policy(),
        tasks in proptest::bool::ANY,
        steps in proptest::collection::vec(step(), 1..60),
    ) {
        let tasks = if tasks { vec![SessionTask::SetupMfa] } else { vec![] };
        let mut s = Session::start(new_session(tasks), &settings, T0);
        let mut now = T0;
        let mut terminal: Option<SessionStatus> = None;
        for step in steps {
            match step {
                Step::Wait(secs) => now = now.saturating_add(Duration::from_secs(secs)),
                Step::Act(action) => {
                    let before = s.clone();
                    let result = s.apply(action, now, &settings);
                    if let Some(t) = terminal {
                        // Terminal stays terminal, unchanged, with an error value
                        // (idempotent revoke of a revoked session excepted).
                        prop_assert_eq!(s.status(), t);
                        prop_assert_eq!(&s, &before);
                        if !(t == SessionStatus::Revoked && action == SessionAction::Revoke) {
                            prop_assert!(result.is_err());
                        }
                    }
                }
            }
            s.observe(now);
            if let Some(max) = settings.lifetime().max_lifetime() {
                prop_assert!(s.expire_at() <= s.created_at().saturating_add(max));
            }
            prop_assert!(s.abandon_at() >= s.expire_at());
            if s.status().is_live() {
                prop_assert!(terminal.is_none(), "a {:?} session became live again", terminal);
                prop_assert!(now < s.expire_at());
            } else if terminal.is_none() {
                terminal = Some(s.status());
            }
        }
    }
}

#[test]
fn actors_refuse_control_characters_and_empty_values() {
    assert!(Actor::new("user_admin".into(), Some("https://x.example".into()), None).is_ok());
    assert_eq!(
        Actor::new("".into(), None, None),
        Err(InvalidActor { field: "sub" })
    );
    assert_eq!(
        Actor::new("a".into(), Some("nul\u{0}byte".into()), None),
        Err(InvalidActor { field: "iss" })
    );
    assert_eq!(
        Actor::new("a".into(), None, Some("line\nbreak".into())),
        Err(InvalidActor { field: "sid" })
    );
}

/// Renders the transition table from the code itself: every status × every
/// action and the two deadlines.
fn transition_table() -> String {
    let settings = InstanceSettings::default();
    let fresh = |tasks: bool| {
        Session::start(
            new_session(if tasks {
                vec![SessionTask::SetupMfa]
            } else {
                vec![]
            }),
            &settings,
            T0,
        )
    };
    let reach = |status: SessionStatus| -> Session {
        let mut s = fresh(status == SessionStatus::Pending);
        let t = T0.saturating_add(MIN);
        match status {
            SessionStatus::Pending | SessionStatus::Active => {}
            SessionStatus::Ended => s.end(t).unwrap(),
            SessionStatus::Removed => s.remove(t).unwrap(),
            SessionStatus::Revoked => s.revoke(t).unwrap(),
            SessionStatus::Replaced => s.replace(t).unwrap(),
            SessionStatus::Expired => {
                let at = s.expire_at();
                assert!(s.observe(at));
            }
            SessionStatus::Abandoned => {
                let at = s.abandon_at();
                assert!(s.observe(at));
            }
        }
        assert_eq!(s.status(), status);
        s
    };
    let mut out = String::from("| from \\ action |");
    for action in SessionAction::ALL {
        out.push_str(&format!(" `{}` |", action.as_str()));
    }
    out.push_str(" time reaches `expire_at` | time reaches `abandon_at` |\n|---|");
    for _ in 0..SessionAction::ALL.len() + 2 {
        out.push_str("---|");
    }
    out.push('\n');
    for status in SessionStatus::ALL {
        out.push_str(&format!("| `{status}` |"));
        let now = T0.saturating_add(2 * MIN);
        for action in SessionAction::ALL {
            let mut s = reach(status);
            let before = s.clone();
            let cell = match s.apply(action, now, &settings) {
                Ok(()) if s == before => "no change".to_owned(),
                Ok(()) if s.status() == status => format!("`{status}` (updated)"),
                Ok(()) => format!("**`{}`**", s.status()),
                Err(_) => "refused".to_owned(),
            };
            out.push_str(&format!(" {cell} |"));
        }
        for deadline in [reach(status).expire_at(), reach(status).abandon_at()] {
            let mut s = reach(status);
            let cell = if s.observe(deadline) {
                format!("**`{}`**", s.status())
            } else {
                "stays".to_owned()
            };
            out.push_str(&format!(" {cell} |"));
        }
        out.push('\n');
    }
    out
}

#[test]
fn the_transition_table_in_the_docs_matches_the_code() {
    const BEGIN: &str = "<!-- transition-table:begin -->\n";
    const END: &str = "<!-- transition-table:end -->";
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/session-lifecycle.md"
    );
    let doc = std::fs::read_to_string(path).expect("docs/session-lifecycle.md");
    let (head, rest) = doc.split_once(BEGIN).expect("begin marker");
    let (current, tail) = rest.split_once(END).expect("end marker");
    let table = transition_table();
    if current != table {
        if std::env::var_os("HALLPASS_BLESS").is_some() {
            std::fs::write(path, format!("{head}{BEGIN}{table}{END}{tail}")).unwrap();
        } else {
            panic!(
                "docs/session-lifecycle.md is out of date with the code.\n\
                 Regenerate it with: HALLPASS_BLESS=1 cargo test -p hallpass-domain transition_table\n\
                 Expected table:\n{table}"
            );
        }
    }
}

mod rules;
