//! A batched backfill over the primary key, and the batched read that verifies its result.

use std::collections::BTreeMap;

use crate::plan::{Backfill, BatchAction, Phase, SaveTo, StepKind, Verify};
use crate::planner::kit::{Ctx, Draft};
use crate::planner::sqlgen;
use crate::safety::DdlForm;
use crate::sql::QName;

/// What a backfill writes: `set` (column, expression) on the rows of `table` matching `filter`.
pub struct Fill<'a> {
    /// The table.
    pub table: &'a QName,
    /// Its batching key: the primary key, or a unique index on NOT NULL columns.
    pub key: &'a [String],
    /// Column and the expression that fills it.
    pub set: &'a [(String, String)],
    /// Rows that still need it (so a re-run changes nothing twice).
    pub filter: &'a str,
}

/// How the batches walk the table, for the step's note.
fn order_note(ctx: &Ctx, table: &QName, key: &[String]) -> String {
    let by_pk = ctx
        .cat()
        .table(table)
        .is_none_or(|t| t.primary_key_columns() == key);
    let order = if by_pk {
        "Batches follow the primary key".to_string()
    } else {
        format!(
            "The table has no primary key: batches follow the unique NOT NULL key ({})",
            sqlgen::cols(key)
        )
    };
    format!(
        "{order}, commit one by one, and touch only rows that still differ, so a re-run after a crash changes nothing twice."
    )
}

/// A batched backfill step.
pub fn backfill(ctx: &Ctx, slug: &str, fill: &Fill, summary: String) -> Draft {
    batched(ctx, slug, fill, (BatchAction::Update, None), summary)
}

/// A batched step that updates (or deletes) the rows of `fill`, saving what it changes
/// first when `save` is given.
pub fn batched(
    ctx: &Ctx,
    slug: &str,
    fill: &Fill,
    (action, save): (BatchAction, Option<SaveTo>),
    summary: String,
) -> Draft {
    let Fill {
        table,
        key,
        set,
        filter,
    } = fill;
    let b = Backfill {
        table: table.sql(),
        key: key.to_vec(),
        set: set.iter().cloned().collect::<BTreeMap<_, _>>(),
        filter: filter.to_string(),
        batch: ctx.opts.batch.clone(),
        action,
        save,
    };
    let sql = if action == BatchAction::Update && b.save.is_none() {
        sqlgen::batch_update(table, key, set, filter)
    } else {
        format!(
            "WITH {} SELECT count(*) FROM upd",
            b.write_ctes(&sqlgen::key_range(key))
        )
    };
    let form = match action {
        BatchAction::Update => DdlForm::BatchUpdate,
        BatchAction::Delete => DdlForm::BatchDelete,
    };
    Draft::new(slug, Phase::Backfill, StepKind::Backfill, form, summary)
        .sql([sql])
        .on(table)
        .note(order_note(ctx, table, key))
        .with_backfill(b)
}

/// A batched read that fails when any row of `table` matches `violation`.
pub fn verify(
    slug: impl Into<String>,
    table: &QName,
    key: &[String],
    violation: String,
    expectation: String,
    summary: String,
) -> Draft {
    Draft::new(
        slug,
        Phase::Backfill,
        StepKind::Verify,
        DdlForm::Read,
        summary,
    )
    .sql([sqlgen::verify_query(table, key, &violation)])
    .on(table)
    .with_verify(Verify {
        table: table.sql(),
        key: key.to_vec(),
        violation,
        expectation,
    })
}
