//! Applying one DDL statement to a catalog: how a schema file builds the catalog, and how the
//! planner sees the schema as each statement of a change leaves it.

use super::error::CatalogError;
use super::model::*;
use super::names::choose_name;
use super::uses::expr_label;
pub use super::uses::{constraint_uses, exclusion_definition, index_uses, plain_key};
use crate::sql::ddl::{AlterAction, ColumnDef, Ddl, IndexDef, TableDef};
use crate::sql::{QName, expr};

type R = Result<(), CatalogError>;

pub(super) fn mismatch(msg: impl Into<String>) -> CatalogError {
    CatalogError::Mismatch(msg.into())
}

impl Catalog {
    /// Apply `ddl`. Statements that do not shape the catalog are accepted and ignored.
    pub fn apply(&mut self, ddl: &Ddl) -> R {
        match ddl {
            Ddl::CreateTable(def) => self.create_table(def),
            Ddl::CreateSchema(s) => {
                self.schemas.insert(s.clone());
                Ok(())
            }
            Ddl::CreateEnum { name, labels } => {
                self.enums.insert(name.clone(), labels.clone());
                Ok(())
            }
            Ddl::CreateDomain { name, base } => {
                self.domains.insert(name.clone(), base.clone());
                Ok(())
            }
            Ddl::CreateSequence { name, options } => {
                let s = self.sequences.entry(name.clone()).or_default();
                s.increment = options.increment;
                s.data_type = options.data_type.clone();
                Ok(())
            }
            Ddl::AlterSequence {
                name,
                changes,
                if_exists,
            } => self.alter_sequence(name, changes, *if_exists),
            Ddl::SequenceOwnedBy {
                sequence,
                table,
                column,
            } => {
                self.sequences.entry(sequence.clone()).or_default().owned_by =
                    Some((table.clone(), column.clone()));
                Ok(())
            }
            Ddl::CreateFunction {
                name,
                body,
                replace,
            } => {
                self.create_function(name, body.as_deref(), *replace);
                Ok(())
            }
            Ddl::CreateTrigger(t) if self.views.contains_key(&t.table) => Ok(()),
            Ddl::CreateTrigger(t) => self.create_trigger(t),
            Ddl::CreateView(v) => {
                let view = self.view_from(v);
                self.views.insert(v.name.clone(), view);
                Ok(())
            }
            Ddl::CreateIndex(ix) => self.create_index(ix),
            Ddl::CreatePolicy(p) => self.create_policy(p),
            Ddl::DropPolicy {
                name,
                table,
                if_exists,
            } => self.drop_policy(name, table, *if_exists),
            Ddl::AlterTable {
                table,
                if_exists: true,
                ..
            } if !self.tables.contains_key(table) => Ok(()),
            Ddl::AlterTable { table, actions, .. } => {
                let mut name = table.clone();
                for a in actions {
                    name = self.alter(&name, a)?;
                }
                Ok(())
            }
            Ddl::DropIndex {
                names, if_exists, ..
            } => self.drop_indexes(names, *if_exists),
            Ddl::DropTable {
                names, if_exists, ..
            } => self.drop_tables(names, *if_exists),
            Ddl::DropView { names, .. } => {
                for n in names {
                    self.views.remove(n);
                }
                Ok(())
            }
            Ddl::AddEnumValue { name, value, .. } => {
                let labels = self.enums.entry(name.clone()).or_default();
                if !labels.contains(value) {
                    labels.push(value.clone());
                }
                Ok(())
            }
            Ddl::Grant {
                on,
                tables,
                privileges,
                grantees,
                revoke,
            } => {
                self.grant(*on, tables, privileges, grantees, *revoke);
                Ok(())
            }
            Ddl::AttachIndex { parent, child } => self.attach_index(parent, child),
            Ddl::DropObject {
                kind, names, table, ..
            } => {
                self.drop_object(*kind, names, table.as_ref());
                Ok(())
            }
            Ddl::CommentOnColumn {
                table,
                column,
                comment,
            } => self.comment_on_column(table, column, comment.clone()),
            Ddl::IndexStatistics {
                index,
                column,
                target,
            } => self.index_statistics(index, *column, *target),
            Ddl::CommentOn { object, comment } => self.comment_on(object, comment.clone()),
            Ddl::RenameIndex {
                index,
                to,
                if_exists,
            } => self.rename_index(index, to, *if_exists),
            Ddl::RenameEnumValue { name, from, to } => self.rename_enum_value(name, from, to),
            Ddl::CreateExtension { name, version } => {
                self.extensions
                    .insert(name.clone(), version.clone().unwrap_or_default());
                Ok(())
            }
            Ddl::Reindex { .. }
            | Ddl::VacuumFull { .. }
            | Ddl::Cluster { .. }
            | Ddl::Truncate { .. }
            | Ddl::LockTable { .. }
            | Ddl::Ignored { .. }
            | Ddl::Data { .. }
            | Ddl::Unsupported { .. }
            | Ddl::Skipped { .. } => Ok(()),
        }
    }

    /// The table called `name`, or a mismatch error that says so.
    pub fn table_mut(&mut self, name: &QName) -> Result<&mut Table, CatalogError> {
        self.names_touch(name);
        self.tables
            .get_mut(name)
            .ok_or_else(|| mismatch(format!("table {name} does not exist")))
    }

    fn create_table(&mut self, def: &TableDef) -> R {
        if self.tables.contains_key(&def.name) {
            if def.if_not_exists {
                return Ok(());
            }
            return Err(mismatch(format!("table {} already exists", def.name)));
        }
        self.schemas.insert(def.name.schema.clone());
        self.tables
            .insert(def.name.clone(), Table::new(def.name.clone()));
        self.names_touch(&def.name);
        self.take_from_parents(def)?;
        if let Some(Parent::Partition { table, .. }) = &def.parent {
            self.foreign_keys_to_partitions(table);
        }
        for c in &def.columns {
            if self.merge_inherited_column(&def.name, c) {
                continue;
            }
            self.add_column(&def.name, c)?;
        }
        for c in &def.constraints {
            self.add_constraint(&def.name, c, false)?;
        }
        Ok(())
    }

    /// Add a column (with its inline constraints, serial sequence or identity).
    pub fn add_column(&mut self, table: &QName, c: &ColumnDef) -> R {
        let t = self.table_mut(table)?;
        if t.column(&c.name).is_some() {
            return Err(mismatch(format!(
                "column {}.{} already exists",
                table, c.name
            )));
        }
        t.columns.push(Column {
            name: c.name.clone(),
            ty: c.ty.clone(),
            not_null: c.not_null,
            default: c.default.clone(),
            identity: c.identity,
            generated: c.generated.clone(),
            collation: c.collation.clone(),
            comment: None,
            statistics: None,
            storage: None,
            compression: None,
        });
        if c.serial || c.identity.is_some() {
            let seq = self.own_sequence(table, &c.name);
            if c.serial {
                let default = expr::normalize(&format!("nextval('{}'::regclass)", seq.display()));
                if let Some(col) = self.table_mut(table)?.column_mut(&c.name) {
                    col.default = Some(default);
                }
            }
        }
        for k in &c.constraints {
            self.add_constraint(table, k, false)?;
        }
        Ok(())
    }

    /// Create the sequence PostgreSQL makes for a serial or identity column.
    fn own_sequence(&mut self, table: &QName, column: &str) -> QName {
        let name = choose_name(&table.name, column, "seq", |n| {
            self.relation_exists(&table.sibling(n))
        });
        let q = table.sibling(name);
        let data_type = self
            .tables
            .get(table)
            .and_then(|t| t.column(column))
            .and_then(|c| crate::sql::annotations::sequence_type(&c.ty));
        self.sequences.insert(
            q.clone(),
            Sequence {
                owned_by: Some((table.clone(), column.to_string())),
                data_type,
                ..Sequence::default()
            },
        );
        q
    }

    fn create_index(&mut self, ix: &IndexDef) -> R {
        let name = match &ix.name {
            Some(n) => n.clone(),
            None => {
                let cols = ix
                    .keys
                    .iter()
                    .map(|k| k.column.clone().unwrap_or_else(|| expr_label(&k.expr)))
                    .collect::<Vec<_>>()
                    .join("_");
                choose_name(&ix.table.name, &cols, "idx", |n| {
                    self.relation_exists(&ix.table.sibling(n))
                })
            }
        };
        if self.relation_exists(&ix.table.sibling(&name)) {
            if ix.if_not_exists {
                return Ok(());
            }
            return Err(mismatch(format!(
                "relation {} already exists",
                ix.table.sibling(&name)
            )));
        }
        let index = Index {
            name: name.clone(),
            unique: ix.unique,
            method: ix.method.clone(),
            keys: ix.keys.clone(),
            include: ix.include.clone(),
            nulls_not_distinct: ix.nulls_not_distinct,
            with: ix.with.clone(),
            predicate: ix.predicate.clone(),
            valid: true,
            constraint: None,
            comment: None,
        };
        if let Some(v) = self.views.get_mut(&ix.table) {
            // A materialized view's index, rebuilt with it when a column it reads moves.
            v.indexes.insert(name, index);
            return Ok(());
        }
        let table = ix.table.clone();
        let t = self.table_mut(&table)?;
        for k in &ix.keys {
            if let Some(c) = &k.column
                && t.column(c).is_none()
            {
                return Err(mismatch(format!("column {table}.{c} does not exist")));
            }
        }
        t.indexes.insert(name, index);
        Ok(())
    }

    /// Apply one ALTER TABLE action; returns the table's name afterwards (RENAME TO).
    fn alter(&mut self, table: &QName, a: &AlterAction) -> Result<QName, CatalogError> {
        let col_must_exist = |cat: &Catalog, c: &str| -> R {
            match cat.tables.get(table) {
                None => Err(mismatch(format!("table {table} does not exist"))),
                Some(t) if t.column(c).is_none() => {
                    Err(mismatch(format!("column {table}.{c} does not exist")))
                }
                _ => Ok(()),
            }
        };
        match a {
            AlterAction::AddColumn {
                column,
                if_not_exists,
            } => {
                if *if_not_exists && self.table_mut(table)?.column(&column.name).is_some() {
                    return Ok(table.clone());
                }
                self.add_column(table, column)?;
            }
            AlterAction::DropColumn {
                name, if_exists, ..
            } => {
                if *if_exists && self.table_mut(table)?.column(name).is_none() {
                    return Ok(table.clone());
                }
                col_must_exist(self, name)?;
                self.drop_column(table, name);
            }
            AlterAction::RenameColumn { from, to } => {
                col_must_exist(self, from)?;
                if self.table_mut(table)?.column(to).is_some() {
                    return Err(mismatch(format!("column {table}.{to} already exists")));
                }
                self.rename_column(table, from, to);
            }
            AlterAction::RenameTable { to } => {
                let new = table.sibling(to.clone());
                if self.relation_exists(&new) {
                    return Err(mismatch(format!("relation {new} already exists")));
                }
                self.rename_table(table, &new)?;
                return Ok(new);
            }
            AlterAction::SetType { column, ty, .. } => {
                col_must_exist(self, column)?;
                if let Some(c) = self.table_mut(table)?.column_mut(column) {
                    c.ty = ty.clone();
                }
            }
            AlterAction::SetNotNull { column } => {
                col_must_exist(self, column)?;
                if let Some(c) = self.table_mut(table)?.column_mut(column) {
                    c.not_null = true;
                }
            }
            AlterAction::DropNotNull { column } => {
                col_must_exist(self, column)?;
                if let Some(c) = self.table_mut(table)?.column_mut(column) {
                    c.not_null = false;
                }
            }
            AlterAction::SetDefault { column, expr } => {
                col_must_exist(self, column)?;
                if let Some(c) = self.table_mut(table)?.column_mut(column) {
                    c.default = Some(expr.clone());
                }
            }
            AlterAction::DropDefault { column } => {
                col_must_exist(self, column)?;
                if let Some(c) = self.table_mut(table)?.column_mut(column) {
                    c.default = None;
                }
            }
            AlterAction::AddIdentity { column, kind } => {
                col_must_exist(self, column)?;
                if let Some(c) = self.table_mut(table)?.column_mut(column) {
                    c.identity = Some(*kind);
                    c.not_null = true;
                }
                self.own_sequence(table, column);
            }
            AlterAction::AddConstraint { def, not_valid } => {
                self.add_constraint(table, def, *not_valid)?;
                self.foreign_keys_to_partitions(table);
            }
            AlterAction::ValidateConstraint { name } => {
                let t = self.table_mut(table)?;
                let c = t.constraints.get_mut(name).ok_or_else(|| {
                    mismatch(format!("constraint {name} does not exist on {table}"))
                })?;
                c.validated = true;
            }
            AlterAction::DropConstraint {
                name, if_exists, ..
            } => {
                let t = self.table_mut(table)?;
                if t.constraints.remove(name).is_none() {
                    if *if_exists {
                        return Ok(table.clone());
                    }
                    return Err(mismatch(format!(
                        "constraint {name} does not exist on {table}"
                    )));
                }
                t.indexes
                    .retain(|_, i| i.constraint.as_deref() != Some(name.as_str()));
            }
            AlterAction::RowSecurity { enable } => {
                self.table_mut(table)?.row_security = *enable;
            }
            AlterAction::AttachPartition { child, bound } => {
                self.attach_partition(table, child, bound)?;
                self.foreign_keys_to_partitions(table);
            }
            AlterAction::DetachPartition { child } => {
                self.table_mut(table)?;
                self.table_mut(child)?.parent = None;
            }
            AlterAction::SetStatistics { column, target } => {
                col_must_exist(self, column)?;
                if let Some(c) = self.table_mut(table)?.column_mut(column) {
                    c.statistics = *target;
                }
            }
            AlterAction::SetStorage { column, storage } => {
                self.column_storage(table, column, Some(*storage), None)?;
            }
            AlterAction::SetCompression { column, method } => {
                self.column_storage(table, column, None, Some(*method))?;
            }
            AlterAction::ReplicaIdentity(ri) => self.replica_identity(table, ri)?,
            AlterAction::RenameConstraint { from, to } => {
                self.rename_constraint(table, from, to)?
            }
            AlterAction::SetLogged { .. }
            | AlterAction::Ignored { .. }
            | AlterAction::Unsupported { .. } => {
                self.table_mut(table)?;
            }
        }
        Ok(table.clone())
    }
}
