//! Partitioning and inheritance read from a live database: each partitioned table's key
//! (`pg_get_partkeydef`), each child's parents (`pg_inherits`, with a partition's bound),
//! and which partition index is attached to which index of the parent.

use sqlx::postgres::PgConnection;

use super::queries::Version;
use super::read::{Relations, fetch, get, table_of};
use crate::catalog::error::CatalogError;
use crate::catalog::model::{Catalog, Parent};
use crate::sql::QName;

impl Version {
    /// Partition key and bound of the tables in `$1`.
    pub(super) fn partitioning(self) -> String {
        "SELECT c.oid AS rel, \
                CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END AS partition_key, \
                pg_catalog.pg_get_expr(c.relpartbound, c.oid) AS bound \
         FROM pg_catalog.pg_class c WHERE c.oid = ANY($1)"
            .to_string()
    }

    /// The parents of the tables in `$1`, in declaration order.
    pub(super) fn table_parents(self) -> String {
        "SELECT i.inhrelid AS rel, pn.nspname::pg_catalog.text AS schema, \
                p.relname::pg_catalog.text AS name \
         FROM pg_catalog.pg_inherits i \
         JOIN pg_catalog.pg_class p ON p.oid = i.inhparent \
         JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace \
         WHERE i.inhrelid = ANY($1) \
         ORDER BY i.inhrelid, i.inhseqno"
            .to_string()
    }

    /// Indexes of the tables in `$1` attached to an index of a partitioned parent.
    pub(super) fn index_parents(self) -> String {
        "SELECT ci.indrelid AS rel, c.relname::pg_catalog.text AS child, \
                pn.nspname::pg_catalog.text AS schema, p.relname::pg_catalog.text AS parent \
         FROM pg_catalog.pg_inherits i \
         JOIN pg_catalog.pg_index ci ON ci.indexrelid = i.inhrelid \
         JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid \
         JOIN pg_catalog.pg_class p ON p.oid = i.inhparent \
         JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace \
         WHERE ci.indrelid = ANY($1)"
            .to_string()
    }
}

/// Fill in partition keys, parents and index attachments.
pub(super) async fn read(
    conn: &mut PgConnection,
    v: Version,
    rels: &Relations,
    cat: &mut Catalog,
) -> Result<(), CatalogError> {
    let mut bounds = std::collections::HashMap::new();
    for row in fetch(conn, "partitioning", v.partitioning(), Some(&rels.tables)).await? {
        let bound: Option<String> = get(&row, "bound")?;
        let key: Option<String> = get(&row, "partition_key")?;
        let Some(t) = table_of(cat, rels, &row)? else {
            continue;
        };
        t.partition_key = key;
        if let Some(b) = bound {
            bounds.insert(t.name.clone(), b);
        }
    }
    for row in fetch(conn, "table parents", v.table_parents(), Some(&rels.tables)).await? {
        let parent = QName::new(get::<String>(&row, "schema")?, get::<String>(&row, "name")?);
        let Some(t) = table_of(cat, rels, &row)? else {
            continue;
        };
        t.parent = Some(match (t.parent.take(), bounds.get(&t.name)) {
            (_, Some(bound)) => Parent::Partition {
                table: parent,
                bound: bound.clone(),
            },
            (Some(Parent::Inherits { mut tables }), None) => {
                tables.push(parent);
                Parent::Inherits { tables }
            }
            _ => Parent::Inherits {
                tables: vec![parent],
            },
        });
    }
    for row in fetch(conn, "index parents", v.index_parents(), Some(&rels.tables)).await? {
        let parent = QName::new(
            get::<String>(&row, "schema")?,
            get::<String>(&row, "parent")?,
        );
        let child: String = get(&row, "child")?;
        if let Some(t) = table_of(cat, rels, &row)? {
            t.index_parents.insert(child, parent);
        }
    }
    Ok(())
}
