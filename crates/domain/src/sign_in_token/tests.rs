use proptest::prelude::*;

use super::*;

const T0: UnixMillis = UnixMillis::new(1_700_000_000_000);
const HASH: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

fn token(expires_in_secs: Option<i64>) -> SignInToken {
    SignInToken::create(
        SignInTokenId::from_random(1),
        UserId::parse("user_2u").unwrap(),
        HASH.to_owned(),
        expires_in_secs,
        T0,
    )
    .unwrap()
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

#[test]
fn create_defaults_to_thirty_days_and_validates() {
    let t = token(None);
    assert_eq!(t.status(), SignInTokenStatus::Pending);
    assert_eq!(t.expires_at(), T0.saturating_add(secs(2_592_000)));
    assert_eq!(t.created_at(), T0);
    assert_eq!(t.updated_at(), T0);
    assert_eq!(t.token_hash(), HASH);
    assert_eq!(t.user_id().as_str(), "user_2u");
    assert!(t.is_usable_at(T0));

    assert_eq!(token(Some(1)).expires_at(), T0.saturating_add(secs(1)));
    assert_eq!(
        token(Some(315_360_000)).expires_at(),
        T0.saturating_add(secs(315_360_000))
    );
    for bad in [0, -1, 315_360_001, i64::MIN, i64::MAX] {
        let err = SignInToken::create(
            SignInTokenId::from_random(1),
            UserId::parse("user_2u").unwrap(),
            HASH.to_owned(),
            Some(bad),
            T0,
        )
        .unwrap_err();
        assert_eq!(
            err,
            SignInTokenError::OutOfRange {
                param: "expires_in_seconds"
            }
        );
        assert_eq!(err.param(), "expires_in_seconds");
        assert_eq!(
            err.to_string(),
            "expires_in_seconds must be between 1 and 315360000"
        );
    }
    let upper = HASH.to_uppercase();
    let short = &HASH[..63];
    let odd = format!("{}g", &HASH[..63]);
    for bad in ["", upper.as_str(), short, odd.as_str()] {
        assert_eq!(
            SignInToken::create(
                SignInTokenId::from_random(1),
                UserId::parse("user_2u").unwrap(),
                bad.to_owned(),
                None,
                T0,
            ),
            Err(SignInTokenError::InvalidHash),
            "{bad:?}"
        );
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Accept,
    Revoke,
}

#[test]
fn every_transition() {
    use Action::{Accept, Revoke};
    use SignInTokenStatus::{Accepted, Pending, Revoked};
    // (status, past expiry, action) → (result, status after)
    let table = [
        (Pending, false, Accept, Ok(()), Accepted),
        (
            Pending,
            true,
            Accept,
            Err(SignInTokenError::Expired),
            Pending,
        ),
        (Pending, false, Revoke, Ok(()), Revoked),
        (Pending, true, Revoke, Ok(()), Revoked),
        (
            Accepted,
            false,
            Accept,
            Err(SignInTokenError::AlreadyUsed),
            Accepted,
        ),
        (
            Accepted,
            true,
            Accept,
            Err(SignInTokenError::AlreadyUsed),
            Accepted,
        ),
        (
            Accepted,
            false,
            Revoke,
            Err(SignInTokenError::AlreadyUsed),
            Accepted,
        ),
        (
            Accepted,
            true,
            Revoke,
            Err(SignInTokenError::AlreadyUsed),
            Accepted,
        ),
        (
            Revoked,
            false,
            Accept,
            Err(SignInTokenError::Revoked),
            Revoked,
        ),
        (
            Revoked,
            true,
            Accept,
            Err(SignInTokenError::Revoked),
            Revoked,
        ),
        (Revoked, false, Revoke, Ok(()), Revoked),
        (Revoked, true, Revoke, Ok(()), Revoked),
    ];
    for (status, expired, action, result, after) in table {
        let mut record = token(Some(60)).to_record();
        record.status = status;
        let before = SignInToken::from_record(record);
        let now = if expired {
            before.expires_at()
        } else {
            T0.saturating_add(secs(59))
        };
        let mut t = before.clone();
        let got = match action {
            Accept => t.accept(now),
            Revoke => t.revoke(now),
        };
        let case = format!("{status:?} expired={expired} {action:?}");
        assert_eq!(got, result, "{case}");
        assert_eq!(t.status(), after, "{case}");
        if status == after {
            assert_eq!(t, before, "{case}: no change, nothing moves");
        } else {
            assert_eq!(t.updated_at(), now, "{case}");
            assert_eq!(t.expires_at(), before.expires_at(), "{case}");
        }
    }
}

#[test]
fn expiry_is_exclusive() {
    let t = token(Some(60));
    let last = UnixMillis::new(t.expires_at().as_millis() - 1);
    assert!(t.is_usable_at(last));
    assert!(!t.is_usable_at(t.expires_at()));
    let mut ok = t.clone();
    assert_eq!(ok.accept(last), Ok(()));
    let mut late = t;
    assert_eq!(
        late.accept(late.expires_at()),
        Err(SignInTokenError::Expired)
    );
}

#[test]
fn updated_at_never_goes_back() {
    let mut t = token(Some(60));
    let earlier = UnixMillis::new(T0.as_millis() - 5_000);
    t.revoke(earlier).unwrap();
    assert_eq!(t.updated_at(), UnixMillis::new(T0.as_millis() + 1));
}

#[test]
fn records_round_trip_and_statuses_parse() {
    let mut t = token(None);
    t.accept(T0).unwrap();
    assert_eq!(SignInToken::from_record(t.to_record()), t);
    for s in SignInTokenStatus::ALL {
        assert_eq!(SignInTokenStatus::parse(s.as_str()), Some(s));
        assert_eq!(s.as_str().parse::<SignInTokenStatus>(), Ok(s));
        assert_eq!(s.to_string(), s.as_str());
    }
    assert_eq!(SignInTokenStatus::parse("expired"), None);
    assert_eq!(SignInTokenStatus::parse("Pending"), None);
    assert!("".parse::<SignInTokenStatus>().is_err());
}

#[test]
fn errors_name_their_parameter() {
    assert_eq!(SignInTokenError::Expired.param(), "ticket");
    assert_eq!(SignInTokenError::AlreadyUsed.param(), "ticket");
    assert_eq!(SignInTokenError::Revoked.param(), "ticket");
    assert_eq!(SignInTokenError::InvalidHash.param(), "token_hash");
}

#[derive(Debug, Clone)]
enum Step {
    Accept,
    Revoke,
    /// A clock jump in seconds, backwards too (clocks of several servers).
    Jump(i64),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        Just(Step::Accept),
        Just(Step::Revoke),
        (-3_600i64..40 * 86_400).prop_map(Step::Jump),
    ]
}

proptest! {
    #[test]
    fn accepted_at_most_once_and_never_after_expiry_or_revocation(
        lifetime in 1i64..10 * 86_400,
        steps in proptest::collection::vec(step(), 1..40),
    ) {
        let mut t = token(Some(lifetime));
        let mut now = T0;
        let mut accepted = 0;
        let mut revoked = false;
        for step in steps {
            let before = t.clone();
            match step {
                Step::Jump(s) => {
                    now = UnixMillis::new(now.as_millis().saturating_add(s.saturating_mul(1000)));
                }
                Step::Accept => {
                    let usable = t.is_usable_at(now);
                    let result = t.accept(now);
                    prop_assert_eq!(result.is_ok(), usable);
                    if result.is_ok() {
                        accepted += 1;
                        prop_assert!(now < t.expires_at());
                        prop_assert!(!revoked);
                    } else {
                        prop_assert_eq!(&t, &before);
                    }
                }
                Step::Revoke => {
                    let result = t.revoke(now);
                    if before.status() == SignInTokenStatus::Accepted {
                        prop_assert_eq!(result, Err(SignInTokenError::AlreadyUsed));
                        prop_assert_eq!(&t, &before);
                    } else {
                        prop_assert_eq!(result, Ok(()));
                        prop_assert_eq!(t.status(), SignInTokenStatus::Revoked);
                        revoked = true;
                    }
                }
            }
            prop_assert!(accepted <= 1);
            prop_assert!(t.updated_at() >= before.updated_at());
            prop_assert_eq!(t.expires_at(), before.expires_at());
            prop_assert!(!(revoked && t.status() != SignInTokenStatus::Revoked));
        }
    }
}
