//! # hallpass-store-conformance
//!
//! The storage conformance suite: one set of cases, generic over the store
//! ([`hallpass_ports::Store`]), that every storage adapter runs. It is what
//! makes "swap the storage adapter" a tested promise. An adapter runs it from
//! one integration test:
//!
//! ```ignore
//! async fn fresh_store() -> (MyStore, Guard) { /* an empty, migrated store */ }
//!
//! hallpass_store_conformance::storage_conformance_tests!(|| fresh_store());
//! ```
//!
//! which generates one `#[tokio::test]` per case. Each case gets a fresh
//! store, and a guard value that the test holds until it ends (a temporary
//! directory, a database to drop).
//!
//! ## Every case is registered, or the crate does not build
//!
//! The cases live in one module per aggregate (`clients`, `sessions`,
//! `sweeps`, ...) as `pub(crate) async fn case<S: Store>(store: S)`. The
//! registry is the list in [`storage_conformance_tests!`]: from it the crate
//! generates its public entry points ([`cases`]) and an adapter's test
//! generates its tests, so the same list decides both. A case function left
//! out of the list is called by nothing, and this crate denies dead code:
//! adding a case without registering it fails the build ("function `...` is
//! never used"), and registering a name with no case function fails it too.
//! Cases stay `pub(crate)` (`unreachable_pub` is denied as well), so a `pub`
//! case cannot dodge the dead-code check.

#![deny(dead_code, unreachable_pub)]
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod client_reads;
mod clients;
mod dev_browsers;
mod handshake_nonces;
mod instance;
mod memberships;
mod minting;
mod organizations;
mod passwords;
mod refresh_tokens;
mod session_activities;
mod session_lists;
mod sessions;
mod sign_in_tokens;
mod support;
mod sweeps;
mod templates;
mod user_lists;
mod user_removal;
mod users;

/// Generates one `#[tokio::test]` per conformance case. `$make` is an
/// expression evaluating to a closure that returns a future of
/// `(fresh_store, guard)`; the guard is dropped when the case ends.
///
/// The list below is the suite's registry (see the crate's documentation).
#[macro_export]
macro_rules! storage_conformance_tests {
    ($make:expr) => {
        $crate::storage_conformance_tests!(@each tests [$make]);
    };
    (@each $then:ident $args:tt) => {
        $crate::storage_conformance_tests!(@$then $args
            instance::instance_is_created_once,
            instance::signing_keys_are_listed_oldest_first_and_unique,
            instance::a_rotation_publishes_the_next_key_and_schedules_the_old_ones_retirement,
            instance::secret_keys_are_found_by_hash_only,
            clients::clients_round_trip_and_report_missing_and_duplicates,
            sessions::sign_in_stores_session_and_client_together,
            sessions::a_client_is_read_with_its_sessions_in_one_call,
            sessions::sign_in_with_a_stale_client_writes_nothing,
            sessions::every_session_field_round_trips,
            sessions::activity_is_stored_once_by_writers_that_read_the_same_row,
            sessions::update_session_is_compare_and_set_on_status,
            sessions::a_revoke_racing_touches_always_wins,
            sessions::sign_out_leaves_concurrently_terminated_sessions_alone,
            session_lists::sessions_are_listed_newest_first_with_filters_and_counts,
            session_lists::hostile_strings_are_stored_as_data,
            templates::templates_round_trip_with_unique_names,
            dev_browsers::dev_browsers_bind_to_clients,
            sign_in_tokens::sign_in_tokens_are_found_by_hash_and_change_only_from_the_expected_status,
            sign_in_tokens::a_ticket_signs_in_at_most_once_even_when_raced,
            handshake_nonces::a_handshake_nonce_is_read_once_and_not_after_it_expires,
            refresh_tokens::refresh_tokens_rotate_once_and_revoke_with_their_session,
            session_activities::the_latest_session_activity_is_replaced_and_read_in_bulk,
            sweeps::a_sweep_applies_passed_deadlines_and_deletes_dead_rows_once_per_gap,
            users::users_round_trip_with_their_identifiers,
            users::a_user_is_found_by_the_id_of_any_of_its_identifiers,
            users::every_unique_identifier_belongs_to_one_user,
            users::a_user_update_is_compare_and_set_and_rewrites_its_identifiers,
            passwords::a_password_digest_is_stored_and_replaced_with_its_user,
            user_removal::deleting_a_user_revokes_its_sessions_and_removes_the_rest,
            user_removal::a_ban_is_saved_with_the_revocation_of_live_sessions,
            user_removal::a_sign_in_is_saved_only_if_its_user_did_not_change,
            user_removal::user_activity_moves_forward_by_days_without_touching_the_user,
            user_lists::users_are_listed_by_each_filter_with_totals,
            user_lists::users_are_ordered_by_each_field,
            organizations::organizations_are_found_by_id_or_slug_with_their_member_count,
            organizations::an_organization_update_is_compare_and_set_and_keeps_slugs_unique,
            organizations::deleting_an_organization_removes_its_memberships_and_clears_it_from_sessions,
            organizations::organizations_are_listed_with_filters_orders_and_totals,
            memberships::memberships_are_unique_and_written_compare_and_set,
            memberships::the_membership_limit_admits_members_up_to_the_limit,
            memberships::racing_inserts_never_pass_the_membership_limit,
            memberships::members_are_listed_with_their_organization_and_public_data,
            memberships::the_minting_read_follows_the_active_membership,
            client_reads::a_client_is_read_with_its_sessions_users_and_memberships,
            minting::the_session_minting_read_follows_the_active_membership,
            minting::a_gone_organization_is_forgotten_only_while_still_active,
            minting::the_template_minting_read_has_the_user_with_its_primary_identifiers,
        );
    };
    (@tests [$make:expr] $($module:ident :: $case:ident),+ $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let make = $make;
                let (store, guard) = make().await;
                $crate::cases::$case(store).await;
                drop(guard);
            }
        )+
    };
    (@entry_points [] $($module:ident :: $case:ident),+ $(,)?) => {
        /// Every registered case, by name: what the tests generated by
        /// [`storage_conformance_tests!`] call.
        pub mod cases {
            $(
                #[doc = concat!("Runs `", stringify!($module), "::", stringify!($case), "`.")]
                pub async fn $case<S: ::hallpass_ports::Store>(store: S) {
                    $crate::$module::$case(store).await
                }
            )+
        }
    };
}

storage_conformance_tests!(@each entry_points []);
