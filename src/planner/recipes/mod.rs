//! Recipes: what each kind of change must become. One file per kind; [`plan`] dispatches.

pub mod add_column;
pub mod alter_type;
pub mod constraint;
pub mod create_table;
pub mod drop;
pub mod index;
pub mod not_null;
pub mod rename_column;
pub mod rename_table;
pub mod shadow;
pub mod simple;

use super::builder::{Ctx, Draft};
use crate::sql::ddl::AlterAction;
use crate::sql::{Ddl, QName, SqlError};

/// What a recipe produces for one statement.
#[derive(Debug, Default)]
pub struct Out {
    /// Steps, in the order written (dependencies by index).
    pub drafts: Vec<Draft>,
    /// Notes for reviewers.
    pub warnings: Vec<String>,
}

impl Out {
    /// Append a draft and return its index.
    pub fn push(&mut self, d: Draft) -> usize {
        self.drafts.push(d);
        self.drafts.len() - 1
    }

    /// Append another recipe's output; its roots follow `after` (if given).
    pub fn extend(&mut self, other: Out, after: Option<usize>) {
        let base = self.drafts.len();
        for mut d in other.drafts {
            for a in &mut d.after {
                *a += base;
            }
            if d.after.is_empty()
                && let Some(p) = after
                && self.drafts.get(p).is_some_and(|x| x.phase <= d.phase)
            {
                d.after.push(p);
            }
            self.drafts.push(d);
        }
        self.warnings.extend(other.warnings);
    }
}

/// Plan one statement.
pub fn plan(ctx: &Ctx) -> Result<Out, SqlError> {
    let mut out = dispatch(ctx)?;
    unused_directives(ctx, &mut out);
    Ok(out)
}

/// Say so when a directive was written but the statement has no use for it.
fn unused_directives(ctx: &Ctx, out: &mut Out) {
    let d = &ctx.st.directives;
    let actions: &[AlterAction] = match &ctx.st.ddl {
        Ddl::AlterTable { actions, .. } => actions,
        _ => &[],
    };
    let uses_down = actions
        .iter()
        .any(|a| matches!(a, AlterAction::SetType { .. }));
    let uses_fill = actions.iter().any(|a| match a {
        AlterAction::SetNotNull { .. } => true,
        AlterAction::AddColumn { column, .. } => column.not_null && column.default.is_none(),
        _ => false,
    });
    if d.down.is_some() && !uses_down {
        out.warnings.push(
            "`-- bellows:down` has no effect here: it applies to ALTER COLUMN ... TYPE".into(),
        );
    }
    if d.fill.is_some() && !uses_fill {
        out.warnings.push(
            "`-- bellows:fill` has no effect here: it applies to SET NOT NULL and to NOT NULL columns added without a DEFAULT".into(),
        );
    }
}

fn dispatch(ctx: &Ctx) -> Result<Out, SqlError> {
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
        Ddl::AlterTable { table, actions } => alter_table(ctx, table, actions),
        Ddl::DropTable {
            names,
            cascade,
            if_exists,
        } => drop::tables(ctx, names, *cascade, *if_exists),
        Ddl::Truncate { tables } => drop::truncate(ctx, tables),
        Ddl::AddEnumValue { .. } => simple::enum_value(ctx),
        Ddl::VacuumFull { table } | Ddl::Cluster { table } => simple::rewrite_whole_table(ctx, table.as_ref()),
        Ddl::CreateEnum { .. } | Ddl::CreateDomain { .. } | Ddl::CreateSchema(_) | Ddl::CreateFunction { .. }
        | Ddl::CreateSequence { .. } | Ddl::CreateView(_) | Ddl::DropView { .. } | Ddl::CreateTrigger(_)
        | Ddl::SequenceOwnedBy { .. } => simple::new_object(ctx),
        Ddl::Ignored { what } if what == "transaction control" || what == "SET" => Ok(Out {
            drafts: Vec::new(),
            warnings: vec![format!(
                "ignored {what}: bellows runs each step in its own transaction with its own timeouts"
            )],
        }),
        Ddl::Ignored { what } => Err(ctx.refuse(
            format!("bellows plans changes to tables, and `{what}` is not one it plans"),
            "remove it from the change file and run it on its own (it takes only brief catalog locks)",
        )),
        Ddl::Unsupported { what } | Ddl::Skipped { what } => Err(ctx.refuse(
            format!("bellows plans schema changes, and `{what}` is not one it can plan"),
            "remove it from the change file; data changes belong in the application or a batched script",
        )),
    }
}

fn alter_table(ctx: &Ctx, table: &QName, actions: &[AlterAction]) -> Result<Out, SqlError> {
    if let [only] = actions {
        return action(ctx, table, only);
    }
    let mut out = Out::default();
    let mut cat = ctx.cat.clone();
    let mut name = table.clone();
    for a in actions {
        let sub = Ctx {
            path: ctx.path,
            cat: &cat,
            opts: ctx.opts,
            st: ctx.st,
            new_tables: ctx.new_tables,
        };
        let one = action(&sub, &name, a)?;
        let last = out.drafts.len().checked_sub(1);
        out.extend(one, last);
        let ddl = Ddl::AlterTable {
            table: name.clone(),
            actions: vec![a.clone()],
        };
        cat.apply(&ddl)
            .map_err(|e| ctx.refuse(e.to_string(), "check the names against the schema source"))?;
        if let AlterAction::RenameTable { to } = a {
            name = name.sibling(to.clone());
        }
    }
    Ok(out)
}

fn action(ctx: &Ctx, table: &QName, a: &AlterAction) -> Result<Out, SqlError> {
    match a {
        AlterAction::AddColumn {
            column,
            if_not_exists,
        } => add_column::plan(ctx, table, column, *if_not_exists),
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
        AlterAction::SetNotNull { column } => not_null::set_not_null(ctx, table, column),
        AlterAction::DropNotNull { column } => simple::drop_not_null(ctx, table, column),
        AlterAction::SetDefault { column, expr } => {
            simple::set_default(ctx, table, column, Some(expr))
        }
        AlterAction::DropDefault { column } => simple::set_default(ctx, table, column, None),
        AlterAction::AddIdentity { column, kind } => {
            simple::add_identity(ctx, table, column, *kind)
        }
        AlterAction::AddConstraint { def, not_valid } => {
            constraint::add(ctx, table, def, *not_valid)
        }
        AlterAction::ValidateConstraint { name } => constraint::validate(ctx, table, name),
        AlterAction::DropConstraint {
            name,
            cascade,
            if_exists,
        } => constraint::drop(ctx, table, name, *cascade, *if_exists),
        AlterAction::Ignored { what } | AlterAction::Unsupported { what } => Err(ctx.refuse(
            format!("bellows cannot plan `ALTER TABLE ... {what}`"),
            "run it separately, with a lock_timeout, after checking what it locks",
        )),
    }
}
