//! Choosing a session's active organization, checked on the server: the
//! Frontend API's touch (`active_organization_id`), tokens call and
//! handshake (`organization_id`), and the Backend API's `POST /v1/sessions`
//! (`active_organization_id`). An organization, named by id or slug,
//! becomes active only when it exists and the session's user is a member
//! of it (`Session::select_organization` decides); the personal account is
//! always allowed. Every refusal is the same
//! [`SessionError::OrganizationNotAllowed`], whether the value names no
//! organization or one the user is not a member of: a browser cannot tell
//! which organizations exist.
//!
//! What a token carries is decided again at every mint, from the membership
//! as it is then (`TokenOrganization`, in `sessions.rs`): an activation is
//! never a grant that outlives the membership.

use hallpass_domain::{
    Membership, OrganizationChoice, OrganizationId, OrganizationRef, Session, TransitionError,
    UserId,
};
use hallpass_ports::{ActiveOrganization, FindOrganizationError, KeyRingFactory, Store};

use crate::{Hallpass, SessionError};

/// What a request asks to make active.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrganizationRequest {
    /// The personal account (the parameter present but empty).
    Personal,
    /// An organization by id or slug, as sent.
    Named(String),
}

/// A choice with what the store holds for it: the organization (by id) and
/// the user's membership in it, if any. The domain decides from these.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Candidate {
    pub(crate) choice: OrganizationChoice,
    pub(crate) membership: Option<Membership>,
}

impl Candidate {
    /// Whether the browser may make this choice for `session`.
    pub(crate) fn allowed_for(&self, session: &Session) -> bool {
        session.may_select_organization(&self.choice, self.membership.as_ref())
    }
}

impl OrganizationRequest {
    /// Whether the request names what `session` has active already, as the
    /// minting read found it (`active`): the personal account on a session
    /// without an organization, or the session's organization by its id,
    /// or by its slug while the membership holds. clerk-js sends the
    /// session's own organization with every tokens call: naming it changes
    /// nothing, and the token follows the membership as any mint does.
    pub(crate) fn names_active(
        &self,
        session: &Session,
        active: Option<&ActiveOrganization>,
    ) -> bool {
        match self {
            Self::Personal => session.last_active_organization_id().is_none(),
            Self::Named(value) => {
                session
                    .last_active_organization_id()
                    .map(OrganizationId::as_str)
                    == Some(value.as_str())
                    || active.is_some_and(|a| {
                        Some(a.organization.id()) == session.last_active_organization_id()
                            && a.organization.slug().as_str() == value
                    })
            }
        }
    }
}

impl<S: Store, K: KeyRingFactory> Hallpass<S, K> {
    /// What `request` names for `session`'s user: the personal account, or
    /// the organization (looked up by id, then by slug) with the user's
    /// membership in it, provided the domain lets the browser choose it
    /// (`Session::may_select_organization`). Otherwise
    /// [`SessionError::OrganizationNotAllowed`] with the value as sent,
    /// whether it is no id or slug, names no organization, or one the user
    /// is not a member of.
    pub(crate) async fn organization_candidate(
        &self,
        session: &Session,
        request: &OrganizationRequest,
    ) -> Result<Candidate, SessionError> {
        // As the domain does: a session that is no longer live refuses any
        // choice before the choice is judged.
        let status = session.status_at(self.now());
        if !status.is_live() {
            return Err(SessionError::NotAllowed(TransitionError::Terminal {
                status,
                action: "touch",
            }));
        }
        let value = match request {
            OrganizationRequest::Personal => {
                return Ok(Candidate {
                    choice: OrganizationChoice::Personal,
                    membership: None,
                });
            }
            OrganizationRequest::Named(value) => value,
        };
        let refused = || SessionError::OrganizationNotAllowed(value.clone());
        let reference = OrganizationRef::parse(value).map_err(|_| refused())?;
        let organization = match self.store.find_organization(&reference).await {
            Ok(found) => found.organization,
            Err(FindOrganizationError::NotFound) => return Err(refused()),
            Err(FindOrganizationError::Unexpected(e)) => return Err(SessionError::Unexpected(e)),
        };
        let membership = self
            .store
            .find_membership(organization.id(), session.user_id())
            .await?;
        let candidate = Candidate {
            choice: OrganizationChoice::Organization(organization.id().clone()),
            membership,
        };
        if candidate.allowed_for(session) {
            Ok(candidate)
        } else {
            Err(refused())
        }
    }

    /// Makes `request` the session's active organization if the domain
    /// allows it; a refusal changes nothing.
    pub(crate) async fn select_organization(
        &self,
        session: &Session,
        request: &OrganizationRequest,
    ) -> Result<Session, SessionError> {
        let candidate = self.organization_candidate(session, request).await?;
        self.change_session(session.id(), move |s, now| {
            s.select_organization(candidate.choice.clone(), candidate.membership.as_ref(), now)
                .map(|_| ())
        })
        .await
    }

    /// The Backend API's `active_organization_id` on a new session: an
    /// organization `user` is a member of (a membership exists only in an
    /// organization that exists), or
    /// [`SessionError::OrganizationNotAllowed`].
    pub(crate) async fn check_membership_for_new_session(
        &self,
        user: &UserId,
        organization: &OrganizationId,
    ) -> Result<(), SessionError> {
        let membership = self.store.find_membership(organization, user).await?;
        if membership.is_some_and(|m| m.is_of(user, organization)) {
            Ok(())
        } else {
            Err(SessionError::OrganizationNotAllowed(
                organization.as_str().to_owned(),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use hallpass_domain::{
        ClientId, InstanceSettings, NewMembership, NewOrganization, NewSession, Organization,
        OrganizationMembershipId, OrganizationName, RoleSet, SessionId, Slug, UnixMillis,
    };

    use super::*;

    const T0: UnixMillis = UnixMillis::new(1_700_000_000_000);

    fn organization(id: &str, slug: &str) -> Organization {
        Organization::create(
            NewOrganization {
                slug: Some(Slug::parse(slug).unwrap()),
                ..NewOrganization::named(OrganizationName::parse("Org").unwrap())
            },
            OrganizationId::parse(id).unwrap(),
            T0,
        )
    }

    fn session(active: Option<&str>) -> Session {
        Session::start(
            NewSession {
                id: SessionId::from_random(1),
                client_id: ClientId::from_random(2),
                user_id: UserId::parse("user_1").unwrap(),
                actor: None,
                active_organization_id: active.map(|a| OrganizationId::parse(a).unwrap()),
                tasks: vec![],
            },
            &InstanceSettings::default(),
            T0,
        )
    }

    /// What the minting read finds for `organization`: it and user_1's
    /// membership in it.
    fn found(organization: Organization) -> ActiveOrganization {
        let membership = Membership::create(
            &organization,
            UserId::parse("user_1").unwrap(),
            NewMembership::default(),
            0,
            &RoleSet::default(),
            OrganizationMembershipId::from_random(3),
            T0,
        )
        .unwrap();
        ActiveOrganization {
            organization,
            membership,
        }
    }

    fn named(value: &str) -> OrganizationRequest {
        OrganizationRequest::Named(value.to_owned())
    }

    #[test]
    fn a_request_names_the_active_organization_by_its_id_or_by_its_slug_while_a_member() {
        let acme = found(organization("org_acme", "acme"));
        let in_acme = session(Some("org_acme"));
        // By id, found or gone (the minting read found nothing).
        assert!(named("org_acme").names_active(&in_acme, Some(&acme)));
        assert!(named("org_acme").names_active(&in_acme, None));
        // By slug, only with what the read found for it.
        assert!(named("acme").names_active(&in_acme, Some(&acme)));
        assert!(!named("acme").names_active(&in_acme, None));
        // Anything else is another organization, or the personal account.
        for other in ["org_globex", "globex", "org_acme2", "Acme", ""] {
            assert!(!named(other).names_active(&in_acme, Some(&acme)), "{other}");
        }
        assert!(!OrganizationRequest::Personal.names_active(&in_acme, Some(&acme)));
    }

    #[test]
    fn a_slug_counts_only_for_the_organization_the_session_has_active() {
        // What the read found is not the session's active organization (it
        // never is, from the store; the rule holds regardless): its slug
        // names nothing active.
        let globex = found(organization("org_globex", "globex"));
        let in_acme = session(Some("org_acme"));
        assert!(!named("globex").names_active(&in_acme, Some(&globex)));
        let personal = session(None);
        assert!(!named("globex").names_active(&personal, Some(&globex)));
        assert!(!named("org_globex").names_active(&personal, Some(&globex)));
    }

    #[test]
    fn the_personal_account_is_active_only_without_an_organization() {
        assert!(OrganizationRequest::Personal.names_active(&session(None), None));
        assert!(!OrganizationRequest::Personal.names_active(&session(Some("org_acme")), None));
    }
}
