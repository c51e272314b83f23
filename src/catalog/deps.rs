//! What depends on a column or a table: the things a recipe must carry over, or refuse on.

use super::apply::{constraint_uses, index_uses};
use super::model::*;
use crate::sql::{QName, expr};

/// Everything in the catalog that refers to one column.
#[derive(Debug, Clone, Default)]
pub struct ColumnDeps {
    /// Indexes of the table that use the column (constraint-backing ones included).
    pub indexes: Vec<Index>,
    /// Constraints of the table that use the column.
    pub constraints: Vec<Constraint>,
    /// Foreign keys of other tables (or this one) that reference the column: (table, fk).
    pub referencing_fks: Vec<(QName, Constraint)>,
    /// Views that read the column.
    pub views: Vec<QName>,
    /// Triggers that fire on `UPDATE OF` the column.
    pub column_triggers: Vec<Trigger>,
    /// Other triggers on the table (their functions may mention the column).
    pub table_triggers: Vec<Trigger>,
    /// Sequences owned by the column.
    pub sequences: Vec<QName>,
    /// Generated columns whose expression reads it.
    pub generated_columns: Vec<String>,
    /// Row-level-security policies of the table whose expressions read it.
    pub policies: Vec<PolicyDef>,
}

impl ColumnDeps {
    /// Nothing depends on the column.
    pub fn is_empty(&self) -> bool {
        self.indexes.is_empty()
            && self.constraints.is_empty()
            && self.referencing_fks.is_empty()
            && self.views.is_empty()
            && self.column_triggers.is_empty()
            && self.sequences.is_empty()
            && self.generated_columns.is_empty()
            && self.policies.is_empty()
    }

    /// One line per dependent object, for messages and plan warnings.
    pub fn describe(&self) -> Vec<String> {
        let mut out = Vec::new();
        out.extend(
            self.indexes
                .iter()
                .filter(|i| i.constraint.is_none())
                .map(|i| format!("index {}", i.name)),
        );
        out.extend(
            self.constraints
                .iter()
                .map(|c| format!("constraint {}", c.name)),
        );
        out.extend(
            self.referencing_fks
                .iter()
                .map(|(t, c)| format!("foreign key {} on {}", c.name, t)),
        );
        out.extend(self.views.iter().map(|v| format!("view {v}")));
        out.extend(
            self.column_triggers
                .iter()
                .map(|t| format!("trigger {} (UPDATE OF)", t.name)),
        );
        out.extend(self.sequences.iter().map(|s| format!("sequence {s}")));
        out.extend(
            self.generated_columns
                .iter()
                .map(|c| format!("generated column {c}")),
        );
        out.extend(self.policies.iter().map(|p| format!("policy {}", p.name)));
        out
    }
}

impl Catalog {
    /// What refers to `table.column`.
    pub fn column_deps(&self, table: &QName, column: &str) -> ColumnDeps {
        let mut d = ColumnDeps::default();
        let Some(t) = self.tables.get(table) else {
            return d;
        };
        d.indexes = t
            .indexes
            .values()
            .filter(|i| index_uses(i, column))
            .cloned()
            .collect();
        d.constraints = t
            .constraints
            .values()
            .filter(|c| constraint_uses(c, column))
            .cloned()
            .collect();
        for other in self.tables.values() {
            for c in other.constraints.values() {
                if let ConstraintKind::ForeignKey {
                    ref_table,
                    ref_columns,
                    ..
                } = &c.kind
                    && ref_table == table
                    && ref_columns.iter().any(|r| r == column)
                {
                    d.referencing_fks.push((other.name.clone(), c.clone()));
                }
            }
        }
        d.views = self
            .views
            .values()
            .filter(|v| {
                v.depends
                    .get(table)
                    .is_some_and(|cols| cols.contains(column))
            })
            .map(|v| v.name.clone())
            .collect();
        for tr in t.triggers.values() {
            if tr.update_columns.iter().any(|c| c == column) {
                d.column_triggers.push(tr.clone());
            } else {
                d.table_triggers.push(tr.clone());
            }
        }
        d.sequences = self
            .sequences
            .iter()
            .filter(|(_, s)| s.owned_by.as_ref() == Some(&(table.clone(), column.to_string())))
            .map(|(n, _)| n.clone())
            .collect();
        d.generated_columns = t
            .columns
            .iter()
            .filter(|c| {
                c.generated
                    .as_deref()
                    .is_some_and(|g| expr::mentions_column(g, column))
            })
            .map(|c| c.name.clone())
            .collect();
        d.policies = t
            .policies
            .values()
            .filter(|p| p.mentions(column))
            .cloned()
            .collect();
        d
    }

    /// Foreign keys elsewhere that reference `table`: (referencing table, constraint). A
    /// partition's copy of its partitioned table's key is not listed: it comes and goes
    /// with the parent's.
    pub fn fks_referencing(&self, table: &QName) -> Vec<(QName, Constraint)> {
        let mut out = Vec::new();
        for other in self.tables.values() {
            for c in other.constraints.values() {
                if matches!(&c.kind, ConstraintKind::ForeignKey { ref_table, .. } if ref_table == table)
                    && &other.name != table
                    && !self.is_partition_copy(other, &c.name)
                {
                    out.push((other.name.clone(), c.clone()));
                }
            }
        }
        out
    }

    /// Whether constraint `name` of `t` is its partitioned parent's, cloned by PostgreSQL.
    pub fn is_partition_copy(&self, t: &super::Table, name: &str) -> bool {
        matches!(&t.parent, Some(super::Parent::Partition { table, .. })
            if self.tables.get(table).is_some_and(|p| p.constraints.contains_key(name)))
    }

    /// Views that read `table`.
    pub fn views_on(&self, table: &QName) -> Vec<QName> {
        self.views
            .values()
            .filter(|v| v.depends.contains_key(table))
            .map(|v| v.name.clone())
            .collect()
    }
}
