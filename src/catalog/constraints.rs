//! Adding a constraint to a catalog table: the name PostgreSQL would choose, the index a
//! PRIMARY KEY or UNIQUE constraint brings (or takes over, `USING INDEX`), foreign-key checks.

use super::apply::mismatch;
use super::error::CatalogError;
use super::model::{Catalog, Constraint, ConstraintKind, Index, KeyIndex};
use super::names::choose_name;
use super::uses::{exclusion_definition, plain_key};
use crate::sql::ddl::ConstraintDef;
use crate::sql::{QName, expr};

impl Catalog {
    /// Add a constraint; `NOT VALID` ones are recorded unvalidated.
    pub fn add_constraint(
        &mut self,
        table: &QName,
        def: &ConstraintDef,
        not_valid: bool,
    ) -> Result<(), CatalogError> {
        let name = match &def.name {
            Some(n) => n.clone(),
            None => self.default_constraint_name(table, &def.kind),
        };
        let mut kind = def.kind.clone();
        if let ConstraintKind::Exclude { definition } = &mut kind {
            *definition = exclusion_definition(definition);
        }
        if let ConstraintKind::ForeignKey {
            on_delete,
            on_update,
            ref_columns,
            ref_table,
            ..
        } = &mut kind
        {
            for a in [on_delete, on_update] {
                if a.as_deref() == Some("NO ACTION") {
                    *a = None;
                }
            }
            if !self.tables.contains_key(ref_table) {
                return Err(mismatch(format!(
                    "referenced table {ref_table} does not exist"
                )));
            }
            if ref_columns.is_empty() {
                *ref_columns = self.tables[ref_table].primary_key_columns();
            }
        }
        let t = self.table_mut(table)?;
        for col in kind.columns() {
            if t.column(col).is_none() {
                return Err(mismatch(format!("column {table}.{col} does not exist")));
            }
        }
        if t.constraints.contains_key(&name) {
            return Err(mismatch(format!(
                "constraint {name} already exists on {table}"
            )));
        }
        match &kind {
            ConstraintKind::PrimaryKey { columns, index, .. }
            | ConstraintKind::Unique { columns, index, .. } => {
                let nulls_not_distinct = matches!(
                    kind,
                    ConstraintKind::Unique {
                        nulls_not_distinct: true,
                        ..
                    }
                );
                if matches!(kind, ConstraintKind::PrimaryKey { .. }) {
                    for c in columns {
                        if let Some(col) = t.column_mut(c) {
                            col.not_null = true;
                        }
                    }
                }
                t.indexes.insert(
                    name.clone(),
                    Index {
                        name: name.clone(),
                        unique: true,
                        method: "btree".into(),
                        keys: columns.iter().map(|c| plain_key(c)).collect(),
                        include: index.include.clone(),
                        nulls_not_distinct,
                        with: index.with.clone(),
                        predicate: None,
                        valid: true,
                        constraint: Some(name.clone()),
                        comment: None,
                    },
                );
            }
            ConstraintKind::PrimaryKeyUsingIndex { index, deferral }
            | ConstraintKind::UniqueUsingIndex { index, deferral } => {
                let deferral = *deferral;
                let is_pk = matches!(kind, ConstraintKind::PrimaryKeyUsingIndex { .. });
                let Some(mut ix) = t.indexes.remove(index) else {
                    return Err(mismatch(format!("index {index} does not exist on {table}")));
                };
                let columns: Vec<String> =
                    ix.keys.iter().filter_map(|k| k.column.clone()).collect();
                if is_pk {
                    for c in &columns {
                        if let Some(col) = t.column_mut(c) {
                            col.not_null = true;
                        }
                    }
                }
                ix.name = name.clone();
                ix.constraint = Some(name.clone());
                let nulls_not_distinct = ix.nulls_not_distinct;
                let index = KeyIndex {
                    include: ix.include.clone(),
                    with: ix.with.clone(),
                };
                t.indexes.insert(name.clone(), ix);
                kind = if is_pk {
                    ConstraintKind::PrimaryKey {
                        columns,
                        index,
                        deferral,
                    }
                } else {
                    ConstraintKind::Unique {
                        columns,
                        nulls_not_distinct,
                        index,
                        deferral,
                    }
                };
            }
            _ => {}
        }
        t.constraints.insert(
            name.clone(),
            Constraint {
                name,
                kind,
                validated: !not_valid,
                comment: None,
            },
        );
        Ok(())
    }

    fn default_constraint_name(&self, table: &QName, kind: &ConstraintKind) -> String {
        let (cols, label) = match kind {
            ConstraintKind::PrimaryKey { .. } | ConstraintKind::PrimaryKeyUsingIndex { .. } => {
                return choose_name(&table.name, "", "pkey", |n| {
                    self.name_taken(&table.schema, n)
                });
            }
            ConstraintKind::Unique { columns, .. } => (columns.join("_"), "key"),
            ConstraintKind::ForeignKey { columns, .. } => (columns.join("_"), "fkey"),
            ConstraintKind::Check { expr } => {
                let first = self
                    .tables
                    .get(table)
                    .and_then(|t| {
                        t.columns
                            .iter()
                            .find(|c| expr::mentions_column(expr, &c.name))
                    })
                    .map(|c| c.name.clone())
                    .unwrap_or_default();
                (first, "check")
            }
            ConstraintKind::Exclude { .. } => (String::new(), "excl"),
            ConstraintKind::UniqueUsingIndex { index, .. } => (index.clone(), "key"),
        };
        choose_name(&table.name, &cols, label, |n| {
            self.name_taken(&table.schema, n)
        })
    }
}
