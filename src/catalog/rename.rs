//! Renaming and dropping columns and tables in the catalog: every index, constraint,
//! foreign key, trigger, sequence and view that refers to them follows.

use super::apply::{constraint_uses, index_uses};
use super::error::CatalogError;
use super::model::*;
use crate::sql::{QName, expr};

impl Catalog {
    pub(super) fn drop_column(&mut self, table: &QName, name: &str) {
        self.names_touch(table);
        if let Some(t) = self.tables.get_mut(table) {
            t.columns.retain(|c| c.name != name);
            t.indexes.retain(|_, i| !index_uses(i, name));
            t.constraints.retain(|_, c| !constraint_uses(c, name));
            t.triggers
                .retain(|_, tr| !tr.update_columns.iter().any(|c| c == name));
        }
        let mut changed = Vec::new();
        for t in self.tables.values_mut() {
            let before = t.constraints.len();
            t.constraints.retain(|_, c| !matches!(&c.kind, ConstraintKind::ForeignKey { ref_table, ref_columns, .. } if ref_table == table && ref_columns.iter().any(|c| c == name)));
            if t.constraints.len() != before {
                changed.push(t.name.clone());
            }
        }
        for t in &changed {
            self.names_touch(t);
        }
        self.sequences
            .retain(|_, s| s.owned_by.as_ref() != Some(&(table.clone(), name.to_string())));
        for v in self.views.values_mut() {
            if let Some(cols) = v.depends.get_mut(table) {
                cols.remove(name);
            }
        }
    }

    pub(super) fn rename_column(&mut self, table: &QName, from: &str, to: &str) {
        let ren = |e: &str| expr::rename_column(e, from, to).unwrap_or_else(|_| e.to_string());
        let ren_list = |v: &mut Vec<String>| {
            for c in v.iter_mut() {
                if c == from {
                    *c = to.to_string();
                }
            }
        };
        if let Some(t) = self.tables.get_mut(table) {
            for c in &mut t.columns {
                if c.name == from {
                    c.name = to.to_string();
                }
                if let Some(g) = &mut c.generated {
                    *g = ren(g);
                }
            }
            for p in t.policies.values_mut() {
                if let Ok(r) = p.renamed(from, to) {
                    *p = r;
                }
            }
            for i in t.indexes.values_mut() {
                for k in &mut i.keys {
                    if k.column.as_deref() == Some(from) {
                        k.column = Some(to.to_string());
                        k.expr = crate::sql::types::quote_if_needed(to);
                    } else if k.column.is_none() {
                        k.expr = ren(&k.expr);
                    }
                }
                if let Some(p) = &mut i.predicate {
                    *p = ren(p);
                }
                ren_list(&mut i.include);
            }
            for c in t.constraints.values_mut() {
                match &mut c.kind {
                    ConstraintKind::PrimaryKey { columns, index, .. }
                    | ConstraintKind::Unique { columns, index, .. } => {
                        ren_list(columns);
                        ren_list(&mut index.include);
                    }
                    ConstraintKind::ForeignKey {
                        columns,
                        delete_set_columns,
                        ..
                    } => {
                        ren_list(columns);
                        ren_list(delete_set_columns);
                    }
                    ConstraintKind::Check { expr } => *expr = ren(expr),
                    _ => {}
                }
            }
            for tr in t.triggers.values_mut() {
                ren_list(&mut tr.update_columns);
            }
        }
        for t in self.tables.values_mut() {
            for c in t.constraints.values_mut() {
                if let ConstraintKind::ForeignKey {
                    ref_table,
                    ref_columns,
                    ..
                } = &mut c.kind
                    && ref_table == table
                {
                    ren_list(ref_columns);
                }
            }
        }
        for s in self.sequences.values_mut() {
            if let Some((t, c)) = &mut s.owned_by
                && t == table
                && c == from
            {
                *c = to.to_string();
            }
        }
        for v in self.views.values_mut() {
            if let Some(cols) = v.depends.get_mut(table)
                && cols.remove(from)
            {
                cols.insert(to.to_string());
            }
        }
    }

    pub(super) fn rename_table(&mut self, from: &QName, to: &QName) -> Result<(), CatalogError> {
        let mut t = self
            .tables
            .remove(from)
            .ok_or_else(|| CatalogError::Mismatch(format!("table {from} does not exist")))?;
        t.name = to.clone();
        for p in t.policies.values_mut() {
            p.table = to.clone();
        }
        self.tables.insert(to.clone(), t);
        self.names_touch(from);
        self.names_touch(to);
        for t in self.tables.values_mut() {
            for c in t.constraints.values_mut() {
                if let ConstraintKind::ForeignKey { ref_table, .. } = &mut c.kind
                    && ref_table == from
                {
                    *ref_table = to.clone();
                }
            }
        }
        for s in self.sequences.values_mut() {
            if let Some((t, _)) = &mut s.owned_by
                && t == from
            {
                *t = to.clone();
            }
        }
        for v in self.views.values_mut() {
            if let Some(cols) = v.depends.remove(from) {
                v.depends.insert(to.clone(), cols);
            }
        }
        Ok(())
    }
}
