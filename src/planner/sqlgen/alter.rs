//! `ALTER TABLE` statements on columns and on the table itself.

use crate::sql::ddl::Identity;
use crate::sql::{QName, quote_ident as q};

/// `ALTER TABLE t ADD COLUMN <definition>`.
pub fn add_column(table: &QName, definition: &str) -> String {
    format!("ALTER TABLE {} ADD COLUMN {definition}", table.sql())
}

/// `"c" type [NOT NULL] [DEFAULT d]`: a column definition.
pub fn column_definition(name: &str, ty: &str, not_null: bool, default: Option<&str>) -> String {
    let mut s = format!("{} {ty}", q(name));
    if not_null {
        s.push_str(" NOT NULL");
    }
    if let Some(d) = default {
        s.push_str(&format!(" DEFAULT {d}"));
    }
    s
}

/// `ALTER TABLE t DROP COLUMN "c"`.
pub fn drop_column(table: &QName, column: &str) -> String {
    format!("ALTER TABLE {} DROP COLUMN {}", table.sql(), q(column))
}

/// `ALTER TABLE t DROP COLUMN IF EXISTS "c"`.
pub fn drop_column_if_exists(table: &QName, column: &str) -> String {
    format!(
        "ALTER TABLE {} DROP COLUMN IF EXISTS {}",
        table.sql(),
        q(column)
    )
}

fn alter_column(table: &QName, column: &str, what: &str) -> String {
    format!(
        "ALTER TABLE {} ALTER COLUMN {} {what}",
        table.sql(),
        q(column)
    )
}

/// `ALTER TABLE t ALTER COLUMN "c" SET NOT NULL`.
pub fn set_not_null(table: &QName, column: &str) -> String {
    alter_column(table, column, "SET NOT NULL")
}

/// `ALTER TABLE t ALTER COLUMN "c" DROP NOT NULL`.
pub fn drop_not_null(table: &QName, column: &str) -> String {
    alter_column(table, column, "DROP NOT NULL")
}

/// `ALTER TABLE t ALTER COLUMN "c" SET DEFAULT <expr>`.
pub fn set_default(table: &QName, column: &str, expr: &str) -> String {
    alter_column(table, column, &format!("SET DEFAULT {expr}"))
}

/// `ALTER TABLE t ALTER COLUMN "c" DROP DEFAULT`.
pub fn drop_default(table: &QName, column: &str) -> String {
    alter_column(table, column, "DROP DEFAULT")
}

/// `SET DEFAULT <expr>` when there is one, else `DROP DEFAULT`.
pub fn restore_default(table: &QName, column: &str, default: Option<&str>) -> String {
    match default {
        Some(d) => set_default(table, column, d),
        None => drop_default(table, column),
    }
}

/// `ALTER TABLE t ALTER COLUMN "c" TYPE ty [USING e]`.
pub fn set_type(table: &QName, column: &str, ty: &str, using: Option<&str>) -> String {
    let using = using.map(|u| format!(" USING {u}")).unwrap_or_default();
    alter_column(table, column, &format!("TYPE {ty}{using}"))
}

/// `ALTER TABLE t ALTER COLUMN "c" ADD GENERATED ALWAYS|BY DEFAULT AS IDENTITY`.
pub fn add_identity(table: &QName, column: &str, kind: Identity) -> String {
    alter_column(
        table,
        column,
        &format!("ADD GENERATED {} AS IDENTITY", kind.sql()),
    )
}

/// `ALTER TABLE t ALTER COLUMN "c" DROP IDENTITY [IF EXISTS]`.
pub fn drop_identity(table: &QName, column: &str, if_exists: bool) -> String {
    alter_column(
        table,
        column,
        if if_exists {
            "DROP IDENTITY IF EXISTS"
        } else {
            "DROP IDENTITY"
        },
    )
}

/// `ALTER TABLE t RENAME COLUMN "a" TO "b"`.
pub fn rename_column(table: &QName, from: &str, to: &str) -> String {
    format!(
        "ALTER TABLE {} RENAME COLUMN {} TO {}",
        table.sql(),
        q(from),
        q(to)
    )
}

/// `ALTER TABLE t RENAME TO "n"`.
pub fn rename_table(table: &QName, to: &str) -> String {
    format!("ALTER TABLE {} RENAME TO {}", table.sql(), q(to))
}

/// `ALTER TABLE t ALTER COLUMN "c" SET STATISTICS n`.
pub fn set_statistics(table: &QName, column: &str, target: i32) -> String {
    format!(
        "ALTER TABLE {} ALTER COLUMN {} SET STATISTICS {target}",
        table.sql(),
        q(column)
    )
}

/// `COMMENT ON COLUMN t."c" IS 'text'`.
pub fn comment_on_column(table: &QName, column: &str, text: &str) -> String {
    format!(
        "COMMENT ON COLUMN {}.{} IS {}",
        table.sql(),
        q(column),
        crate::sql::quote_literal(text)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_quoted() {
        let t: QName = "Sales.Order Items".parse().expect("name");
        assert_eq!(
            rename_column(&t, "Qty", "select"),
            r#"ALTER TABLE "Sales"."Order Items" RENAME COLUMN "Qty" TO "select""#
        );
        assert_eq!(
            set_type(&t, "n", "bigint", Some("\"n\"::bigint")),
            r#"ALTER TABLE "Sales"."Order Items" ALTER COLUMN "n" TYPE bigint USING "n"::bigint"#
        );
        assert_eq!(
            column_definition("Note", "text", true, Some("'x'")),
            r#""Note" text NOT NULL DEFAULT 'x'"#
        );
    }
}
