//! Recipes: what each kind of change must become, one file per kind. [`plan`] dispatches a
//! statement to its recipe; an `ALTER TABLE` with several actions is planned action by
//! action against the schema as the earlier actions leave it. Recipes use the kit and the
//! shared step fragments, never each other.

pub mod add_column;
pub mod alter_type;
pub mod annotate;
pub mod constraint;
pub mod create_table;
pub mod default;
pub mod drop;
pub mod drop_not_null;
pub mod enum_value;
pub mod grant;
pub mod identity;
pub mod index;
pub mod new_object;
pub mod policy;
pub mod raw;
pub mod rename_column;
pub mod rename_object;
pub mod rename_table;
pub mod rewrite;
pub mod sequence;
pub mod set_not_null;
pub mod versioned;

use super::kit::{Ctx, Drafts};
use crate::sql::ddl::{AlterAction, ColumnDef};
use crate::sql::{Ddl, QName, SqlError};

/// Plan one statement.
pub fn plan(ctx: &Ctx) -> Result<Drafts, SqlError> {
    let mut out = dispatch(ctx)?;
    unused_directives(ctx, &mut out);
    Ok(out)
}

/// Say so when a directive was written but the statement has no use for it.
fn unused_directives(ctx: &Ctx, out: &mut Drafts) {
    let d = &ctx.st.directives;
    let actions: &[AlterAction] = match &ctx.st.ddl {
        Ddl::AlterTable { actions, .. } => actions,
        _ => &[],
    };
    let uses_down = actions.iter().any(|a| {
        matches!(
            a,
            AlterAction::SetType { .. } | AlterAction::DropColumn { .. }
        )
    });
    let uses_fill = actions.iter().any(|a| match a {
        AlterAction::SetNotNull { .. } => true,
        AlterAction::AddColumn { column, .. } => column.not_null && column.default.is_none(),
        AlterAction::DropColumn { .. } => true,
        _ => false,
    });
    if d.down.is_some() && !uses_down {
        out.warn("`-- bellows:down` has no effect here: it applies to ALTER COLUMN ... TYPE and DROP COLUMN");
    }
    let uses_up = actions
        .iter()
        .any(|a| matches!(a, AlterAction::AddColumn { .. }));
    let uses_fix = matches!(ctx.st.ddl, Ddl::CreateIndex(_))
        || actions
            .iter()
            .any(|a| matches!(a, AlterAction::AddConstraint { .. }));
    let uses_versioned = actions
        .iter()
        .any(|a| matches!(a, AlterAction::RenameColumn { .. }));
    if d.versioned.is_some() && !uses_versioned {
        out.warn("`-- bellows:versioned-views` has no effect here: it applies to RENAME COLUMN");
    }
    if d.up.is_some() && !uses_up {
        out.warn("`-- bellows:up` has no effect here: it applies to ADD COLUMN");
    }
    if let Some(f) = d.fix.as_ref().filter(|_| !uses_fix) {
        out.warn(format!("`-- bellows:{}` has no effect here: it applies to ADD CONSTRAINT and CREATE UNIQUE INDEX", f.directive()));
    }
    if d.raw_down.is_some() && !d.raw {
        out.warn("`-- bellows:raw-down` has no effect here: it is the rollback of a statement marked `-- bellows:raw`");
    }
    if d.fill.is_some() && !uses_fill {
        out.warn("`-- bellows:fill` has no effect here: it applies to SET NOT NULL, to NOT NULL columns added without a DEFAULT, and to DROP COLUMN");
    }
}

fn dispatch(ctx: &Ctx) -> Result<Drafts, SqlError> {
    if ctx.st.directives.raw {
        return raw::plan(ctx);
    }
    match &ctx.st.ddl {
        Ddl::CreateTable(def) => create_table::plan(ctx, def),
        Ddl::CreateIndex(ix) => index::create(ctx, ix),
        Ddl::DropIndex {
            names,
            concurrently: _,
            if_exists,
            cascade,
        } => index::drop(ctx, names, *if_exists, *cascade),
        Ddl::Reindex { target, name, .. } => index::reindex(ctx, *target, name),
        Ddl::AlterTable {
            table,
            if_exists: true,
            ..
        } if ctx.cat().table(table).is_none() => Ok(Drafts::nothing(format!(
            "table {} does not exist; ALTER TABLE IF EXISTS does nothing",
            table.display()
        ))),
        Ddl::AlterTable { table, actions, .. } => alter_table(ctx, table, actions),
        Ddl::DropTable {
            names,
            cascade,
            if_exists,
        } => drop::tables(ctx, names, *cascade, *if_exists),
        Ddl::Truncate { tables } => drop::truncate(ctx, tables),
        Ddl::AddEnumValue { .. } => enum_value::plan(ctx),
        Ddl::CreatePolicy(p) => policy::create(ctx, p),
        Ddl::DropPolicy {
            name,
            table,
            if_exists,
        } => policy::drop(ctx, name, table, *if_exists),
        Ddl::VacuumFull { table } | Ddl::Cluster { table } => rewrite::plan(ctx, table.as_ref()),
        Ddl::SequenceOwnedBy {
            sequence: name,
            table,
            column,
        } if ctx.cat().sequences.contains_key(name) => sequence::owned_by(ctx, name, table, column),
        Ddl::CreateEnum { .. } | Ddl::CreateDomain { .. } | Ddl::CreateSchema(_) | Ddl::CreateFunction { .. }
        | Ddl::CreateSequence { .. } | Ddl::CreateView(_) | Ddl::DropView { .. } | Ddl::CreateTrigger(_)
        | Ddl::SequenceOwnedBy { .. } => new_object::plan(ctx),
        Ddl::Ignored { what } if what == "transaction control" || what == "SET" => Ok(Drafts::nothing(format!(
            "ignored {what}: bellows runs each step in its own transaction with its own timeouts"
        ))),
        Ddl::IndexStatistics {
            index,
            column,
            target,
        } => annotate::index_statistics(ctx, index, *column, *target),
        Ddl::CommentOn { object, comment } => annotate::comment(ctx, object, comment.as_deref()),
        Ddl::CommentOnColumn {
            table,
            column,
            comment,
        } => annotate::column_comment(ctx, table, column, comment.as_deref()),
        Ddl::RenameIndex {
            index,
            to,
            if_exists,
        } => rename_object::index(ctx, index, to, *if_exists),
        Ddl::RenameEnumValue { name, from, to } => rename_object::enum_value(ctx, name, from, to),
        Ddl::AlterSequence {
            name,
            changes,
            if_exists,
        } => sequence::alter(ctx, name, changes, *if_exists),
        Ddl::Grant {
            on,
            tables,
            privileges,
            grantees,
            revoke,
        } => grant::plan(ctx, *on, tables, privileges, grantees, *revoke),
        Ddl::Ignored { what } => Err(ctx.refuse(
            format!("bellows plans changes to tables, and `{what}` is not one it plans"),
            "remove it from the change file and run it on its own (it takes only brief catalog locks)",
        )),
        Ddl::CreateExtension { .. } => Err(ctx.refuse(
            "bellows plans changes to tables, and `CREATE EXTENSION` is not one it plans",
            "remove it from the change file and run it on its own (it takes only brief catalog locks)",
        )),
        Ddl::LockTable { .. } => Err(ctx.refuse(
            "LOCK TABLE in a change file would hold its lock only for a step of its own: bellows runs each step in its own short transaction with a lock_timeout",
            "remove it; the plan takes the locks each step needs, for as short a time as possible",
        )),
        Ddl::AttachIndex { child, .. } => Err(ctx.refuse(
            format!("bellows does not plan `ALTER INDEX ... ATTACH PARTITION` yet (of {})", child.display()),
            "build the partition's index with CREATE INDEX CONCURRENTLY first; the attach itself takes only brief locks, so run it on its own with a lock_timeout",
        )),
        Ddl::DropObject { kind, .. } => Err(ctx.refuse(
            format!("bellows plans schema changes, and `{}` is not one it can plan", kind.sql()),
            "remove it from the change file and run it on its own once no code uses the object",
        )),
        Ddl::Data { what } | Ddl::Unsupported { what } | Ddl::Skipped { what } => Err(ctx.refuse(
            format!("bellows plans schema changes, and `{what}` is not one it can plan"),
            "remove it from the change file; data changes belong in the application or a batched script",
        )),
    }
}

/// Several actions in one ALTER TABLE: each planned against the schema the earlier ones
/// leave, its first steps following the previous action's last.
fn alter_table(ctx: &Ctx, table: &QName, actions: &[AlterAction]) -> Result<Drafts, SqlError> {
    if let [only] = actions {
        return action(ctx, table, only);
    }
    let mut out = Drafts::default();
    let mut schema = ctx.schema.clone();
    let mut name = table.clone();
    for a in actions {
        let one = action(&ctx.with_schema(&schema), &name, a)?;
        let last = out.drafts.len().checked_sub(1);
        out.extend(one, last);
        let ddl = Ddl::AlterTable {
            table: name.clone(),
            actions: vec![a.clone()],
            if_exists: false,
        };
        schema.advance(ctx.path, ctx.st.loc, &ddl)?;
        if let AlterAction::RenameTable { to } = a {
            name = name.sibling(to.clone());
        }
    }
    Ok(out)
}

fn action(ctx: &Ctx, table: &QName, a: &AlterAction) -> Result<Drafts, SqlError> {
    match a {
        AlterAction::AddColumn {
            column,
            if_not_exists,
        } => add_column_and_constraints(ctx, table, column, *if_not_exists),
        AlterAction::DropColumn {
            name,
            cascade,
            if_exists,
        } => drop::column(ctx, table, name, *cascade, *if_exists),
        AlterAction::RenameColumn { from, to } => rename_column::plan(ctx, table, from, to),
        AlterAction::RenameTable { to } => rename_table::plan(ctx, table, to),
        AlterAction::SetType { column, ty, using } => {
            alter_type::plan(ctx, table, column, ty, using.as_deref())
        }
        AlterAction::SetNotNull { column } => set_not_null::plan(ctx, table, column),
        AlterAction::DropNotNull { column } => drop_not_null::plan(ctx, table, column),
        AlterAction::SetDefault { column, expr } => default::plan(ctx, table, column, Some(expr)),
        AlterAction::DropDefault { column } => default::plan(ctx, table, column, None),
        AlterAction::AddIdentity { column, kind } => identity::plan(ctx, table, column, *kind),
        AlterAction::AddConstraint { def, not_valid } => {
            constraint::add(ctx, table, def, *not_valid)
        }
        AlterAction::ValidateConstraint { name } => constraint::validate(ctx, table, name),
        AlterAction::DropConstraint {
            name,
            cascade,
            if_exists,
        } => constraint::drop(ctx, table, name, *cascade, *if_exists),
        AlterAction::RowSecurity { enable } => Err(ctx.refuse(
            format!(
                "bellows cannot plan `ALTER TABLE ... {} ROW LEVEL SECURITY`",
                if *enable { "ENABLE" } else { "DISABLE" }
            ),
            "run it separately, with a lock_timeout, after checking what it locks",
        )),
        AlterAction::SetLogged { logged } => Err(ctx.refuse(
            format!(
                "SET {}LOGGED rewrites {} while reads and writes wait, and PostgreSQL has no online way to do it",
                if *logged { "" } else { "UN" },
                table.display()
            ),
            "run it in a maintenance window, or create a new table with the persistence you want and move the rows in batches",
        )),
        AlterAction::AttachPartition { child, .. } => Err(ctx.refuse(
            format!(
                "bellows does not plan `ATTACH PARTITION` yet: attaching {} scans it for rows outside the bound while it is locked ACCESS EXCLUSIVE",
                child.display()
            ),
            "first add a CHECK constraint that matches the bound (NOT VALID, then VALIDATE CONSTRAINT), so the attach skips the scan; then run the ATTACH on its own with a lock_timeout",
        )),
        AlterAction::DetachPartition { child } => Err(ctx.refuse(
            format!("bellows does not plan `DETACH PARTITION` yet (of {})", child.display()),
            "on PostgreSQL 14+ run `ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY` on its own, outside a transaction; it does not block the partitioned table's readers and writers",
        )),
        AlterAction::SetStatistics { column, target } => {
            annotate::statistics(ctx, table, column, *target)
        }
        AlterAction::SetStorage { column, storage } => {
            annotate::storage(ctx, table, column, *storage)
        }
        AlterAction::SetCompression { column, method } => {
            annotate::compression(ctx, table, column, *method)
        }
        AlterAction::ReplicaIdentity(ri) => annotate::replica_identity(ctx, table, ri),
        AlterAction::RenameConstraint { from, to } => {
            rename_object::constraint(ctx, table, from, to)
        }
        AlterAction::Ignored { what } | AlterAction::Unsupported { what } => Err(ctx.refuse(
            format!("bellows cannot plan `ALTER TABLE ... {what}`"),
            "run it separately, with a lock_timeout, after checking what it locks",
        )),
    }
}

/// ADD COLUMN, then its inline constraints (UNIQUE, REFERENCES, CHECK, PRIMARY KEY), each
/// planned against the schema with the column in it and following the column's last step.
/// A column added to a new table, or skipped by IF NOT EXISTS, is one statement as written.
fn add_column_and_constraints(
    ctx: &Ctx,
    table: &QName,
    column: &ColumnDef,
    if_not_exists: bool,
) -> Result<Drafts, SqlError> {
    let existed = ctx
        .cat()
        .table(table)
        .is_some_and(|t| t.column(&column.name).is_some());
    let mut out = add_column::plan(ctx, table, column, if_not_exists)?;
    if column.constraints.is_empty() || existed || ctx.is_new(table) {
        return Ok(out);
    }
    let last = out.drafts.len().checked_sub(1);
    let schema = ctx
        .schema
        .with_column(ctx.path, ctx.st.loc, table, column)?;
    let with_column = ctx.with_schema(&schema);
    for k in &column.constraints {
        let o = constraint::add(&with_column, table, k, false)?;
        out.extend(o, last);
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
