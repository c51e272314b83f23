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

    /// `start` and every view built on them, directly or through other views, each after
    /// the views it reads (the order to create them in; drop them in reverse).
    pub fn view_chain(&self, start: &[QName]) -> Vec<QName> {
        let mut members: std::collections::BTreeSet<QName> = start.iter().cloned().collect();
        loop {
            let before = members.len();
            for v in self.views.values() {
                if v.reads_views.iter().any(|r| members.contains(r)) {
                    members.insert(v.name.clone());
                }
            }
            if members.len() == before {
                break;
            }
        }
        let mut out: Vec<QName> = Vec::new();
        while out.len() < members.len() {
            let ready: Vec<QName> = members
                .iter()
                .filter(|m| !out.contains(m))
                .filter(|m| {
                    self.views.get(*m).is_none_or(|v| {
                        v.reads_views
                            .iter()
                            .all(|r| !members.contains(r) || out.contains(r))
                    })
                })
                .cloned()
                .collect();
            if ready.is_empty() {
                // A cycle cannot exist in PostgreSQL; keep what is left in name order.
                out.extend(
                    members
                        .iter()
                        .filter(|m| !out.contains(m))
                        .cloned()
                        .collect::<Vec<_>>(),
                );
                break;
            }
            out.extend(ready);
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

#[cfg(test)]
mod tests {
    use crate::catalog::load_str;
    use crate::sql::QName;

    #[test]
    fn a_view_chain_lists_each_view_after_the_views_it_reads() {
        let cat = load_str(
            "s.sql",
            "CREATE TABLE t (id bigint PRIMARY KEY, a integer);
             CREATE VIEW v1 AS SELECT id, a FROM t;
             CREATE VIEW other AS SELECT id FROM t;
             CREATE VIEW v3 AS SELECT x.id, y.a FROM v1 x JOIN other y ON y.id = x.id;
             CREATE VIEW v2 AS SELECT id, a FROM v1;
             CREATE MATERIALIZED VIEW m AS SELECT id, a FROM v2;",
        )
        .expect("schema loads");
        let chain: Vec<String> = cat
            .view_chain(&[QName::public("v1")])
            .iter()
            .map(|v| v.name.clone())
            .collect();
        assert_eq!(chain, ["v1", "v2", "v3", "m"]);
        assert_eq!(cat.views[&QName::public("v3")].reads_views.len(), 2);
    }
}
