//! Synthetic rows: for each table of a catalog, one `INSERT ... SELECT` over
//! `generate_series` whose values satisfy the column types, NOT NULL, UNIQUE and primary keys
//! (every value carries the row number), foreign keys to integer keys (parents first, the
//! child pointing at a parent row that exists), enum labels and CHECK constraints (rows
//! that would violate one are left out), with values chosen by column name and type
//! (emails, names, phone numbers, timestamps...). Deterministic for a seed. Never a copy of
//! real rows. Pure: the statements run elsewhere.

mod values;

use std::collections::{BTreeMap, BTreeSet};

use crate::catalog::{Catalog, ConstraintKind, Table};
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
        let p = table(cat, t, s);
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

/// The statement for one table.
fn table(cat: &Catalog, t: &Table, s: &Settings) -> TablePlan {
    let unique: BTreeSet<&str> = t
        .constraints
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
        .collect();
    let fks: BTreeMap<&str, (&QName, &str)> = t
        .constraints
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
        .collect();
    let multi_fk = t.constraints.values().find_map(|c| match &c.kind {
        ConstraintKind::ForeignKey { columns, .. } if columns.len() > 1 => Some(c.name.clone()),
        _ => None,
    });
    let mut cols = Vec::new();
    let mut exprs = Vec::new();
    for c in &t.columns {
        if c.generated.is_some() || c.identity.is_some() {
            continue;
        }
        let expr = match fks.get(c.name.as_str()) {
            Some((rt, _)) if *rt == &t.name => "NULL".to_string(),
            Some((rt, rc)) => match parent_key(cat, rt, rc) {
                Some(v) => values::reference(v, key_place(t, &c.name), s),
                None if !c.not_null => "NULL".to_string(),
                None => {
                    return TablePlan::Skipped {
                        table: t.name.clone(),
                        why: format!(
                            "{} references {}.{rc}, which is not an integer key bellows fills",
                            c.name,
                            rt.display()
                        ),
                    };
                }
            },
            None => {
                let labels = cat.enums.get(&type_name(&t.name, &c.ty)).map(Vec::as_slice);
                match values::value(&c.name, &c.ty, unique.contains(c.name.as_str()), labels, s) {
                    Some(v) => v,
                    None if !c.not_null || c.default.is_some() => continue,
                    None => {
                        return TablePlan::Skipped {
                            table: t.name.clone(),
                            why: format!(
                                "bellows does not generate values of type {} ({})",
                                c.ty, c.name
                            ),
                        };
                    }
                }
            }
        };
        cols.push(q(&c.name));
        exprs.push(format!("{expr} AS {}", q(&c.name)));
    }
    if let Some(fk) = multi_fk {
        return TablePlan::Skipped {
            table: t.name.clone(),
            why: format!("foreign key {fk} spans several columns, which bellows does not fill yet"),
        };
    }
    if cols.is_empty() {
        return TablePlan::Skipped {
            table: t.name.clone(),
            why: "it has no column bellows fills".into(),
        };
    }
    let checks: Vec<String> = t
        .constraints
        .values()
        .filter_map(|c| match &c.kind {
            ConstraintKind::Check { expr } => Some(format!("({expr}) IS NOT FALSE")),
            _ => None,
        })
        .collect();
    let filter = if checks.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", checks.join(" AND "))
    };
    TablePlan::Insert {
        table: t.name.clone(),
        sql: format!(
            "INSERT INTO {} ({}) SELECT {} FROM (SELECT {} FROM generate_series(1, {}) AS g) AS bellows_rows{filter}",
            t.name.sql(),
            cols.join(", "),
            cols.join(", "),
            exprs.join(", "),
            s.rows
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
