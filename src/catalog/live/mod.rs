//! Introspecting a live database through `pg_catalog` (sqlx; runtime queries only).
//!
//! [`introspect`] fills the same [`Catalog`] a schema file would: with `search_path`
//! empty, `format_type()` and `pg_get_expr()` print names the way pg_dump writes them, and
//! the text goes through the same canonicalization ([`crate::sql::types`],
//! [`crate::sql::expr`]). System schemas and objects that belong to extensions are left out.
//! A dozen set-based queries ([`queries`]) read every user relation at once, inside one
//! read-only snapshot. [`connect_to`] opens a connection to a [`Target`] (honouring
//! `sslmode`); errors never repeat the password ([`redact`]).

mod connect;
mod decode;
mod extensions;
mod partitions;
mod queries;
mod read;
mod routines;

use sqlx::postgres::PgConnection;
use sqlx::{Connection, Row};

use crate::env::Target;
pub use crate::env::redact;
pub use connect::{connect, connect_to, options, target};

use super::error::CatalogError;
use super::model::Catalog;
use queries::Version;

/// Connect to `url`, introspect, and close the connection.
pub async fn introspect_url(url: &str) -> Result<Catalog, CatalogError> {
    introspect_target(&target(url)?).await
}

/// Connect to `target`, introspect, and close the connection.
pub async fn introspect_target(target: &Target) -> Result<Catalog, CatalogError> {
    let mut conn = connect_to(target).await?;
    let cat = introspect(&mut conn).await?;
    // The catalog is read; a failure to say goodbye politely does not matter.
    let _ = conn.close().await;
    Ok(cat)
}

/// Read the schema of the database `conn` is connected to.
///
/// Sets `search_path` to empty for the session (as pg_dump does) so that every non-catalog
/// name comes back schema-qualified. When the connection has no transaction open, the
/// queries share one `REPEATABLE READ, READ ONLY` transaction; otherwise a savepoint.
pub async fn introspect(conn: &mut PgConnection) -> Result<Catalog, CatalogError> {
    let db = |what: &str, e: sqlx::Error| CatalogError::Database(format!("{what}: {e}"));
    sqlx::query(queries::CLEAR_SEARCH_PATH)
        .execute(&mut *conn)
        .await
        .map_err(|e| db("clearing search_path", e))?;
    let num: i32 = sqlx::query(queries::SERVER_VERSION)
        .fetch_one(&mut *conn)
        .await
        .and_then(|row| row.try_get("v"))
        .map_err(|e| db("reading the server version", e))?;
    let v = Version(u32::try_from(num / 10_000).unwrap_or(0));

    let mut tx = if conn.is_in_transaction() {
        conn.begin().await
    } else {
        conn.begin_with(queries::BEGIN).await
    }
    .map_err(|e| db("starting a read-only transaction", e))?;

    let mut cat = Catalog {
        server_version: Some(v.0),
        server_version_num: u32::try_from(num).ok(),
        ..Catalog::default()
    };
    let rels = read::relations(&mut tx, v, &mut cat).await?;
    read::columns(&mut tx, v, &rels, &mut cat).await?;
    read::grants(&mut tx, v, &rels, &mut cat).await?;
    read::constraints(&mut tx, v, &rels, &mut cat).await?;
    read::indexes(&mut tx, v, &rels, &mut cat).await?;
    read::triggers(&mut tx, v, &rels, &mut cat).await?;
    partitions::read(&mut tx, v, &rels, &mut cat).await?;
    read::policies(&mut tx, v, &rels, &mut cat).await?;
    read::view_dependencies(&mut tx, v, &rels, &mut cat).await?;
    read::sequence_owners(&mut tx, v, &rels, &mut cat).await?;
    read::types_and_functions(&mut tx, v, &mut cat).await?;
    routines::read(&mut tx, v, &mut cat).await?;
    extensions::read(&mut tx, v, &mut cat).await?;
    tx.commit()
        .await
        .map_err(|e| db("ending the read-only transaction", e))?;
    Ok(cat)
}
