//! The latest activity of each session (device, browser, place): the
//! `SessionActivityStore` port.

use diesel::prelude::*;
use hallpass_adapter_store::blocking::run;
use hallpass_adapter_store::errors::unexpected;
use hallpass_adapter_store::rows::{SessionActivityRow, SessionRow};
use hallpass_adapter_store::schema::{session_activities, sessions};
use hallpass_domain::activity::SessionActivity;
use hallpass_domain::{Session, SessionId, UnixMillis};
use hallpass_ports::{FindSessionError, SessionActivityStore, StoreError};

use crate::backend::{Conn, Store};

/// The latest activities of the sessions `ids` that have one.
pub(super) fn load_session_activities<I: AsRef<str>>(
    conn: &mut Conn,
    ids: &[I],
) -> anyhow::Result<Vec<(SessionId, SessionActivity)>> {
    let ids: Vec<&str> = ids.iter().map(AsRef::as_ref).collect();
    session_activities::table
        .filter(session_activities::session_id.eq_any(&ids))
        .select(SessionActivityRow::as_select())
        .load(conn)
        .map_err(|e| unexpected(e, "reading session activities"))?
        .into_iter()
        .map(SessionActivityRow::into_domain)
        .collect()
}

impl SessionActivityStore for Store {
    async fn find_session_with_activity(
        &self,
        id: &SessionId,
    ) -> Result<(Session, Option<SessionActivity>), FindSessionError> {
        let id = id.to_string();
        run(&self.pool, move |conn: &mut Conn| {
            let (session, activity): (SessionRow, Option<SessionActivityRow>) = sessions::table
                .left_join(
                    session_activities::table.on(session_activities::session_id.eq(sessions::id)),
                )
                .filter(sessions::id.eq(&id))
                .select((
                    SessionRow::as_select(),
                    Option::<SessionActivityRow>::as_select(),
                ))
                .first(conn)
                .optional()
                .map_err(|e| unexpected(e, "finding a session and its activity"))?
                .ok_or(FindSessionError::NotFound)?;
            let activity = match activity {
                Some(row) => Some(row.into_domain()?.1),
                None => None,
            };
            Ok((session.into_domain()?, activity))
        })
        .await
    }

    async fn record_session_activity(
        &self,
        session_id: &SessionId,
        activity: &SessionActivity,
        now: UnixMillis,
    ) -> Result<(), StoreError> {
        let row = SessionActivityRow::from_domain(session_id, activity, now);
        run(&self.pool, move |conn: &mut Conn| {
            diesel::insert_into(session_activities::table)
                .values(&row)
                .on_conflict(session_activities::session_id)
                .do_update()
                .set(&row)
                .execute(conn)
                .map(|_| ())
                .map_err(|e| StoreError(unexpected(e, "recording session activity")))
        })
        .await
    }

    async fn find_session_activities(
        &self,
        ids: &[SessionId],
    ) -> Result<Vec<(SessionId, SessionActivity)>, StoreError> {
        let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
        run(&self.pool, move |conn: &mut Conn| {
            Ok(load_session_activities(conn, &ids)?)
        })
        .await
    }
}
