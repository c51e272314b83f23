//! One shadow-column job: the spec with what the catalog says about the column, checked
//! for what cannot be carried over, and the names the job gives its own objects.

use std::collections::BTreeSet;

use super::Spec;
use super::dependents::{self, Recreated, Replaced};
use super::rebuilt::{self, Rebuilt};
use crate::catalog::deps::ColumnDeps;
use crate::catalog::{Column, ConstraintKind, Table, names};
use crate::planner::kit::Ctx;
use crate::planner::sqlgen::SyncTrigger;
use crate::planner::steps::partitioned_index;
use crate::sql::{SqlError, expr};

/// A shadow-column job, ready to plan.
pub struct Job<'a> {
    /// What recipes see.
    pub ctx: Ctx<'a>,
    /// What to build.
    pub spec: &'a Spec,
    /// The table as the catalog has it.
    pub table: &'a Table,
    /// The old column.
    pub col: Column,
    /// The primary key, the backfill's order (empty: the backfill walks pages).
    pub key: Vec<String>,
    /// What depends on the old column.
    pub deps: ColumnDeps,
    /// The dual-write trigger.
    pub sync: SyncTrigger,
    /// Row-level-security policies re-created on the new column at the switch-over.
    pub policies: Vec<Recreated>,
    /// Views replaced onto the new column at the switch-over.
    pub views: Vec<Replaced>,
    /// Views and materialized views rebuilt around the switch-over.
    pub rebuilt: Rebuilt,
}

impl<'a> Job<'a> {
    /// Look the column up and refuse what cannot be carried over.
    pub fn new(ctx: &Ctx<'a>, spec: &'a Spec) -> Result<Self, SqlError> {
        let table = ctx.table(&spec.table)?;
        let col = ctx.column(table, &spec.old)?.clone();
        let deps = refuse_uncarriable(ctx, spec)?;
        refuse_partitioning(ctx, spec, table, &deps)?;
        let key = ctx.batch_key(table)?;
        refuse_unconvertible_default(ctx, spec, table, &col)?;
        let policies = dependents::policies(ctx, spec, &deps)?;
        let views = dependents::views(ctx, spec, &deps)?;
        let rebuilt = rebuilt::plan(ctx, spec, &deps)?;
        let t = &spec.table;
        let sync = SyncTrigger {
            table: t.clone(),
            function: t.sibling(names::own_name(
                "bellows_sync",
                &format!("{}_{}", t.name, spec.old),
                "fn",
            )),
            on_insert: names::own_name("bellows_sync", &spec.old, "ins"),
            on_update: names::own_name("bellows_sync", &spec.old, "upd"),
            old: spec.old.clone(),
            new: spec.new.clone(),
            up: spec.up_at(&format!("NEW.{}", crate::sql::quote_ident(&spec.old))),
            down: spec.down_at(&format!("NEW.{}", crate::sql::quote_ident(&spec.new))),
            catch_up: key.is_empty(),
        };
        Ok(Self {
            ctx: *ctx,
            spec,
            table,
            col,
            key,
            deps,
            sync,
            policies,
            views,
            rebuilt,
        })
    }

    /// An expression with the old column renamed to the new one.
    pub fn renamed(&self, e: &str) -> String {
        expr::rename_column(e, &self.spec.old, &self.spec.new).unwrap_or_else(|_| e.to_string())
    }

    /// A column list with the old column renamed to the new one.
    pub fn renamed_columns(&self, cs: &[String]) -> Vec<String> {
        cs.iter()
            .map(|c| {
                if *c == self.spec.old {
                    self.spec.new.clone()
                } else {
                    c.clone()
                }
            })
            .collect()
    }

    /// Name of a carried-over object: the final name for a rename, a temporary one for a
    /// type change (restored after the old column is gone).
    pub fn carried_name(&self, original: &str, taken: &mut BTreeSet<String>) -> String {
        let spec = self.spec;
        let base = if !spec.retype && original.contains(&spec.old) {
            original.replacen(&spec.old, &spec.new, 1)
        } else if spec.retype {
            format!("{original}_bellows")
        } else {
            format!("{original}_{}", spec.new)
        };
        let base = names::fit(&base);
        let schema = &spec.table.schema;
        let name = if self.ctx.name_free(schema, &base, taken) {
            base
        } else {
            names::choose_name(names::truncate(&base, 50), "", "x", |n| {
                !self.ctx.name_free(schema, n, taken)
            })
        };
        taken.insert(name.clone());
        name
    }
}

impl Job<'_> {
    /// The column's default for the new column: the old one, converted through the `up`
    /// expression when the type changes (`'0'::text` becomes `('0'::text)::INTEGER`).
    pub fn new_default(&self) -> Option<String> {
        let d = self.col.default.as_ref()?;
        Some(if self.spec.retype {
            self.spec.up_at(d)
        } else {
            d.clone()
        })
    }

    /// The converted default, when it is a constant that can be tried before anything
    /// changes (a volatile one such as `nextval()` must not be evaluated).
    pub fn constant_new_default(&self) -> Option<String> {
        let d = self.new_default()?;
        (self.spec.retype && matches!(expr::volatility(&d), expr::Volatility::Constant))
            .then_some(d)
    }
}

impl Spec {
    /// The new value, with the old column read from `rowref`.
    pub fn up_at(&self, rowref: &str) -> String {
        expr::substitute_column(&self.up, &self.old, rowref).unwrap_or_else(|_| self.up.clone())
    }

    /// The old value, with the new value read from `rowref`.
    pub fn down_at(&self, rowref: &str) -> String {
        expr::substitute_column(&self.down, &self.old, rowref).unwrap_or_else(|_| self.down.clone())
    }
}

/// A default carried through a type change is converted with the `up` expression, which
/// must then read no other column (a default cannot).
fn refuse_unconvertible_default(
    ctx: &Ctx,
    spec: &Spec,
    table: &Table,
    col: &Column,
) -> Result<(), SqlError> {
    let Some(default) = &col.default else {
        return Ok(());
    };
    if !spec.retype {
        return Ok(());
    }
    let others: Vec<&str> = table
        .columns
        .iter()
        .map(|c| c.name.as_str())
        .filter(|c| *c != spec.old && expr::mentions_column(&spec.up, c))
        .collect();
    if others.is_empty() {
        return Ok(());
    }
    Err(ctx.refuse(
        format!(
            "the default of {}.{} ({default}) cannot be converted to {} with the USING expression, which reads {}",
            spec.table.display(),
            spec.old,
            spec.new_type,
            others.join(", ")
        ),
        format!(
            "drop the default first (`ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT;`) and set a {} one after the change",
            spec.table.display(),
            spec.old,
            spec.new_type
        ),
    ))
}

/// Refuse what cannot be carried over: UPDATE OF triggers, generated columns and exclusion
/// constraints on the column (views and policies: [`dependents`], [`rebuilt`]).
fn refuse_uncarriable(ctx: &Ctx, spec: &Spec) -> Result<ColumnDeps, SqlError> {
    let deps = ctx.cat().column_deps(&spec.table, &spec.old);
    let mut why = Vec::new();
    why.extend(
        deps.column_triggers
            .iter()
            .map(|tr| format!("trigger {} fires on UPDATE OF it", tr.name)),
    );
    why.extend(
        deps.generated_columns
            .iter()
            .map(|c| format!("generated column {c} is computed from it")),
    );
    why.extend(
        deps.constraints
            .iter()
            .filter(|c| matches!(c.kind, ConstraintKind::Exclude { .. }))
            .map(|c| format!("exclusion constraint {} uses it", c.name)),
    );
    if !why.is_empty() {
        return Err(ctx.refuse(
            format!("{}.{} cannot be moved safely: {}", spec.table.display(), spec.old, why.join("; ")),
            "drop those objects first and recreate them on the new column afterwards, each as its own planned change",
        ));
    }
    Ok(deps)
}

/// What the shadow column cannot do on partitioned and inherited tables (PostgreSQL 15):
/// change a partition key, move a PRIMARY KEY or UNIQUE constraint (`ADD CONSTRAINT ...
/// USING INDEX` is not supported on partitioned tables), change a column on one partition
/// or child alone, or keep an inheritance parent's children in sync with one trigger.
fn refuse_partitioning(
    ctx: &Ctx,
    spec: &Spec,
    table: &Table,
    deps: &ColumnDeps,
) -> Result<(), SqlError> {
    let name = table.name.display();
    if let Some(parent) = &table.parent {
        let parents: Vec<String> = parent.tables().iter().map(|t| t.display()).collect();
        return Err(ctx.refuse(
            format!(
                "{name} is a partition or child of {}, and PostgreSQL changes an inherited column only on the parent",
                parents.join(", ")
            ),
            format!("plan the change on {}", parents.join(", ")),
        ));
    }
    let children = ctx.cat().tables.values().any(|t| {
        matches!(&t.parent, Some(crate::catalog::Parent::Inherits { tables }) if tables.contains(&table.name))
    });
    if children {
        return Err(ctx.refuse(
            format!("{name} has inheritance children, whose rows a trigger on {name} does not see"),
            "move the children to declarative partitioning first, or change each table in a maintenance window",
        ));
    }
    if !table.is_partitioned() {
        return Ok(());
    }
    if partitioned_index::key_columns(table).contains(&spec.old) {
        return Err(ctx.refuse(
            format!(
                "{} is part of the partition key of {name}, which PostgreSQL cannot change",
                spec.old
            ),
            "create a new partitioned table with the new key and move the rows in batches",
        ));
    }
    if let Some(c) = deps.indexes.iter().find_map(|ix| ix.constraint.as_ref()) {
        return Err(ctx.refuse(
            format!(
                "{} is in the constraint {c} of the partitioned table {name}, and PostgreSQL cannot attach a new index as a constraint there (ADD CONSTRAINT ... USING INDEX)",
                spec.old
            ),
            "change the column in a maintenance window, or drop the constraint first",
        ));
    }
    Ok(())
}
