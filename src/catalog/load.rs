//! Building a catalog from a schema file: hand-written DDL or `pg_dump --schema-only`.

use super::error::CatalogError;
use super::model::Catalog;
use super::unread;
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
/// (SET, COMMENT, functions' bodies) are passed over; statements bellows cannot read or does
/// not model are kept in [`Catalog::unread`] with their line and the objects they name;
/// statements that contradict the schema built so far are errors at their line.
pub fn load_str(path: &str, text: &str) -> Result<Catalog, CatalogError> {
    let stmts = sql::parse_file(path, text, true)?;
    let mut cat = Catalog::default();
    cat.schemas.insert(sql::ident::DEFAULT_SCHEMA.to_string());
    cat.index_names(true);
    let mut unread = Vec::new();
    for s in &stmts {
        if let Some(why) = unread::reason(s) {
            unread.push((unread::record(path, s, why), s.text.as_str()));
        }
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
        debug_assert!(cat.names_agree(), "name index is stale after {:?}", s.ddl);
    }
    for (mut u, text) in unread {
        u.names = unread::names(&cat, text);
        cat.unread.push(u);
    }
    cat.index_names(false);
    Ok(cat)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_index_is_off_after_a_load() {
        let loaded = load_str("t.sql", "CREATE TABLE a (id int);").expect("loads");
        assert_eq!(format!("{:?}", loaded.names), "off");
    }
}
