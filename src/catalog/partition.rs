//! Partitions and inheritance in the catalog: a child takes its parents' columns and CHECK
//! constraints (`PARTITION OF`, `INHERITS`), `ATTACH PARTITION` makes a table a partition,
//! and `ALTER INDEX ... ATTACH PARTITION` joins a partition's index to its parent's.

use super::apply::mismatch;
use super::error::CatalogError;
use super::model::{Catalog, ConstraintKind, Parent};
use crate::sql::QName;
use crate::sql::ddl::{ColumnDef, TableDef};

impl Catalog {
    /// Record `def`'s parent and partition key, and give it its parents' columns and CHECK
    /// constraints, as PostgreSQL does.
    pub(super) fn take_from_parents(&mut self, def: &TableDef) -> Result<(), CatalogError> {
        let mut columns = Vec::new();
        let mut checks = Vec::new();
        for p in def.parent.iter().flat_map(Parent::tables) {
            let parent = self
                .tables
                .get(p)
                .ok_or_else(|| mismatch(format!("table {p} does not exist")))?;
            for c in &parent.columns {
                if !columns.iter().any(|x: &super::Column| x.name == c.name) {
                    let mut c = c.clone();
                    c.identity = None;
                    columns.push(c);
                }
            }
            checks.extend(
                parent
                    .constraints
                    .values()
                    .filter(|c| matches!(c.kind, ConstraintKind::Check { .. }))
                    .cloned(),
            );
        }
        let table = self.table_mut(&def.name)?;
        table.parent = def.parent.clone();
        table.partition_key = def.partition_key.clone();
        table.columns = columns;
        for c in checks {
            table.constraints.insert(c.name.clone(), c);
        }
        Ok(())
    }

    /// A column `def` declares that it already has from a parent: its NOT NULL and DEFAULT
    /// are merged in (true), or it is new (false).
    pub(super) fn merge_inherited_column(&mut self, table: &QName, def: &ColumnDef) -> bool {
        let Some(c) = self
            .tables
            .get_mut(table)
            .and_then(|t| t.column_mut(&def.name))
        else {
            return false;
        };
        c.not_null |= def.not_null;
        if def.default.is_some() {
            c.default = def.default.clone();
        }
        true
    }

    /// Every foreign key of partitioned `table` also on each of its partitions, under the
    /// same name, as PostgreSQL clones them (a key on a partitioned table always reaches its
    /// partitions; `pg_dump` writes it once, on the parent).
    pub(super) fn foreign_keys_to_partitions(&mut self, table: &QName) {
        let Some(t) = self.tables.get(table).filter(|t| t.is_partitioned()) else {
            return;
        };
        let keys: Vec<_> = t
            .constraints
            .values()
            .filter(|c| matches!(c.kind, ConstraintKind::ForeignKey { .. }))
            .cloned()
            .collect();
        let children: Vec<QName> = self
            .tables
            .values()
            .filter(|c| matches!(&c.parent, Some(Parent::Partition { table: p, .. }) if p == table))
            .map(|c| c.name.clone())
            .collect();
        for child in children {
            self.names_touch(&child);
            if let Some(c) = self.tables.get_mut(&child) {
                for k in &keys {
                    c.constraints
                        .entry(k.name.clone())
                        .or_insert_with(|| k.clone());
                }
            }
            self.foreign_keys_to_partitions(&child);
        }
    }

    /// `ALTER TABLE parent ATTACH PARTITION child bound`.
    pub(super) fn attach_partition(
        &mut self,
        parent: &QName,
        child: &QName,
        bound: &str,
    ) -> Result<(), CatalogError> {
        if !self.table_mut(parent)?.is_partitioned() {
            return Err(mismatch(format!("table {parent} is not partitioned")));
        }
        self.table_mut(child)?.parent = Some(Parent::Partition {
            table: parent.clone(),
            bound: bound.to_string(),
        });
        Ok(())
    }

    /// `ALTER INDEX parent ATTACH PARTITION child`.
    pub(super) fn attach_index(
        &mut self,
        parent: &QName,
        child: &QName,
    ) -> Result<(), CatalogError> {
        if self.index_table(parent).is_none() {
            return Err(mismatch(format!("index {parent} does not exist")));
        }
        let table = self
            .index_table(child)
            .map(|t| t.name.clone())
            .ok_or_else(|| mismatch(format!("index {child} does not exist")))?;
        self.table_mut(&table)?
            .index_parents
            .insert(child.name.clone(), parent.clone());
        Ok(())
    }
}
