//! Keeping old code working while a column becomes NOT NULL: a trigger that fills the column
//! on writes that leave it NULL (created before the backfill), and, after a gate in contract,
//! the end of that help (the trigger, or a temporary default, dropped).

use crate::catalog::names;
use crate::plan::{Gate, Phase, StepKind};
use crate::planner::kit::{Ctx, Draft, Drafts};
use crate::planner::sqlgen::{self, FillTrigger};
use crate::safety::DdlForm;
use crate::sql::{QName, expr, quote_ident as q};

/// `e` evaluated on the row being written: every column of `table` it names becomes `NEW."c"`.
pub fn on_new_row(ctx: &Ctx, table: &QName, e: &str) -> String {
    let mut s = e.to_string();
    if let Some(t) = ctx.cat().table(table) {
        for c in &t.columns {
            if expr::mentions_column(&s, &c.name) {
                s = expr::substitute_column(&s, &c.name, &format!("NEW.{}", q(&c.name)))
                    .unwrap_or(s);
            }
        }
    }
    s
}

/// The fill trigger for `column` of `table` with the value `fill` (over the row's columns).
pub fn trigger(ctx: &Ctx, table: &QName, column: &str, fill: &str) -> FillTrigger {
    FillTrigger {
        table: table.clone(),
        function: table.sibling(names::own_name(
            "bellows_fill",
            &format!("{}_{column}", table.name),
            "fn",
        )),
        name: names::own_name("bellows_fill", column, "trg"),
        column: column.to_string(),
        fill: on_new_row(ctx, table, fill),
    }
}

/// The step creating `trigger` (dual-write phase, so before any backfill).
pub fn start(trigger: &FillTrigger) -> Draft {
    Draft::new(
        "fill-trigger",
        Phase::DualWrite,
        StepKind::Trigger,
        DdlForm::CreateTrigger,
        format!(
            "Fill {} with {} on every write that leaves it NULL, until contract",
            trigger.column, trigger.fill
        ),
    )
    .sql(trigger.create())
    .rollback(trigger.drop())
    .note("Old code that does not write the column keeps working through the NOT NULL steps: the trigger fills the rows it inserts or updates with the column NULL.")
    .on(&trigger.table)
}

/// After `after`: a gate (every application writes `column` itself), then `end` in contract.
/// Returns the index of `end`.
pub fn finish(out: &mut Drafts, table: &QName, column: &str, after: usize, end: Draft) -> usize {
    let g = out.push(
        Draft::new(
            "gate",
            Phase::Contract,
            StepKind::Gate,
            DdlForm::Nothing,
            format!(
                "Confirm every application writes {}.{column} itself",
                table.display()
            ),
        )
        .after(after)
        .touching(table)
        .with_gate(Gate {
            text: format!(
                "Every running instance of every application, job and report writes a value into `{}.{column}` on every INSERT (and never sets it to NULL). Deploy that code first: after this gate bellows stops filling the column, and a write that leaves it NULL fails.",
                table.display()
            ),
            confirm: "confirm".into(),
        }),
    );
    out.push(end.after(g).on(table))
}

/// The contract step dropping `trigger` (undone by creating it again).
pub fn drop_trigger(trigger: &FillTrigger) -> Draft {
    Draft::new(
        "drop-fill-trigger",
        Phase::Contract,
        StepKind::Trigger,
        DdlForm::DropTrigger,
        format!(
            "Stop filling {}.{}: drop the fill trigger",
            trigger.table.display(),
            trigger.column
        ),
    )
    .sql(trigger.drop())
    .rollback(trigger.create())
}

/// The contract step dropping the temporary default `fill` of `column`.
pub fn drop_default(table: &QName, column: &str, fill: &str) -> Draft {
    Draft::new(
        "drop-fill-default",
        Phase::Contract,
        StepKind::Ddl,
        DdlForm::SetDefault,
        format!("Drop the fill default of {}.{column}", table.display()),
    )
    .sql([sqlgen::drop_default(table, column)])
    .rollback([sqlgen::set_default(table, column, fill)])
    .note("Existing rows keep the fill value; new rows must supply one, as the column was declared. It stays until contract so that old code, which does not write the column, keeps inserting.")
}
