//! Properties written as short, comparable text: what the report shows as `A=… B=…`.

use std::collections::{BTreeMap, BTreeSet};

use super::normalise;
use crate::catalog::{ConstraintKind, Deferral, Index, KeyIndex, Parent, PolicyDef, View};

/// An optional value, or `none`.
pub fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "none".into())
}

/// Grants as `role: PRIV,PRIV; role: ...`, or `none`.
pub fn grants(g: &BTreeMap<String, BTreeSet<String>>) -> String {
    if g.is_empty() {
        return "none".into();
    }
    g.iter()
        .map(|(role, privs)| {
            format!(
                "{role}: {}",
                privs.iter().cloned().collect::<Vec<_>>().join(",")
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The table columns a view reads, `table(col,col); ...`.
pub fn reads(v: &View) -> String {
    let mut parts: Vec<String> = v
        .depends
        .iter()
        .map(|(t, cols)| {
            format!(
                "{t}({})",
                cols.iter().cloned().collect::<Vec<_>>().join(",")
            )
        })
        .collect();
    parts.extend(v.reads_views.iter().map(ToString::to_string));
    format!("reads {}", parts.join("; "))
}

fn key_index(k: &KeyIndex) -> String {
    let mut s = String::new();
    if !k.include.is_empty() {
        s.push_str(&format!(" INCLUDE ({})", cols(&k.include)));
    }
    if !k.with.is_empty() {
        s.push_str(&format!(" WITH ({})", k.with.join(", ")));
    }
    s
}

/// Column names as SQL, quoted where needed.
fn cols(c: &[String]) -> String {
    c.iter()
        .map(|n| crate::sql::quote_ident(n))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A constraint's definition without its deferral (reported on its own); literal casts to
/// the table's column `types` dropped from a CHECK.
pub fn constraint(k: &ConstraintKind, types: &[String]) -> String {
    match k {
        ConstraintKind::PrimaryKey { columns, index, .. } => {
            format!("PRIMARY KEY ({}){}", cols(columns), key_index(index))
        }
        ConstraintKind::Unique {
            columns,
            nulls_not_distinct,
            index,
            ..
        } => format!(
            "UNIQUE{} ({}){}",
            if *nulls_not_distinct {
                " NULLS NOT DISTINCT"
            } else {
                ""
            },
            cols(columns),
            key_index(index)
        ),
        ConstraintKind::Check { expr } => {
            format!(
                "CHECK ({})",
                normalise::casts_to(&normalise::expr(expr), types)
            )
        }
        fk @ ConstraintKind::ForeignKey { .. } => fk.foreign_key_sql().unwrap_or_default(),
        ConstraintKind::Exclude { definition } => definition.clone(),
        ConstraintKind::PrimaryKeyUsingIndex { index, .. } => {
            format!("PRIMARY KEY USING INDEX {index}")
        }
        ConstraintKind::UniqueUsingIndex { index, .. } => format!("UNIQUE USING INDEX {index}"),
    }
}

/// A deferral as words.
pub fn deferral(d: Deferral) -> String {
    match d {
        Deferral::Immediate => "NOT DEFERRABLE".into(),
        other => other.sql().trim().to_string(),
    }
}

/// An index's definition without its predicate and validity (reported on their own).
pub fn index(ix: &Index) -> String {
    let keys: Vec<String> = ix
        .keys
        .iter()
        .map(|k| {
            let mut s = k.expr.clone();
            if let Some(c) = &k.collation {
                s.push_str(&format!(" COLLATE {c}"));
            }
            if let Some(o) = &k.opclass {
                s.push_str(&format!(" {o}"));
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
        })
        .collect();
    let mut s = format!(
        "{}USING {} ({})",
        if ix.unique { "UNIQUE " } else { "" },
        ix.method,
        keys.join(", ")
    );
    if !ix.include.is_empty() {
        s.push_str(&format!(" INCLUDE ({})", cols(&ix.include)));
    }
    if ix.nulls_not_distinct {
        s.push_str(" NULLS NOT DISTINCT");
    }
    if !ix.with.is_empty() {
        s.push_str(&format!(" WITH ({})", ix.with.join(", ")));
    }
    s
}

/// A table's parent: `partition of T FOR VALUES ...`, `inherits T, U`, or `none`.
pub fn parent(p: &Option<Parent>) -> String {
    match p {
        None => "none".into(),
        Some(Parent::Partition { table, bound }) => format!("partition of {table} {bound}"),
        Some(Parent::Inherits { tables }) => format!(
            "inherits {}",
            tables
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A policy's definition without its name.
pub fn policy(p: &PolicyDef) -> String {
    let kind = match p.kind {
        crate::catalog::PolicyKind::Permissive => "PERMISSIVE",
        crate::catalog::PolicyKind::Restrictive => "RESTRICTIVE",
    };
    let mut s = format!("AS {kind} FOR {}", p.command.sql());
    let roles = if p.roles.is_empty() {
        "PUBLIC".to_string()
    } else {
        p.roles.join(", ")
    };
    s.push_str(&format!(" TO {roles}"));
    if let Some(u) = &p.using {
        s.push_str(&format!(" USING ({})", normalise::expr(u)));
    }
    if let Some(c) = &p.check {
        s.push_str(&format!(" WITH CHECK ({})", normalise::expr(c)));
    }
    s
}
