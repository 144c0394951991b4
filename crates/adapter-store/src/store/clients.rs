//! Clients: the `ClientStore` port, and the compare-and-set on a client's
//! `updated_at` that the session writes share.

use diesel::prelude::*;
use hallpass_adapter_store::blocking::run;
use hallpass_adapter_store::errors::unexpected;
use hallpass_adapter_store::rows::ClientRow;
use hallpass_adapter_store::schema::clients;
use hallpass_domain::{Client, ClientId};
use hallpass_ports::{ClientStore, FindClientError, InsertError, UpdateClientError};

use super::insert_row;
use crate::backend::{Conn, Store};

/// Compare-and-set on the client's `updated_at`.
pub(super) fn update_client_row(
    conn: &mut Conn,
    row: &ClientRow,
    previous_updated_at: i64,
) -> Result<usize, diesel::result::Error> {
    diesel::update(
        clients::table
            .filter(clients::id.eq(&row.id))
            .filter(clients::updated_at.eq(previous_updated_at)),
    )
    .set(row)
    .execute(conn)
}

pub(super) fn client_missing_or_changed(
    conn: &mut Conn,
    id: &str,
) -> Result<UpdateClientError, diesel::result::Error> {
    let exists: bool =
        diesel::select(diesel::dsl::exists(clients::table.find(id))).get_result(conn)?;
    Ok(if exists {
        UpdateClientError::Changed
    } else {
        UpdateClientError::NotFound
    })
}

impl ClientStore for Store {
    async fn insert_client(&self, client: &Client) -> Result<(), InsertError> {
        let row = ClientRow::from_domain(client);
        run(&self.pool, move |conn: &mut Conn| {
            insert_row(
                conn,
                diesel::insert_into(clients::table).values(&row),
                "inserting a client",
            )
        })
        .await
    }

    async fn find_client(&self, id: &ClientId) -> Result<Client, FindClientError> {
        let id = id.to_string();
        run(&self.pool, move |conn: &mut Conn| {
            let row = clients::table
                .find(&id)
                .select(ClientRow::as_select())
                .first(conn)
                .optional()
                .map_err(|e| unexpected(e, "finding a client"))?
                .ok_or(FindClientError::NotFound)?;
            Ok(row.into_domain()?)
        })
        .await
    }

    async fn update_client(
        &self,
        client: &Client,
        previous: &Client,
    ) -> Result<(), UpdateClientError> {
        let row = ClientRow::from_domain(client);
        let previous_updated_at = previous.updated_at().as_millis();
        run(&self.pool, move |conn: &mut Conn| {
            let n = update_client_row(conn, &row, previous_updated_at)
                .map_err(|e| unexpected(e, "updating a client"))?;
            if n > 0 {
                return Ok(());
            }
            Err(client_missing_or_changed(conn, &row.id)
                .map_err(|e| unexpected(e, "checking a client"))?)
        })
        .await
    }
}
