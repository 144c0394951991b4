//! Development browsers: the `DevBrowserStore` port.

use diesel::prelude::*;
use hallpass_adapter_store::blocking::run;
use hallpass_adapter_store::errors::unexpected;
use hallpass_adapter_store::rows::DevBrowserRow;
use hallpass_adapter_store::schema::dev_browsers;
use hallpass_domain::{ClientId, DevBrowserId, UnixMillis};
use hallpass_ports::{DevBrowserRecord, DevBrowserStore, InsertError, StoreError};

use super::insert_row;
use crate::backend::{Conn, Store};

impl DevBrowserStore for Store {
    async fn insert_dev_browser(&self, browser: &DevBrowserRecord) -> Result<(), InsertError> {
        let row = DevBrowserRow::from_record(browser);
        run(&self.pool, move |conn: &mut Conn| {
            insert_row(
                conn,
                diesel::insert_into(dev_browsers::table).values(&row),
                "inserting a dev browser",
            )
        })
        .await
    }

    async fn find_dev_browser(
        &self,
        id: &DevBrowserId,
    ) -> Result<Option<DevBrowserRecord>, StoreError> {
        let id = id.to_string();
        run(&self.pool, move |conn: &mut Conn| {
            let row = dev_browsers::table
                .find(&id)
                .select(DevBrowserRow::as_select())
                .first(conn)
                .optional()
                .map_err(|e| unexpected(e, "finding a dev browser"))?;
            Ok(row.map(DevBrowserRow::into_record).transpose()?)
        })
        .await
    }

    async fn bind_dev_browser(
        &self,
        id: &DevBrowserId,
        client_id: &ClientId,
        now: UnixMillis,
    ) -> Result<bool, StoreError> {
        let (id, client_id, now) = (id.to_string(), client_id.to_string(), now.as_millis());
        run(&self.pool, move |conn: &mut Conn| {
            let n = diesel::update(dev_browsers::table.find(&id))
                .set((
                    dev_browsers::client_id.eq(Some(&client_id)),
                    dev_browsers::updated_at.eq(now),
                ))
                .execute(conn)
                .map_err(|e| unexpected(e, "binding a dev browser"))?;
            Ok(n > 0)
        })
        .await
    }
}
