//! Applying the statements about objects beside a table's shape: functions and their
//! bodies, triggers, policies, grants, column comments, index statistics targets, and the
//! drops of indexes, tables and other objects.

use super::apply::mismatch;
use super::error::CatalogError;
use std::collections::BTreeSet;

use super::model::{Catalog, ConstraintKind, PolicyDef, Trigger, View};
use crate::sql::QName;
use crate::sql::ddl::{DropKind, TriggerDef, ViewDef};

type R = Result<(), CatalogError>;

impl Catalog {
    /// `CREATE [OR REPLACE] FUNCTION`: its name, and its body when it is SQL or PL/pgSQL.
    pub(super) fn create_function(&mut self, name: &QName, body: Option<&str>, replace: bool) {
        self.functions.insert(name.clone());
        if replace {
            self.function_bodies.remove(name);
        }
        if let Some(b) = body {
            let bodies = self.function_bodies.entry(name.clone()).or_default();
            bodies.push(b.to_string());
            bodies.sort();
            bodies.dedup();
        }
    }

    /// `CREATE TRIGGER` on a table.
    pub(super) fn create_trigger(&mut self, t: &TriggerDef) -> R {
        let table = self.table_mut(&t.table)?;
        table.triggers.insert(
            t.name.clone(),
            Trigger {
                name: t.name.clone(),
                function: t.function.clone(),
                update_columns: t.update_columns.clone(),
                firing: Default::default(),
            },
        );
        Ok(())
    }

    /// `CREATE POLICY`.
    pub(super) fn create_policy(&mut self, p: &PolicyDef) -> R {
        let t = self.table_mut(&p.table)?;
        if t.policies.contains_key(&p.name) {
            return Err(mismatch(format!(
                "policy {} on {} already exists",
                p.name, p.table
            )));
        }
        t.policies.insert(p.name.clone(), p.clone());
        Ok(())
    }

    /// `DROP POLICY [IF EXISTS] name ON table`.
    pub(super) fn drop_policy(&mut self, name: &str, table: &QName, if_exists: bool) -> R {
        // PostgreSQL skips `DROP POLICY IF EXISTS` on a missing table too (pg_dump --clean
        // --if-exists writes it before the table exists).
        if if_exists && !self.tables.contains_key(table) {
            return Ok(());
        }
        let gone = self.table_mut(table)?.policies.remove(name).is_some();
        if !gone && !if_exists {
            return Err(mismatch(format!("policy {name} on {table} does not exist")));
        }
        Ok(())
    }

    /// `DROP INDEX`: never an index that backs a constraint.
    pub(super) fn drop_indexes(&mut self, names: &[QName], if_exists: bool) -> R {
        for n in names {
            if let Some(v) = self
                .views
                .values_mut()
                .find(|v| v.name.schema == n.schema && v.indexes.contains_key(&n.name))
            {
                v.indexes.remove(&n.name);
                continue;
            }
            let Some(t) = self.index_table(n).map(|t| t.name.clone()) else {
                if if_exists {
                    continue;
                }
                return Err(mismatch(format!("index {n} does not exist")));
            };
            let table = self.table_mut(&t)?;
            if let Some(c) = table
                .indexes
                .get(&n.name)
                .and_then(|i| i.constraint.clone())
            {
                return Err(mismatch(format!(
                    "index {n} backs constraint {c}; drop the constraint instead"
                )));
            }
            table.indexes.remove(&n.name);
        }
        Ok(())
    }

    /// `DROP TABLE`, with the sequences it owns and the foreign keys that reference it.
    pub(super) fn drop_tables(&mut self, names: &[QName], if_exists: bool) -> R {
        for n in names {
            if self.tables.remove(n).is_none() && !if_exists {
                return Err(mismatch(format!("table {n} does not exist")));
            }
            self.names_touch(n);
            self.sequences
                .retain(|_, s| s.owned_by.as_ref().is_none_or(|(t, _)| t != n));
            let mut changed = Vec::new();
            for t in self.tables.values_mut() {
                let before = t.constraints.len();
                t.constraints.retain(|_, c| !matches!(&c.kind, ConstraintKind::ForeignKey { ref_table, .. } if ref_table == n));
                if t.constraints.len() != before {
                    changed.push(t.name.clone());
                }
            }
            for t in &changed {
                self.names_touch(t);
            }
        }
        Ok(())
    }

    /// `GRANT`/`REVOKE` of table or sequence privileges (grants on views are not modelled).
    pub(super) fn grant(
        &mut self,
        on: crate::sql::ddl::GrantOn,
        tables: &[QName],
        privileges: &[String],
        grantees: &[String],
        revoke: bool,
    ) {
        use crate::sql::ddl::GrantOn;
        for name in tables {
            let grants = match on {
                GrantOn::Table => self.tables.get_mut(name).map(|t| &mut t.grants),
                GrantOn::Sequence => self.sequences.get_mut(name).map(|s| &mut s.grants),
            };
            let Some(grants) = grants else {
                continue;
            };
            for g in grantees {
                let held = grants.entry(g.clone()).or_default();
                for p in privileges {
                    if revoke {
                        held.remove(p);
                    } else {
                        held.insert(p.clone());
                    }
                }
                if held.is_empty() {
                    grants.remove(g);
                }
            }
        }
    }

    /// `COMMENT ON COLUMN`.
    pub(super) fn comment_on_column(
        &mut self,
        table: &QName,
        column: &str,
        comment: Option<String>,
    ) -> R {
        if self.views.contains_key(table) {
            // A view's column comment (pg_dump writes them): kept by the view rebuild itself.
            return Ok(());
        }
        let t = self.table_mut(table)?;
        let col = t
            .column_mut(column)
            .ok_or_else(|| mismatch(format!("column {table}.{column} does not exist")))?;
        col.comment = comment;
        Ok(())
    }

    /// `ALTER INDEX ... ALTER COLUMN n SET STATISTICS target`.
    pub(super) fn index_statistics(
        &mut self,
        index: &QName,
        column: usize,
        target: Option<i32>,
    ) -> R {
        let Some(t) = self.index_table(index).map(|t| t.name.clone()) else {
            return Err(mismatch(format!("index {index} does not exist")));
        };
        let ix = self.table_mut(&t)?.indexes.get_mut(&index.name);
        let key = ix.and_then(|ix| ix.keys.get_mut(column.wrapping_sub(1)));
        let Some(key) = key else {
            return Err(mismatch(format!(
                "index {index} has no key column {column}"
            )));
        };
        key.statistics = target;
        Ok(())
    }

    /// Forget the sequences, types, functions or triggers a `DROP` names (those the catalog
    /// models; a missing one is no error: schema files drop with `IF EXISTS`).
    pub(super) fn drop_object(&mut self, kind: DropKind, names: &[QName], table: Option<&QName>) {
        for n in names {
            match kind {
                DropKind::Sequence => {
                    self.sequences.remove(n);
                }
                DropKind::Type | DropKind::Domain => {
                    self.enums.remove(n);
                    self.domains.remove(n);
                }
                DropKind::Function => {
                    self.functions.remove(n);
                    self.function_bodies.remove(n);
                }
                DropKind::Trigger => {
                    if let Some(t) = table.and_then(|t| self.tables.get_mut(t)) {
                        t.triggers.remove(&n.name);
                        let t = t.name.clone();
                        self.names_touch(&t);
                    }
                }
                DropKind::Extension => {
                    self.extensions.remove(&n.name);
                }
                DropKind::Schema | DropKind::Collation => {}
            }
        }
    }

    pub(super) fn view_from(&self, v: &ViewDef) -> View {
        let mut depends: std::collections::BTreeMap<QName, BTreeSet<String>> = Default::default();
        let resolve = |q: &str| -> Option<QName> {
            v.aliases
                .iter()
                .find(|(a, _)| a == q)
                .map(|(_, t)| t.clone())
                .or_else(|| v.relations.iter().find(|r| r.name == q).cloned())
        };
        let mut reads_views = BTreeSet::new();
        for rel in &v.relations {
            if self.tables.contains_key(rel) {
                depends.entry(rel.clone()).or_default();
            }
            if self.views.contains_key(rel) {
                reads_views.insert(rel.clone());
            }
        }
        for (qual, col) in &v.columns {
            let targets: Vec<QName> = match qual {
                Some(q) => resolve(q).into_iter().collect(),
                None => v.relations.clone(),
            };
            for t in targets {
                if let Some(table) = self.tables.get(&t)
                    && table.column(col).is_some()
                {
                    depends.entry(t).or_default().insert(col.clone());
                }
            }
        }
        if v.star {
            for rel in &v.relations {
                if let Some(table) = self.tables.get(rel) {
                    depends
                        .entry(rel.clone())
                        .or_default()
                        .extend(table.columns.iter().map(|c| c.name.clone()));
                }
            }
        }
        View {
            name: v.name.clone(),
            materialized: v.materialized,
            depends,
            definition: Some(v.query.clone()),
            reads_views,
            indexes: Default::default(),
            options: v.options.clone(),
            comment: None,
        }
    }
}
