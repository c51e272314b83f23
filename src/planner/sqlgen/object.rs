//! Statements on objects other than tables: sequences and their values, views, drops of new
//! objects, whole-table drops and truncation.

use crate::sql::{QName, quote_ident as q, quote_literal};

/// `DROP <kind> IF EXISTS <name>` (`kind` as `TYPE`, `MATERIALIZED VIEW`, ...).
pub fn drop_if_exists(kind: &str, name: &QName) -> String {
    format!("DROP {kind} IF EXISTS {}", name.sql())
}

/// `DROP SCHEMA IF EXISTS "s"`.
pub fn drop_schema_if_exists(schema: &str) -> String {
    format!("DROP SCHEMA IF EXISTS {}", q(schema))
}

/// `DROP TABLE a, b`.
pub fn drop_tables(tables: &[QName]) -> String {
    format!("DROP TABLE {}", list(tables))
}

/// `TRUNCATE a, b`.
pub fn truncate(tables: &[QName]) -> String {
    format!("TRUNCATE {}", list(tables))
}

fn list(names: &[QName]) -> String {
    names.iter().map(|n| n.sql()).collect::<Vec<_>>().join(", ")
}

/// `CREATE VIEW v [WITH (security_invoker = true)] AS SELECT * FROM t`.
pub fn view_over(view: &QName, table: &QName, security_invoker: bool) -> String {
    format!(
        "CREATE VIEW {}{} AS SELECT * FROM {}",
        view.sql(),
        if security_invoker {
            " WITH (security_invoker = true)"
        } else {
            ""
        },
        table.sql()
    )
}

/// `GRANT p1, p2 ON object TO grantee` (`PUBLIC`, or a role name, quoted).
pub fn grant(privileges: &[&str], object: &QName, grantee: &str) -> String {
    let to = if grantee == "PUBLIC" {
        "PUBLIC".to_string()
    } else {
        q(grantee)
    };
    format!(
        "GRANT {} ON {} TO {to}",
        privileges.join(", "),
        object.sql()
    )
}

/// `CREATE SEQUENCE [IF NOT EXISTS] s AS type`.
pub fn create_sequence(seq: &QName, ty: &str, if_not_exists: bool) -> String {
    format!(
        "CREATE SEQUENCE {}{} AS {ty}",
        if if_not_exists { "IF NOT EXISTS " } else { "" },
        seq.sql()
    )
}

/// `DROP SEQUENCE s`.
pub fn drop_sequence(seq: &QName) -> String {
    format!("DROP SEQUENCE {}", seq.sql())
}

/// `ALTER SEQUENCE s OWNED BY t."c"`.
pub fn sequence_owned_by(seq: &QName, table: &QName, column: &str) -> String {
    format!(
        "ALTER SEQUENCE {} OWNED BY {}.{}",
        seq.sql(),
        table.sql(),
        q(column)
    )
}

/// `ALTER SEQUENCE s OWNED BY NONE`.
pub fn sequence_owned_by_none(seq: &QName) -> String {
    format!("ALTER SEQUENCE {} OWNED BY NONE", seq.sql())
}

/// `ALTER SEQUENCE s AS type`.
pub fn sequence_as(seq: &QName, ty: &str) -> String {
    format!("ALTER SEQUENCE {} AS {ty}", seq.sql())
}

/// `'s'::regclass`: a sequence named in an expression.
pub fn regclass(seq: &QName) -> String {
    format!("{}::regclass", quote_literal(&seq.sql()))
}

/// `nextval('s'::regclass)`.
pub fn nextval(seq: &QName) -> String {
    format!("nextval({})", regclass(seq))
}

/// `pg_get_serial_sequence('t', 'c')`: the sequence behind a serial or identity column.
pub fn serial_sequence(table: &QName, column: &str) -> String {
    format!(
        "pg_get_serial_sequence({}, {})",
        quote_literal(&table.sql()),
        quote_literal(column)
    )
}

/// `GREATEST((SELECT max("c") FROM t), 1)`.
pub fn max_or_one(table: &QName, column: &str) -> String {
    format!(
        "GREATEST((SELECT max({}) FROM {}), 1)",
        q(column),
        table.sql()
    )
}

/// `SELECT setval(<sequence>, <value>)`.
pub fn setval(sequence: &str, value: &str) -> String {
    format!("SELECT setval({sequence}, {value})")
}

/// `CREATE OR REPLACE VIEW v [WITH (options)] AS query`: same output columns, new query;
/// the view keeps its owner, grants, comment and the views built on it.
pub fn replace_view(view: &QName, options: &[String], query: &str) -> String {
    let with = if options.is_empty() {
        String::new()
    } else {
        format!(" WITH ({})", options.join(", "))
    };
    format!("CREATE OR REPLACE VIEW {}{with} AS {query}", view.sql())
}

/// A statement that fails (and so rolls back its transaction) while any view, rule or
/// policy still reads `table.column`.
pub fn assert_column_unread(table: &QName, column: &str) -> String {
    format!(
        "DO $bellows$ BEGIN IF EXISTS (SELECT 1 FROM pg_catalog.pg_depend d \
         JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid \
         WHERE d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass \
         AND d.refobjid = {}::pg_catalog.regclass AND a.attname = {} \
         AND d.classid IN ('pg_catalog.pg_rewrite'::pg_catalog.regclass, 'pg_catalog.pg_policy'::pg_catalog.regclass)) \
         THEN RAISE EXCEPTION 'bellows: a view or policy still reads column % of %', {}, {}; END IF; END $bellows$",
        quote_literal(&table.sql()),
        quote_literal(column),
        quote_literal(column),
        quote_literal(&table.display()),
    )
}
