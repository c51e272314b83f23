//! Building a catalog from a schema file: hand-written DDL or `pg_dump --schema-only`.

use super::error::CatalogError;
use super::model::Catalog;
use crate::sql::{self, Ddl, SqlError};

/// Read and load a schema file.
pub fn load_file(path: &str) -> Result<Catalog, CatalogError> {
    let text = std::fs::read_to_string(path).map_err(|source| CatalogError::Io {
        path: path.to_string(),
        source,
    })?;
    load_str(path, &text)
}

/// Load schema text; `path` names it in messages. Statements that do not shape the catalog
/// (SET, GRANT, COMMENT, functions' bodies, anything unreadable) are skipped; statements
/// that contradict the schema built so far are errors at their line.
pub fn load_str(path: &str, text: &str) -> Result<Catalog, CatalogError> {
    let stmts = sql::parse_file(path, text, true)?;
    let mut cat = Catalog::default();
    cat.schemas.insert(sql::ident::DEFAULT_SCHEMA.to_string());
    for s in &stmts {
        if matches!(
            s.ddl,
            Ddl::Skipped { .. } | Ddl::Data { .. } | Ddl::Unsupported { .. }
        ) {
            continue;
        }
        cat.apply(&s.ddl).map_err(|e| match e {
            CatalogError::Mismatch(m) => CatalogError::Sql(
                SqlError::new(path, s.loc, m)
                    .with_hint("the schema file contradicts itself here; is it a complete dump?"),
            ),
            other => other,
        })?;
    }
    Ok(cat)
}
