//! Installed extensions and their versions (`pg_extension`).

use sqlx::postgres::PgConnection;

use super::queries::Version;
use super::read::{fetch, get};
use crate::catalog::error::CatalogError;
use crate::catalog::model::Catalog;

/// Extensions other than `plpgsql` (installed in every database), with their versions.
const EXTENSIONS: &str = "SELECT e.extname::pg_catalog.text AS name, e.extversion AS version \
     FROM pg_catalog.pg_extension e WHERE e.extname <> 'plpgsql'";

/// Fill in `cat.extensions`.
pub(super) async fn read(
    conn: &mut PgConnection,
    _v: Version,
    cat: &mut Catalog,
) -> Result<(), CatalogError> {
    for row in fetch(conn, "extensions", EXTENSIONS.to_string(), None).await? {
        cat.extensions
            .insert(get(&row, "name")?, get(&row, "version")?);
    }
    Ok(())
}
