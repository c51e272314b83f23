//! Synthetic rows: for each table of a catalog, one `INSERT ... SELECT` over
//! `generate_series` whose values satisfy the column types, NOT NULL, UNIQUE and primary keys
//! (every value carries the row number), foreign keys to integer keys (parents first, the
//! child pointing at a parent row that exists), enum labels and CHECK constraints (rows
//! that would violate one are left out), with values chosen by column name and type
//! (emails, names, phone numbers, timestamps...) from word lists the `fake` crate draws for
//! the seed ([`vocab`]). Deterministic for a seed. Never a copy of real rows. Pure: the
//! statements run elsewhere.

mod values;
pub mod vocab;

use std::collections::{BTreeMap, BTreeSet};

use crate::catalog::{Catalog, Column, ConstraintKind, Table};
use crate::sql::{QName, quote_ident as q};

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Rows per table.
    pub rows: u64,
    /// Varies the values (same seed, same rows).
    pub seed: u64,
}

/// One table's statement, or why it is left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TablePlan {
    /// Run this to fill the table.
    Insert {
        /// The table.
        table: QName,
        /// The statement.
        sql: String,
    },
    /// Not filled, and why.
    Skipped {
        /// The table.
        table: QName,
        /// Why.
        why: String,
    },
}

/// The statements for every table of `cat`, parents before the tables that reference them.
pub fn plan(cat: &Catalog, s: &Settings) -> Vec<TablePlan> {
    let order = parents_first(cat);
    let mut out: Vec<TablePlan> = Vec::new();
    let mut left_out: BTreeSet<QName> = BTreeSet::new();
    for name in order {
        let Some(t) = cat.tables.get(&name) else {
            continue;
        };
        if let Some(parent) = unfilled_parent(t, &left_out).cloned() {
            left_out.insert(name.clone());
            out.push(TablePlan::Skipped {
                table: name,
                why: format!("it references {}, which is not filled", parent.display()),
            });
            continue;
        }
        if t.parent.is_some() {
            // A partition is filled through its partitioned table; an inheritance child is
            // a table of its own, but its parent's rows are not its rows: leave both.
            if matches!(t.parent, Some(crate::catalog::Parent::Partition { .. })) {
                continue;
            }
        }
        let p = table(cat, t, s, 1..=s.rows);
        if matches!(p, TablePlan::Skipped { .. }) {
            left_out.insert(name);
        }
        out.push(p);
    }
    out
}

/// A table `t` must reference through a NOT NULL key that is left out.
fn unfilled_parent<'a>(t: &Table, left_out: &'a BTreeSet<QName>) -> Option<&'a QName> {
    t.constraints.values().find_map(|c| match &c.kind {
        ConstraintKind::ForeignKey {
            columns, ref_table, ..
        } if columns
            .iter()
            .all(|k| t.column(k).is_some_and(|c| c.not_null)) =>
        {
            left_out.get(ref_table)
        }
        _ => None,
    })
}

/// Tables ordered so that each comes after the tables its foreign keys reference (cycles
/// and self-references are broken; those keys get NULL or are left to their rows).
fn parents_first(cat: &Catalog) -> Vec<QName> {
    let mut done: BTreeSet<QName> = BTreeSet::new();
    let mut out = Vec::new();
    let deps = |t: &Table| -> BTreeSet<QName> {
        t.constraints
            .values()
            .filter_map(|c| match &c.kind {
                ConstraintKind::ForeignKey { ref_table, .. } if ref_table != &t.name => {
                    Some(ref_table.clone())
                }
                _ => None,
            })
            .collect()
    };
    let mut left: Vec<&Table> = cat.tables.values().collect();
    while !left.is_empty() {
        let before = left.len();
        left.retain(|t| {
            if deps(t)
                .iter()
                .all(|d| done.contains(d) || !cat.tables.contains_key(d))
            {
                done.insert(t.name.clone());
                out.push(t.name.clone());
                false
            } else {
                true
            }
        });
        if left.len() == before {
            // A cycle: take the first as it is.
            let t = left.remove(0);
            done.insert(t.name.clone());
            out.push(t.name.clone());
        }
    }
    out
}

/// The statement that inserts rows number `rows` (a range past `s.rows` makes new rows that
/// still reference parent rows 1..=`s.rows`) into table `name` of `cat`, as an application
/// would: `None` when the table is unknown.
pub fn rows_of(
    cat: &Catalog,
    name: &QName,
    s: &Settings,
    rows: std::ops::RangeInclusive<u64>,
) -> Option<TablePlan> {
    cat.tables.get(name).map(|t| table(cat, t, s, rows))
}

/// Columns of `t` whose values must not repeat (PRIMARY KEY, UNIQUE, unique indexes).
fn unique_columns(t: &Table) -> BTreeSet<&str> {
    t.constraints
        .values()
        .flat_map(|c| match &c.kind {
            ConstraintKind::PrimaryKey { columns, .. } | ConstraintKind::Unique { columns, .. } => {
                columns.iter().map(String::as_str).collect::<Vec<_>>()
            }
            _ => Vec::new(),
        })
        .chain(t.indexes.values().filter(|i| i.unique).flat_map(|i| {
            i.keys
                .iter()
                .filter_map(|k| k.column.as_deref())
                .collect::<Vec<_>>()
        }))
        .collect()
}

/// Single-column foreign keys of `t`: column → (parent table, parent column).
fn single_fks(t: &Table) -> BTreeMap<&str, (&QName, &str)> {
    t.constraints
        .values()
        .filter_map(|c| match &c.kind {
            ConstraintKind::ForeignKey {
                columns,
                ref_table,
                ref_columns,
                ..
            } if columns.len() == 1 && ref_columns.len() == 1 => {
                Some((columns[0].as_str(), (ref_table, ref_columns[0].as_str())))
            }
            _ => None,
        })
        .collect()
}

/// Foreign keys of several columns: (columns, parent, parent columns).
fn multi_fks(t: &Table) -> Vec<(&[String], &QName, &[String])> {
    t.constraints
        .values()
        .filter_map(|c| match &c.kind {
            ConstraintKind::ForeignKey {
                columns,
                ref_table,
                ref_columns,
                ..
            } if columns.len() > 1 && columns.len() == ref_columns.len() => {
                Some((columns.as_slice(), ref_table, ref_columns.as_slice()))
            }
            _ => None,
        })
        .collect()
}

/// The value of column `c` of `t` for row `g`: `Ok(None)` to leave it to its default,
/// `Err` when the table cannot be filled (and why).
fn column_expr(
    cat: &Catalog,
    t: &Table,
    c: &Column,
    s: &Settings,
) -> Result<Option<String>, String> {
    if c.generated.is_some() || c.identity.is_some() {
        return Ok(None);
    }
    let fks = single_fks(t);
    Ok(Some(match fks.get(c.name.as_str()) {
        Some((rt, _)) if *rt == &t.name => "NULL".to_string(),
        Some((rt, rc)) => match parent_key(cat, rt, rc) {
            Some(v) => values::reference(v, key_place(t, &c.name), s),
            None if !c.not_null => "NULL".to_string(),
            None => {
                return Err(format!(
                    "{} references {}.{rc}, which is not an integer key bellows fills",
                    c.name,
                    rt.display()
                ));
            }
        },
        None => {
            let labels = cat.enums.get(&type_name(&t.name, &c.ty)).map(Vec::as_slice);
            let unique = unique_columns(t).contains(c.name.as_str());
            match values::value(&c.name, &c.ty, unique, labels, s) {
                Some(v) => v,
                None if !c.not_null || c.default.is_some() => return Ok(None),
                None => {
                    return Err(format!(
                        "bellows does not generate values of type {} ({})",
                        c.ty, c.name
                    ));
                }
            }
        }
    }))
}

/// Values for the columns of a foreign key of several columns: each the parent's own value
/// of the referenced column for a parent row chosen from `g` (so the combination exists,
/// as long as that parent row does; the caller checks). Column → expression.
fn multi_fk_exprs(
    cat: &Catalog,
    t: &Table,
    s: &Settings,
) -> Result<(BTreeMap<String, String>, Vec<String>), String> {
    let mut out = BTreeMap::new();
    let mut exists = Vec::new();
    for (cols, parent, pcols) in multi_fks(t) {
        if cols.iter().any(|c| out.contains_key(c)) {
            continue;
        }
        let Some(p) = cat.tables.get(parent).filter(|p| p.name != t.name) else {
            if cols
                .iter()
                .all(|c| t.column(c).is_some_and(|c| !c.not_null))
            {
                out.extend(cols.iter().map(|c| (c.clone(), "NULL".to_string())));
                continue;
            }
            return Err(format!(
                "its foreign key to {} spans several columns of a table bellows does not fill",
                parent.display()
            ));
        };
        let row = format!("(1 + {} % {})", values::mixed(s), s.rows.max(1));
        for (c, pc) in cols.iter().zip(pcols) {
            let Some(pcol) = p.column(pc) else {
                return Err(format!("{} has no column {pc}", p.name.display()));
            };
            let ty = t.column(c).map_or(pcol.ty.as_str(), |c| c.ty.as_str());
            let value = match column_expr(cat, p, pcol, s)? {
                Some(e) => e,
                // An identity or serial key: parent rows number from 1.
                None => "g".to_string(),
            };
            out.insert(
                c.clone(),
                format!("(SELECT ({value})::{ty} FROM (SELECT {row} AS g) AS bellows_parent)"),
            );
        }
        exists.push(format!(
            "EXISTS (SELECT 1 FROM {} AS bellows_p WHERE ({}) = ({}))",
            p.name.sql(),
            pcols
                .iter()
                .map(|c| format!("bellows_p.{}", q(c)))
                .collect::<Vec<_>>()
                .join(", "),
            cols.iter()
                .map(|c| format!("bellows_rows.{}", q(c)))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok((out, exists))
}

/// The statement for one table, for row numbers `rows`.
fn table(cat: &Catalog, t: &Table, s: &Settings, rows: std::ops::RangeInclusive<u64>) -> TablePlan {
    let skipped = |why: String| TablePlan::Skipped {
        table: t.name.clone(),
        why,
    };
    let (multi, exists) = match multi_fk_exprs(cat, t, s) {
        Ok(m) => m,
        Err(why) => return skipped(why),
    };
    let mut cols = Vec::new();
    let mut exprs = Vec::new();
    for c in &t.columns {
        let expr = match multi.get(&c.name) {
            Some(e) => e.clone(),
            None => match column_expr(cat, t, c, s) {
                Ok(Some(e)) => e,
                Ok(None) => continue,
                Err(why) => return skipped(why),
            },
        };
        cols.push(q(&c.name));
        exprs.push(format!("{expr} AS {}", q(&c.name)));
    }
    if cols.is_empty() {
        return skipped("it has no column bellows fills".into());
    }
    let checks: Vec<String> = t
        .constraints
        .values()
        .filter_map(|c| match &c.kind {
            ConstraintKind::Check { expr } => Some(format!("({expr}) IS NOT FALSE")),
            _ => None,
        })
        .chain(exists)
        .collect();
    let filter = if checks.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", checks.join(" AND "))
    };
    TablePlan::Insert {
        table: t.name.clone(),
        sql: format!(
            "INSERT INTO {} ({}) SELECT {} FROM (SELECT {} FROM generate_series({}, {}) AS g) AS bellows_rows{filter}",
            t.name.sql(),
            cols.join(", "),
            cols.join(", "),
            exprs.join(", "),
            rows.start(),
            rows.end()
        ),
    }
}

/// The column's place in a key of several columns (PRIMARY KEY or UNIQUE), if any.
fn key_place(t: &Table, column: &str) -> Option<u32> {
    t.constraints.values().find_map(|c| match &c.kind {
        ConstraintKind::PrimaryKey { columns, .. } | ConstraintKind::Unique { columns, .. }
            if columns.len() > 1 =>
        {
            columns.iter().position(|x| x == column).map(|p| p as u32)
        }
        _ => None,
    })
}

/// Rows of a parent with an integer key filled 1..rows, so a child can point at one.
fn parent_key<'c>(cat: &'c Catalog, parent: &QName, column: &str) -> Option<&'c str> {
    let p = cat.tables.get(parent)?;
    let c = p.column(column)?;
    let integer = matches!(
        c.ty.as_str(),
        "integer"
            | "bigint"
            | "smallint"
            | "int"
            | "int4"
            | "int8"
            | "int2"
            | "serial"
            | "bigserial"
    );
    integer.then_some(c.ty.as_str())
}

/// A column type as the catalog names enum types (schema-qualified).
fn type_name(table: &QName, ty: &str) -> QName {
    match ty.split_once('.') {
        Some((s, n)) => QName {
            schema: s.trim_matches('"').to_string(),
            name: n.trim_matches('"').to_string(),
        },
        None => QName {
            schema: table.schema.clone(),
            name: ty.trim_matches('"').to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_foreign_key_of_two_columns_takes_the_parents_own_values() {
        let cat = crate::catalog::load::load_str(
            "s.sql",
            "CREATE TABLE tickets (id bigint PRIMARY KEY, created_at timestamptz NOT NULL, UNIQUE (id, created_at));\n\
             CREATE TABLE messages (id int PRIMARY KEY, ticket_id bigint NOT NULL, ticket_created_at timestamptz NOT NULL,\n\
               FOREIGN KEY (ticket_id, ticket_created_at) REFERENCES tickets (id, created_at));\n",
        )
        .expect("schema");
        let s = Settings { rows: 50, seed: 3 };
        let plans = plan(&cat, &s);
        let names: Vec<String> = plans
            .iter()
            .map(|p| match p {
                TablePlan::Insert { table, .. } | TablePlan::Skipped { table, .. } => {
                    table.display()
                }
            })
            .collect();
        assert_eq!(names, ["public.tickets", "public.messages"]);
        let TablePlan::Insert { sql, .. } = &plans[1] else {
            panic!("messages left out: {plans:?}");
        };
        // Each referencing column is the parent's value for one chosen parent row, and the
        // row is kept only when that parent row exists.
        assert!(
            sql.contains(
                "FROM (SELECT (1 + ((g * 7919 + 3) % 1000003) % 50) AS g) AS bellows_parent) AS \"ticket_id\""
            ),
            "{sql}"
        );
        assert!(
            sql.contains("EXISTS (SELECT 1 FROM \"public\".\"tickets\" AS bellows_p WHERE (bellows_p.\"id\", bellows_p.\"created_at\") = (bellows_rows.\"ticket_id\", bellows_rows.\"ticket_created_at\"))"),
            "{sql}"
        );
    }
}
