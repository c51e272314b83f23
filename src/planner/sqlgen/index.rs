//! Index statements: definitions, concurrent builds and drops, renames.

use super::{cols, with_params};
use crate::catalog::{Index, IndexKey};
use crate::sql::{QName, quote_ident as q};

/// One index key as SQL.
pub fn key_sql(k: &IndexKey) -> String {
    let mut s = match &k.column {
        Some(c) => q(c),
        None => format!("({})", k.expr),
    };
    if let Some(c) = &k.collation {
        s.push_str(" COLLATE ");
        s.push_str(c);
    }
    if let Some(op) = &k.opclass {
        s.push(' ');
        s.push_str(op);
    }
    if k.desc {
        s.push_str(" DESC");
    }
    match k.nulls_first {
        Some(true) => s.push_str(" NULLS FIRST"),
        Some(false) => s.push_str(" NULLS LAST"),
        None => {}
    }
    s
}

/// `CREATE [UNIQUE] INDEX CONCURRENTLY "name" ON table USING m (keys) [INCLUDE] [NULLS NOT
/// DISTINCT] [WITH] [WHERE]`.
pub fn create_index(table: &QName, ix: &Index, concurrently: bool) -> String {
    let mut s = format!(
        "CREATE {}INDEX {}{} ON {} USING {} ({})",
        if ix.unique { "UNIQUE " } else { "" },
        if concurrently { "CONCURRENTLY " } else { "" },
        q(&ix.name),
        table.sql(),
        ix.method,
        ix.keys.iter().map(key_sql).collect::<Vec<_>>().join(", ")
    );
    if !ix.include.is_empty() {
        s.push_str(&format!(" INCLUDE ({})", cols(&ix.include)));
    }
    if ix.nulls_not_distinct {
        s.push_str(" NULLS NOT DISTINCT");
    }
    s.push_str(&with_params(&ix.with));
    if let Some(p) = &ix.predicate {
        s.push_str(&format!(" WHERE ({p})"));
    }
    s
}

/// `ALTER INDEX "schema"."name" ALTER COLUMN n SET STATISTICS t` for each key of `ix` that
/// has a statistics target (the index must exist under `ix.name`).
pub fn index_statistics(table: &QName, ix: &Index) -> Vec<String> {
    ix.keys
        .iter()
        .enumerate()
        .filter_map(|(i, k)| {
            k.statistics.map(|t| {
                format!(
                    "ALTER INDEX {} ALTER COLUMN {} SET STATISTICS {t}",
                    table.sibling(ix.name.clone()).sql(),
                    i + 1
                )
            })
        })
        .collect()
}

/// `DROP INDEX CONCURRENTLY IF EXISTS "schema"."name"` for an index of `table`.
pub fn drop_index(table: &QName, name: &str) -> String {
    drop_index_named(&table.sibling(name))
}

/// `DROP INDEX CONCURRENTLY IF EXISTS "schema"."name"`.
pub fn drop_index_named(index: &QName) -> String {
    format!("DROP INDEX CONCURRENTLY IF EXISTS {}", index.sql())
}

/// `REINDEX INDEX|TABLE CONCURRENTLY name`.
pub fn reindex(what: &str, name: &QName) -> String {
    format!("REINDEX {what} CONCURRENTLY {}", name.sql())
}

/// `ALTER INDEX "schema"."name" RENAME TO "to"`.
pub fn rename_index(index: &QName, to: &str) -> String {
    format!("ALTER INDEX {} RENAME TO {}", index.sql(), q(to))
}

/// `CREATE [UNIQUE] INDEX "name" ON ONLY table ...`: a partitioned table's own index.
pub fn create_index_on_only(table: &QName, ix: &Index) -> String {
    let plain = create_index(table, ix, false);
    let on = format!(" ON {} USING ", table.sql());
    plain.replacen(&on, &format!(" ON ONLY {} USING ", table.sql()), 1)
}

/// `ALTER INDEX parent ATTACH PARTITION child`.
pub fn attach_index_partition(parent: &QName, child: &QName) -> String {
    format!(
        "ALTER INDEX {} ATTACH PARTITION {}",
        parent.sql(),
        child.sql()
    )
}

/// `DROP INDEX IF EXISTS name`: a partitioned index, which cannot be dropped concurrently
/// (its partitions' attached indexes go with it).
pub fn drop_partitioned_index(index: &QName) -> String {
    format!("DROP INDEX IF EXISTS {}", index.sql())
}
