//! Users (Backend API `/v1/users`): create, read, list, count, update,
//! metadata, ban and lock, delete. Each change is read, applied by the
//! domain and written back with the store's compare-and-set on
//! `updated_at`; a concurrent change is retried from a fresh read.

use hallpass_domain::{
    NewUser, UnixMillis, User, UserError, UserId, UserMetadataPatch, UserMetadataReplacement,
    UserPatch,
};
use hallpass_ports::{
    DeleteUserError, FindUserError, InsertUserError, KeyRingFactory, Store, StoreError,
    UpdateUserError, UserFilter, UserIdentifier, UserQuery,
};

use crate::Hallpass;

/// How many times a change is retried after concurrent writers won.
pub(crate) const RETRIES: usize = 5;

/// A user use case failed.
#[derive(Debug, thiserror::Error)]
pub enum UserUseError {
    #[error("user {0} not found")]
    NotFound(UserId),
    /// The domain refused the change (a duplicate or unknown identifier, an
    /// unverified primary, the last identification, metadata).
    #[error(transparent)]
    Invalid(#[from] UserError),
    /// Another user has this identifier. Nothing was written.
    #[error("the {} is taken by another user", .0.as_str())]
    Taken(UserIdentifier),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<StoreError> for UserUseError {
    fn from(e: StoreError) -> Self {
        Self::Unexpected(e.0)
    }
}

impl UserUseError {
    pub(crate) fn from_find(e: FindUserError, id: &UserId) -> Self {
        match e {
            FindUserError::NotFound => Self::NotFound(id.clone()),
            FindUserError::Unexpected(e) => Self::Unexpected(e),
        }
    }
}

/// What a change did to the user's sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sessions {
    /// Left alone.
    Keep,
    /// Every live session revoked in the same transaction (the ban).
    Revoke,
}

impl<S: Store, K: KeyRingFactory> Hallpass<S, K> {
    /// `POST /v1/users`: a user with its email addresses and phone numbers
    /// (verified, the first of each primary), written in one transaction;
    /// `locked` locks it at once for the instance's lockout duration.
    #[tracing::instrument(skip_all)]
    pub async fn create_user(&self, new: NewUser, locked: bool) -> Result<User, UserUseError> {
        let now = self.now();
        let mut user = User::create(new, &mut || self.ids.random_u128(), now)?;
        if locked {
            user.lock_for(self.config.identity.lockout, now);
        }
        self.store.insert_user(&user).await.map_err(|e| match e {
            InsertUserError::Conflict => {
                UserUseError::Unexpected(anyhow::anyhow!("user id collision"))
            }
            InsertUserError::Taken(which) => UserUseError::Taken(which),
            InsertUserError::Unexpected(e) => UserUseError::Unexpected(e),
        })?;
        Ok(user)
    }

    /// `GET /v1/users/{id}`.
    pub async fn user(&self, id: &UserId) -> Result<User, UserUseError> {
        self.store
            .find_user(id)
            .await
            .map_err(|e| UserUseError::from_find(e, id))
    }

    /// `GET /v1/users`: a page of users and how many match in all.
    /// A page of users without their total (`GET /v1/users` as a bare
    /// array: one statement fewer).
    pub async fn list_users_page(&self, query: &UserQuery) -> Result<Vec<User>, UserUseError> {
        Ok(self.store.list_users_page(query).await?)
    }

    pub async fn list_users(&self, query: &UserQuery) -> Result<(Vec<User>, u64), UserUseError> {
        Ok(self.store.list_users(query).await?)
    }

    /// `GET /v1/users/count`.
    pub async fn count_users(&self, filter: &UserFilter) -> Result<u64, UserUseError> {
        Ok(self.store.count_users(filter).await?)
    }

    /// `PATCH /v1/users/{id}`: the profile, and each metadata object given
    /// (replaced whole, as Clerk's update did before API version
    /// 2026-05-12), checked in full before anything is written.
    #[tracing::instrument(skip_all, fields(user_id = %id))]
    pub async fn update_user(
        &self,
        id: &UserId,
        patch: UserPatch,
        metadata: UserMetadataReplacement,
    ) -> Result<User, UserUseError> {
        self.change_user(id, Sessions::Keep, |user, now| {
            user.update(patch.clone(), now)?;
            if metadata != UserMetadataReplacement::default() {
                user.replace_metadata(metadata.clone(), now);
            }
            Ok(())
        })
        .await
    }

    /// `PATCH /v1/users/{id}/metadata`: deep merge; a key set to `null` is
    /// removed. All three objects are checked against the cap before any is
    /// stored.
    #[tracing::instrument(skip_all, fields(user_id = %id))]
    pub async fn merge_user_metadata(
        &self,
        id: &UserId,
        patch: UserMetadataPatch,
    ) -> Result<User, UserUseError> {
        self.change_user(id, Sessions::Keep, |user, now| {
            user.merge_metadata(patch.clone(), now)?;
            Ok(())
        })
        .await
    }

    /// `PUT /v1/users/{id}/metadata`: each object given replaces the user's.
    #[tracing::instrument(skip_all, fields(user_id = %id))]
    pub async fn replace_user_metadata(
        &self,
        id: &UserId,
        replacement: UserMetadataReplacement,
    ) -> Result<User, UserUseError> {
        self.change_user(id, Sessions::Keep, |user, now| {
            user.replace_metadata(replacement.clone(), now);
            Ok(())
        })
        .await
    }

    /// `POST /v1/users/{id}/ban`: banned, and every live session of the user
    /// revoked in the same transaction (again when already banned, so none
    /// survives a ban).
    #[tracing::instrument(skip_all, fields(user_id = %id))]
    pub async fn ban_user(&self, id: &UserId) -> Result<User, UserUseError> {
        self.change_user(id, Sessions::Revoke, |user, now| {
            user.ban(now);
            Ok(())
        })
        .await
    }

    /// `POST /v1/users/{id}/unban`.
    #[tracing::instrument(skip_all, fields(user_id = %id))]
    pub async fn unban_user(&self, id: &UserId) -> Result<User, UserUseError> {
        self.change_user(id, Sessions::Keep, |user, now| {
            user.unban(now);
            Ok(())
        })
        .await
    }

    /// `POST /v1/users/ban` (Clerk's `bulkBan`): each user banned as by
    /// [`Self::ban_user`], its live sessions revoked in its ban's
    /// transaction. Every user must exist first (an unknown id changes
    /// nobody); a repeated id counts once.
    #[tracing::instrument(skip_all, fields(users = ids.len()))]
    pub async fn ban_users(&self, ids: &[UserId]) -> Result<Vec<User>, UserUseError> {
        self.change_users(ids, Sessions::Revoke, |user, now| {
            user.ban(now);
            Ok(())
        })
        .await
    }

    /// `POST /v1/users/unban` (Clerk's `bulkUnban`).
    #[tracing::instrument(skip_all, fields(users = ids.len()))]
    pub async fn unban_users(&self, ids: &[UserId]) -> Result<Vec<User>, UserUseError> {
        self.change_users(ids, Sessions::Keep, |user, now| {
            user.unban(now);
            Ok(())
        })
        .await
    }

    /// `POST /v1/users/{id}/lock`: locked for the instance's lockout
    /// duration from now (locking again restarts it). Sessions already
    /// signed in stay, as in Clerk: the lock refuses new sign-ins.
    #[tracing::instrument(skip_all, fields(user_id = %id))]
    pub async fn lock_user(&self, id: &UserId) -> Result<User, UserUseError> {
        let lockout = self.config.identity.lockout;
        self.change_user(id, Sessions::Keep, |user, now| {
            user.lock_for(lockout, now);
            Ok(())
        })
        .await
    }

    /// `POST /v1/users/{id}/unlock`.
    #[tracing::instrument(skip_all, fields(user_id = %id))]
    pub async fn unlock_user(&self, id: &UserId) -> Result<User, UserUseError> {
        self.change_user(id, Sessions::Keep, |user, now| {
            user.unlock(now);
            Ok(())
        })
        .await
    }

    /// `DELETE /v1/users/{id}`: in one transaction the user, its
    /// identifiers and memberships are deleted and its live sessions
    /// revoked.
    #[tracing::instrument(skip_all, fields(user_id = %id))]
    pub async fn delete_user(&self, id: &UserId) -> Result<(), UserUseError> {
        match self.store.delete_user(id, self.now()).await {
            Ok(revoked) => {
                tracing::info!(revoked, "user deleted");
                Ok(())
            }
            Err(DeleteUserError::NotFound) => Err(UserUseError::NotFound(id.clone())),
            Err(DeleteUserError::Unexpected(e)) => Err(e.into()),
        }
    }

    /// [`Self::change_user`] for several users, in the order given (a
    /// repeated id counts once). Every user must exist first: an unknown
    /// id changes nobody (`NotFound` names it). A user deleted after that
    /// check is left out of the answer (a deleted user has nothing left
    /// to change); each user's change is its own transaction.
    pub(crate) async fn change_users<F>(
        &self,
        ids: &[UserId],
        sessions: Sessions,
        change: F,
    ) -> Result<Vec<User>, UserUseError>
    where
        F: Fn(&mut User, UnixMillis) -> Result<(), UserUseError>,
    {
        let mut unique: Vec<&UserId> = Vec::with_capacity(ids.len());
        for id in ids {
            if !unique.contains(&id) {
                unique.push(id);
            }
        }
        let owned: Vec<UserId> = unique.iter().map(|id| (*id).clone()).collect();
        let found = self.store.find_users(&owned).await?;
        if let Some(missing) = owned.iter().find(|id| !found.iter().any(|u| u.id() == *id)) {
            return Err(UserUseError::NotFound(missing.clone()));
        }
        let mut changed = Vec::with_capacity(owned.len());
        for id in &owned {
            match self.change_user(id, sessions, &change).await {
                Err(UserUseError::NotFound(_)) => continue,
                result => changed.push(result?),
            }
        }
        Ok(changed)
    }

    /// Reads the user, applies `change` at `now` and writes the result back
    /// if the stored user is still the one read; retries from a fresh read
    /// when a concurrent change won. Nothing is written when the change
    /// fails. (A change that changes nothing is written back as it was: one
    /// row rewritten by a rare no-op request, kept simple rather than
    /// skipped.)
    pub(crate) async fn change_user<F>(
        &self,
        id: &UserId,
        sessions: Sessions,
        change: F,
    ) -> Result<User, UserUseError>
    where
        F: Fn(&mut User, UnixMillis) -> Result<(), UserUseError>,
    {
        for _ in 0..RETRIES {
            let previous = self.user(id).await?;
            let mut user = previous.clone();
            change(&mut user, self.now())?;
            let written = match sessions {
                Sessions::Keep => self.store.update_user(&user, &previous).await,
                Sessions::Revoke => self
                    .store
                    .save_user_and_revoke_sessions(&user, &previous, self.now())
                    .await
                    .map(|revoked| tracing::info!(revoked, "sessions revoked")),
            };
            match written {
                Ok(()) => return Ok(user),
                Err(UpdateUserError::Changed) => continue,
                Err(UpdateUserError::NotFound) => return Err(UserUseError::NotFound(id.clone())),
                Err(UpdateUserError::Taken(which)) => return Err(UserUseError::Taken(which)),
                Err(UpdateUserError::Unexpected(e)) => return Err(e.into()),
            }
        }
        Err(UserUseError::Unexpected(anyhow::anyhow!(
            "user {id} kept changing concurrently"
        )))
    }
}
