//! Catalog-only statements, regenerated from their parsed form with quoted identifiers:
//! comments, renames of constraints, indexes and enum labels, replica identity, column
//! statistics, storage and compression, and table privileges.

use crate::sql::ddl::{
    CommentObject, Compression, GrantOn, ReplicaIdentity, SequenceChange, Storage,
};
use crate::sql::{QName, quote_ident as q, quote_literal};

fn text_or_null(text: Option<&str>) -> String {
    text.map(quote_literal).unwrap_or_else(|| "NULL".into())
}

/// `COMMENT ON <object> IS '...' | NULL`.
pub fn comment_on(object: &CommentObject, text: Option<&str>) -> String {
    let what = match object {
        CommentObject::Table(t) => format!("TABLE {}", t.sql()),
        CommentObject::View {
            name,
            materialized: false,
        } => format!("VIEW {}", name.sql()),
        CommentObject::View {
            name,
            materialized: true,
        } => format!("MATERIALIZED VIEW {}", name.sql()),
        CommentObject::Index(i) => format!("INDEX {}", i.sql()),
        CommentObject::Sequence(s) => format!("SEQUENCE {}", s.sql()),
        CommentObject::Constraint { table, name } => {
            format!("CONSTRAINT {} ON {}", q(name), table.sql())
        }
    };
    format!("COMMENT ON {what} IS {}", text_or_null(text))
}

/// `COMMENT ON COLUMN t.c IS '...' | NULL`.
pub fn comment_on_column(table: &QName, column: &str, text: Option<&str>) -> String {
    format!(
        "COMMENT ON COLUMN {}.{} IS {}",
        table.sql(),
        q(column),
        text_or_null(text)
    )
}

/// `ALTER TABLE t RENAME CONSTRAINT a TO b`.
pub fn rename_constraint(table: &QName, from: &str, to: &str) -> String {
    format!(
        "ALTER TABLE {} RENAME CONSTRAINT {} TO {}",
        table.sql(),
        q(from),
        q(to)
    )
}

/// `ALTER INDEX i RENAME TO b`.
pub fn rename_index(index: &QName, to: &str) -> String {
    format!("ALTER INDEX {} RENAME TO {}", index.sql(), q(to))
}

/// `ALTER TYPE e RENAME VALUE 'a' TO 'b'`.
pub fn rename_enum_value(ty: &QName, from: &str, to: &str) -> String {
    format!(
        "ALTER TYPE {} RENAME VALUE {} TO {}",
        ty.sql(),
        quote_literal(from),
        quote_literal(to)
    )
}

/// `ALTER TABLE t REPLICA IDENTITY ...`.
pub fn replica_identity(table: &QName, ri: &ReplicaIdentity) -> String {
    format!("ALTER TABLE {} REPLICA IDENTITY {}", table.sql(), ri.sql())
}

/// `ALTER TABLE t ALTER COLUMN c SET STATISTICS n` (`None`: -1, the default).
pub fn set_statistics(table: &QName, column: &str, target: Option<i32>) -> String {
    format!(
        "ALTER TABLE {} ALTER COLUMN {} SET STATISTICS {}",
        table.sql(),
        q(column),
        target.unwrap_or(-1)
    )
}

/// `ALTER INDEX i ALTER COLUMN n SET STATISTICS n` (`None`: -1, the default).
pub fn index_statistics(index: &QName, column: usize, target: Option<i32>) -> String {
    format!(
        "ALTER INDEX {} ALTER COLUMN {column} SET STATISTICS {}",
        index.sql(),
        target.unwrap_or(-1)
    )
}

/// `ALTER TABLE t ALTER COLUMN c SET STORAGE s`.
pub fn set_storage(table: &QName, column: &str, storage: Storage) -> String {
    format!(
        "ALTER TABLE {} ALTER COLUMN {} SET STORAGE {}",
        table.sql(),
        q(column),
        storage.sql()
    )
}

/// `ALTER TABLE t ALTER COLUMN c SET COMPRESSION m` (`None`: `DEFAULT`).
pub fn set_compression(table: &QName, column: &str, method: Option<Compression>) -> String {
    format!(
        "ALTER TABLE {} ALTER COLUMN {} SET COMPRESSION {}",
        table.sql(),
        q(column),
        method.map_or("DEFAULT", Compression::sql)
    )
}

/// `ALTER SEQUENCE s INCREMENT BY n AS t RESTART [WITH n] OWNED BY NONE`, the changes in
/// order.
pub fn alter_sequence(seq: &QName, changes: &[SequenceChange]) -> String {
    let parts: Vec<String> = changes
        .iter()
        .map(|c| match c {
            SequenceChange::Increment(n) => format!("INCREMENT BY {n}"),
            SequenceChange::As(t) => format!("AS {t}"),
            SequenceChange::Restart(Some(n)) => format!("RESTART WITH {n}"),
            SequenceChange::Restart(None) => "RESTART".into(),
            SequenceChange::OwnedByNone => "OWNED BY NONE".into(),
        })
        .collect();
    format!("ALTER SEQUENCE {} {}", seq.sql(), parts.join(" "))
}

/// `ALTER SEQUENCE s OWNED BY t.c` (`None`: `OWNED BY NONE`).
pub fn sequence_owner(seq: &QName, owner: Option<&(QName, String)>) -> String {
    match owner {
        Some((t, c)) => format!("ALTER SEQUENCE {} OWNED BY {}.{}", seq.sql(), t.sql(), q(c)),
        None => format!("ALTER SEQUENCE {} OWNED BY NONE", seq.sql()),
    }
}

/// A grantee: `PUBLIC`, or a quoted role name.
fn grantee(g: &str) -> String {
    if g == "PUBLIC" { g.to_string() } else { q(g) }
}

/// `GRANT p, ... ON TABLE | SEQUENCE t TO r, ...` (`revoke`: `REVOKE ... FROM ...`).
pub fn grant(
    on: GrantOn,
    table: &QName,
    privileges: &[String],
    grantees: &[String],
    revoke: bool,
) -> String {
    let (verb, to) = if revoke {
        ("REVOKE", "FROM")
    } else {
        ("GRANT", "TO")
    };
    format!(
        "{verb} {} ON {} {} {to} {}",
        privileges.join(", "),
        on.sql(),
        table.sql(),
        grantees
            .iter()
            .map(|g| grantee(g))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_quoted_and_texts_escaped() {
        let t = QName::new("Sales", "order items");
        assert_eq!(
            comment_on(&CommentObject::Table(t.clone()), Some("it's")),
            r#"COMMENT ON TABLE "Sales"."order items" IS 'it''s'"#
        );
        assert_eq!(
            grant(
                GrantOn::Table,
                &t,
                &["SELECT".into()],
                &["PUBLIC".into(), "App".into()],
                true
            ),
            r#"REVOKE SELECT ON TABLE "Sales"."order items" FROM PUBLIC, "App""#
        );
        assert_eq!(
            set_compression(&t, "b", None),
            r#"ALTER TABLE "Sales"."order items" ALTER COLUMN "b" SET COMPRESSION DEFAULT"#
        );
    }
}
