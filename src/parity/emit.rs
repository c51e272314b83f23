//! A change file that brings B to A's shape, for the simple kinds of difference: missing
//! or extra indexes, missing columns, defaults, missing CHECK and FOREIGN KEY constraints,
//! NOT VALID constraints. Every other difference goes in as a comment saying it was not
//! written. The file is ordinary DDL for `bellows plan`, which makes each statement safe.

use super::model::{Change, Kind, ObjectType, Report};
use super::{defs, normalise};
use crate::catalog::{Catalog, Column, ConstraintKind, Index, Table};
use crate::sql::quote_ident;

/// The change file text for `report` (of A against B).
pub fn change_file(report: &Report, a: &Catalog, b: &Catalog) -> String {
    let mut sql = Vec::new();
    let mut notes = Vec::new();
    for (name, ta) in &a.tables {
        if let Some(tb) = b.tables.get(name) {
            table(ta, tb, &mut sql, &mut notes);
        }
    }
    for (o, ds) in &report.objects {
        for d in ds {
            if !written(o.ty, d.kind, &d.change) {
                notes.push(format!("{o}: {}", super::render::describe(d)));
            }
        }
    }
    let mut out = String::from(
        "-- Written by `bellows diff --emit-change`: brings B to A's shape. Review, then `bellows plan` it.\n",
    );
    for s in &sql {
        out.push_str(s);
        out.push('\n');
    }
    if !notes.is_empty() {
        out.push_str("\n-- Not written (do these by hand):\n");
        for n in notes {
            out.push_str(&format!("-- {}\n", n.replace('\n', " ")));
        }
    }
    out
}

/// Differences [`table`] writes as DDL (the rest become comments).
fn written(ty: ObjectType, kind: Kind, change: &Change) -> bool {
    matches!(
        (ty, kind, change),
        (ObjectType::Index, Kind::Presence, _)
            | (ObjectType::Column, Kind::Presence, Change::OnlyInA)
            | (ObjectType::Column, Kind::Default, _)
            | (ObjectType::Constraint, Kind::Validated, _)
            | (ObjectType::Constraint, Kind::Presence, Change::OnlyInA)
    )
}

/// Statements for one table present on both sides; `notes` for what it cannot write.
fn table(a: &Table, b: &Table, sql: &mut Vec<String>, notes: &mut Vec<String>) {
    let t = a.name.sql();
    for c in &a.columns {
        match b.column(&c.name) {
            None => sql.push(add_column(&t, c)),
            Some(cb) => {
                let d = |c: &Column| c.default.as_deref().map(|d| normalise::default(d, &c.ty));
                if d(c) != d(cb) {
                    sql.push(match &c.default {
                        Some(v) => format!(
                            "ALTER TABLE {t} ALTER COLUMN {} SET DEFAULT {v};",
                            quote_ident(&c.name)
                        ),
                        None => format!(
                            "ALTER TABLE {t} ALTER COLUMN {} DROP DEFAULT;",
                            quote_ident(&c.name)
                        ),
                    });
                }
            }
        }
    }
    for (n, con) in &a.constraints {
        match b.constraints.get(n) {
            None => match &con.kind {
                ConstraintKind::Check { .. } | ConstraintKind::ForeignKey { .. } => {
                    sql.push(format!(
                        "ALTER TABLE {t} ADD CONSTRAINT {} {}{}{};",
                        quote_ident(n),
                        defs::constraint(&con.kind, &[]),
                        con.kind.deferral().sql(),
                        if con.validated { "" } else { " NOT VALID" }
                    ));
                }
                _ => notes.push(format!(
                    "constraint {}.{n}: only in A ({}); add it with its index by hand",
                    a.name.display(),
                    defs::constraint(&con.kind, &[])
                )),
            },
            Some(cb) if con.validated && !cb.validated => sql.push(format!(
                "ALTER TABLE {t} VALIDATE CONSTRAINT {};",
                quote_ident(n)
            )),
            Some(cb) if !con.validated && cb.validated => notes.push(format!(
                "constraint {}.{n}: NOT VALID in A, validated in B; nothing to do",
                a.name.display()
            )),
            Some(_) => {}
        }
    }
    for (n, ix) in &a.indexes {
        if !b.indexes.contains_key(n) && ix.constraint.is_none() {
            sql.push(create_index(a, n, ix));
        }
    }
    for (n, ix) in &b.indexes {
        if !a.indexes.contains_key(n) && ix.constraint.is_none() {
            sql.push(format!("DROP INDEX {};", a.name.sibling(n.clone()).sql()));
        }
    }
}

fn add_column(t: &str, c: &Column) -> String {
    let mut s = format!(
        "ALTER TABLE {t} ADD COLUMN {} {}",
        quote_ident(&c.name),
        c.ty
    );
    if let Some(coll) = &c.collation {
        s.push_str(&format!(" COLLATE {coll}"));
    }
    if let Some(d) = &c.default {
        s.push_str(&format!(" DEFAULT {d}"));
    }
    if c.not_null {
        s.push_str(" NOT NULL");
    }
    s.push(';');
    s
}

fn create_index(t: &Table, name: &str, ix: &Index) -> String {
    let def = defs::index(ix);
    let (unique, rest) = match def.strip_prefix("UNIQUE ") {
        Some(r) => ("UNIQUE ", r),
        None => ("", def.as_str()),
    };
    let mut s = format!(
        "CREATE {unique}INDEX {} ON {} {rest}",
        quote_ident(name),
        t.name.sql()
    );
    if let Some(p) = &ix.predicate {
        s.push_str(&format!(" WHERE {p}"));
    }
    s.push(';');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog;
    use crate::sql::QName;

    #[test]
    fn simple_kinds_are_written_and_others_are_comments() {
        let a = catalog::load_str(
            "a.sql",
            "CREATE TABLE t (id bigint PRIMARY KEY, n int DEFAULT 1, note text);\n\
             CREATE INDEX t_note_idx ON t (note) WHERE note IS NOT NULL;\n\
             ALTER TABLE t ADD CONSTRAINT t_n_check CHECK (n > 0);",
        )
        .expect("a");
        let mut b = catalog::load_str(
            "b.sql",
            "CREATE TABLE t (id bigint PRIMARY KEY, n int);\nCREATE INDEX t_id_idx ON t (id);",
        )
        .expect("b");
        b.enums.insert(QName::public("e"), vec!["x".into()]);
        let r = super::super::compare(&a, &b);
        let f = change_file(&r, &a, &b);
        for want in [
            r#"ALTER TABLE "public"."t" ADD COLUMN "note" text;"#,
            r#"ALTER TABLE "public"."t" ALTER COLUMN "n" SET DEFAULT 1;"#,
            r#"ALTER TABLE "public"."t" ADD CONSTRAINT "t_n_check" CHECK (n > 0);"#,
            r#"CREATE INDEX "t_note_idx" ON "public"."t" USING btree (note) WHERE note IS NOT NULL;"#,
            r#"DROP INDEX "public"."t_id_idx";"#,
            "-- enum public.e: only in B",
        ] {
            assert!(f.contains(want), "{want} missing:\n{f}");
        }
    }
}
