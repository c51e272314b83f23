//! Bodies of SQL and PL/pgSQL functions read from a live database (`prosrc`, the text
//! between the dollar quotes, as a schema file has it).

use sqlx::postgres::PgConnection;

use super::queries::{USER_SCHEMA, Version, not_extension};
use super::read::{fetch, get};
use crate::catalog::error::CatalogError;
use crate::catalog::model::Catalog;
use crate::sql::QName;

impl Version {
    /// Bodies of functions and procedures in SQL or PL/pgSQL.
    pub(super) fn function_bodies(self) -> String {
        format!(
            "SELECT n.nspname::pg_catalog.text AS schema, p.proname::pg_catalog.text AS name, \
                    p.prosrc AS body \
             FROM pg_catalog.pg_proc p \
             JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace \
             JOIN pg_catalog.pg_language l ON l.oid = p.prolang \
             WHERE l.lanname IN ('plpgsql', 'sql') AND p.prosrc <> '' AND {USER_SCHEMA} AND {}",
            not_extension("pg_proc", "p.oid")
        )
    }
}

/// Fill in function bodies.
pub(super) async fn read(
    conn: &mut PgConnection,
    v: Version,
    cat: &mut Catalog,
) -> Result<(), CatalogError> {
    for row in fetch(conn, "function bodies", v.function_bodies(), None).await? {
        let name = QName::new(get::<String>(&row, "schema")?, get::<String>(&row, "name")?);
        cat.function_bodies
            .entry(name)
            .or_default()
            .push(get(&row, "body")?);
    }
    for bodies in cat.function_bodies.values_mut() {
        bodies.sort();
        bodies.dedup();
    }
    Ok(())
}
