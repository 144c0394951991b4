//! JWT templates: the `TemplateStore` port.

use diesel::prelude::*;
use hallpass_adapter_store::blocking::run;
use hallpass_adapter_store::errors::{is_unique_violation, unexpected};
use hallpass_adapter_store::rows::JwtTemplateRow;
use hallpass_adapter_store::schema::jwt_templates;
use hallpass_domain::JwtTemplateId;
use hallpass_ports::{
    FindTemplateError, SaveTemplateError, StoreError, TemplateRow, TemplateStore,
};

use crate::backend::{Conn, Store};

fn save_error(e: diesel::result::Error, doing: &'static str) -> SaveTemplateError {
    if is_unique_violation(&e) {
        SaveTemplateError::NameTaken
    } else {
        SaveTemplateError::Unexpected(unexpected(e, doing))
    }
}

impl TemplateStore for Store {
    async fn insert_template(&self, template: &TemplateRow) -> Result<(), SaveTemplateError> {
        let row = JwtTemplateRow::from_record(template);
        run(&self.pool, move |conn: &mut Conn| {
            diesel::insert_into(jwt_templates::table)
                .values(&row)
                .execute(conn)
                .map(|_| ())
                .map_err(|e| save_error(e, "inserting a template"))
        })
        .await
    }

    async fn update_template(&self, template: &TemplateRow) -> Result<(), SaveTemplateError> {
        let row = JwtTemplateRow::from_record(template);
        run(&self.pool, move |conn: &mut Conn| {
            let n = diesel::update(jwt_templates::table.find(&row.id))
                .set(&row)
                .execute(conn)
                .map_err(|e| save_error(e, "updating a template"))?;
            if n == 0 {
                Err(SaveTemplateError::NotFound)
            } else {
                Ok(())
            }
        })
        .await
    }

    async fn find_template(&self, id: &JwtTemplateId) -> Result<TemplateRow, FindTemplateError> {
        let id = id.to_string();
        run(&self.pool, move |conn: &mut Conn| {
            let row = jwt_templates::table
                .find(&id)
                .select(JwtTemplateRow::as_select())
                .first(conn)
                .optional()
                .map_err(|e| unexpected(e, "finding a template"))?
                .ok_or(FindTemplateError::NotFound)?;
            Ok(row.into_record()?)
        })
        .await
    }

    async fn find_template_by_name(&self, name: &str) -> Result<TemplateRow, FindTemplateError> {
        let name = name.to_owned();
        run(&self.pool, move |conn: &mut Conn| {
            let row = jwt_templates::table
                .filter(jwt_templates::name.eq(&name))
                .select(JwtTemplateRow::as_select())
                .first(conn)
                .optional()
                .map_err(|e| unexpected(e, "finding a template by name"))?
                .ok_or(FindTemplateError::NotFound)?;
            Ok(row.into_record()?)
        })
        .await
    }

    async fn list_templates(
        &self,
        limit: u32,
        offset: u32,
    ) -> Result<(Vec<TemplateRow>, u64), StoreError> {
        run(&self.pool, move |conn: &mut Conn| {
            let total: i64 = jwt_templates::table
                .count()
                .get_result(conn)
                .map_err(|e| unexpected(e, "counting templates"))?;
            let rows = jwt_templates::table
                .order((jwt_templates::created_at.desc(), jwt_templates::id.desc()))
                .limit(i64::from(limit))
                .offset(i64::from(offset))
                .select(JwtTemplateRow::as_select())
                .load(conn)
                .map_err(|e| unexpected(e, "listing templates"))?;
            let templates = rows
                .into_iter()
                .map(JwtTemplateRow::into_record)
                .collect::<anyhow::Result<_>>()?;
            Ok((templates, u64::try_from(total).unwrap_or(0)))
        })
        .await
    }

    async fn delete_template(&self, id: &JwtTemplateId) -> Result<(), FindTemplateError> {
        let id = id.to_string();
        run(&self.pool, move |conn: &mut Conn| {
            let n = diesel::delete(jwt_templates::table.find(&id))
                .execute(conn)
                .map_err(|e| unexpected(e, "deleting a template"))?;
            if n == 0 {
                Err(FindTemplateError::NotFound)
            } else {
                Ok(())
            }
        })
        .await
    }
}
