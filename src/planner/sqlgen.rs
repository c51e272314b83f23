//! Building SQL text with quoted identifiers: index and constraint definitions, batch
//! statements, sync trigger functions.

use crate::catalog::{ConstraintKind, Index, IndexKey};
use crate::sql::{QName, quote_ident as q};

/// `"a", "b"`.
pub fn cols(cs: &[String]) -> String {
    cs.iter().map(|c| q(c)).collect::<Vec<_>>().join(", ")
}

/// One index key as SQL.
pub fn key_sql(k: &IndexKey) -> String {
    let mut s = match &k.column {
        Some(c) => q(c),
        None => format!("({})", k.expr),
    };
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

/// `CREATE [UNIQUE] INDEX CONCURRENTLY "name" ON table USING m (keys) [INCLUDE] [WHERE]`.
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
    if let Some(p) = &ix.predicate {
        s.push_str(&format!(" WHERE ({p})"));
    }
    s
}

/// `DROP INDEX CONCURRENTLY IF EXISTS "schema"."name"`.
pub fn drop_index(table: &QName, name: &str) -> String {
    format!(
        "DROP INDEX CONCURRENTLY IF EXISTS {}",
        table.sibling(name).sql()
    )
}

/// The body of `ADD CONSTRAINT name <body>` for check and foreign-key constraints.
pub fn constraint_body(kind: &ConstraintKind) -> String {
    match kind {
        ConstraintKind::Check { expr } => format!("CHECK ({expr})"),
        ConstraintKind::ForeignKey {
            columns,
            ref_table,
            ref_columns,
            on_delete,
            on_update,
        } => {
            let mut s = format!(
                "FOREIGN KEY ({}) REFERENCES {} ({})",
                cols(columns),
                ref_table.sql(),
                cols(ref_columns)
            );
            if let Some(a) = on_delete {
                s.push_str(&format!(" ON DELETE {a}"));
            }
            if let Some(a) = on_update {
                s.push_str(&format!(" ON UPDATE {a}"));
            }
            s
        }
        ConstraintKind::PrimaryKey { columns } => format!("PRIMARY KEY ({})", cols(columns)),
        ConstraintKind::Unique {
            columns,
            nulls_not_distinct,
        } => format!(
            "UNIQUE{} ({})",
            if *nulls_not_distinct {
                " NULLS NOT DISTINCT"
            } else {
                ""
            },
            cols(columns)
        ),
        ConstraintKind::Exclude { definition } => {
            crate::catalog::apply::exclusion_definition(definition)
        }
        ConstraintKind::PrimaryKeyUsingIndex { index } => {
            format!("PRIMARY KEY USING INDEX {}", q(index))
        }
        ConstraintKind::UniqueUsingIndex { index } => format!("UNIQUE USING INDEX {}", q(index)),
    }
}

/// `ALTER TABLE t ADD CONSTRAINT "n" <body> [NOT VALID]`.
pub fn add_constraint(table: &QName, name: &str, kind: &ConstraintKind, not_valid: bool) -> String {
    format!(
        "ALTER TABLE {} ADD CONSTRAINT {} {}{}",
        table.sql(),
        q(name),
        constraint_body(kind),
        if not_valid { " NOT VALID" } else { "" }
    )
}

/// `ALTER TABLE t VALIDATE CONSTRAINT "n"`.
pub fn validate(table: &QName, name: &str) -> String {
    format!(
        "ALTER TABLE {} VALIDATE CONSTRAINT {}",
        table.sql(),
        q(name)
    )
}

/// `ALTER TABLE t DROP CONSTRAINT IF EXISTS "n"`.
pub fn drop_constraint(table: &QName, name: &str) -> String {
    format!(
        "ALTER TABLE {} DROP CONSTRAINT IF EXISTS {}",
        table.sql(),
        q(name)
    )
}

/// Keyset range condition over `key` for parameters starting at `$first`:
/// `("a", "b") > ($1, $2) AND ("a", "b") <= ($3, $4)`.
pub fn key_range(key: &[String]) -> String {
    let n = key.len();
    let lower: Vec<String> = (1..=n).map(|i| format!("${i}")).collect();
    let upper: Vec<String> = (n + 1..=2 * n).map(|i| format!("${i}")).collect();
    format!(
        "({k}) > ({}) AND ({k}) <= ({})",
        lower.join(", "),
        upper.join(", "),
        k = cols(key)
    )
}

/// The per-batch UPDATE of a backfill.
pub fn batch_update(
    table: &QName,
    key: &[String],
    set: &[(String, String)],
    filter: &str,
) -> String {
    format!(
        "UPDATE {} SET {} WHERE {} AND ({filter})",
        table.sql(),
        crate::sql::assignments(set.iter().map(|(c, e)| (c, e))),
        key_range(key)
    )
}

/// The batched verification query.
pub fn verify_query(table: &QName, key: &[String], violation: &str) -> String {
    format!(
        "SELECT {k} FROM {} WHERE {} AND ({violation}) ORDER BY {k} LIMIT 10",
        table.sql(),
        key_range(key),
        k = cols(key)
    )
}
