//! ADD COLUMN with `-- bellows:up <expr>` (pgroll's `up`): a nullable column whose value is
//! computed from the row's other columns — for existing rows by a batched backfill, for rows
//! old code writes by a trigger until contract, after a gate that every application writes
//! the column itself.

use crate::catalog::{Table, names};
use crate::plan::{Phase, StepKind};
use crate::planner::kit::{Ctx, Draft, Drafts};
use crate::planner::sqlgen::{self, UpTrigger};
use crate::planner::steps::backfill::{self, Fill};
use crate::planner::steps::{fill, gate};
use crate::safety::DdlForm;
use crate::sql::ddl::ColumnDef;
use crate::sql::{SqlError, quote_ident as q};

/// The steps, in order.
pub fn plan(ctx: &Ctx, t: &Table, c: &ColumnDef, up: &str) -> Result<Drafts, SqlError> {
    let table = &t.name;
    if c.not_null
        || c.default.is_some()
        || c.generated.is_some()
        || c.identity.is_some()
        || c.serial
    {
        return Err(ctx.refuse(
            format!("`-- bellows:up` computes a new nullable column without a default, and {}.{} is declared otherwise", table.display(), c.name),
            "declare the column nullable without a DEFAULT (add NOT NULL later as its own change), or use `-- bellows:fill` for a NOT NULL column",
        ));
    }
    if !t
        .columns
        .iter()
        .any(|col| crate::sql::expr::mentions_column(up, &col.name))
    {
        out_of_row_warning(ctx, up)?;
    }
    let key = ctx.batch_key(t)?;
    let mut out = Drafts::default();
    let add = out.push(
        Draft::new(
            "add-column",
            Phase::Expand,
            StepKind::Ddl,
            DdlForm::AddColumnNullable,
            format!("Add column {}.{} {}", table.display(), c.name, c.ty),
        )
        .sql([sqlgen::add_column(
            table,
            &sqlgen::column_definition(&c.name, &c.ty, false, None),
        )])
        .rollback([sqlgen::drop_column_if_exists(table, &c.name)])
        .on(table),
    );
    let trigger = UpTrigger {
        table: table.clone(),
        function: table.sibling(names::own_name(
            "bellows_up",
            &format!("{}_{}", table.name, c.name),
            "fn",
        )),
        name: names::own_name("bellows_up", &c.name, "trg"),
        column: c.name.clone(),
        up: fill::on_new_row(ctx, table, up),
    };
    let trg = out.push(
        Draft::new(
            "up-trigger",
            Phase::DualWrite,
            StepKind::Trigger,
            DdlForm::CreateTrigger,
            format!("Compute {} as {up} on every write that leaves it alone, until contract", c.name),
        )
        .sql(trigger.create())
        .rollback(trigger.drop())
        .note("Old code does not know the column: an INSERT without it, or an UPDATE that does not change it, gets the value computed from the row. Code that writes the column itself wins.")
        .after(add)
        .on(table),
    );
    let filter = format!("{} IS NULL", q(&c.name));
    let set = [(c.name.clone(), up.to_string())];
    let fill = Fill {
        table,
        key: &key,
        set: &set,
        filter: &filter,
    };
    let bf = out.push(
        backfill::backfill(
            ctx,
            "backfill",
            &fill,
            format!(
                "Backfill {}.{} = {up} for existing rows",
                table.display(),
                c.name
            ),
        )
        .after(trg),
    );
    let g = out.push(
        gate::before_data_loss(
            format!("Confirm every application writes {}.{} itself", table.display(), c.name),
            format!(
                "Every running instance of every application, job and report writes `{}.{}` itself (as {up}, or its own value) on every INSERT and on every UPDATE that changes what it is computed from. After this gate bellows stops computing it, and rows old code writes keep the column NULL or stale.",
                table.display(),
                c.name
            ),
            "confirm",
            table,
        )
        .after(bf),
    );
    out.push(drop_trigger(&trigger).after(g).on(table));
    Ok(out)
}

/// An `up` that names no column of the table is a constant or volatile default: say so.
fn out_of_row_warning(ctx: &Ctx, up: &str) -> Result<(), SqlError> {
    Err(ctx.refuse(
        format!("`-- bellows:up {up}` names no column of the table, so it is a default, not a value computed from the row"),
        "write it as the column's DEFAULT instead",
    ))
}

/// The contract step dropping the up trigger.
fn drop_trigger(t: &UpTrigger) -> Draft {
    Draft::new(
        "drop-up-trigger",
        Phase::Contract,
        StepKind::Trigger,
        DdlForm::DropTrigger,
        format!(
            "Stop computing {}.{}: drop the up trigger",
            t.table.display(),
            t.column
        ),
    )
    .sql(t.drop())
    .rollback(t.create())
}
