//! A batched backfill over the primary key (or, on a table with no key, over ranges of
//! physical pages; on a partitioned table, leaf partition by leaf partition), and the batched
//! read that verifies its result.

use std::collections::BTreeMap;

use crate::plan::{
    Backfill, BatchAction, PAGE_WALK_VERSION, Phase, SaveTo, StepKind, Verify, Walk,
};
use crate::planner::kit::{Ctx, Draft};
use crate::planner::sqlgen;
use crate::safety::DdlForm;
use crate::sql::QName;

/// What a backfill writes: `set` (column, expression) on the rows of `table` matching `filter`.
pub struct Fill<'a> {
    /// The table.
    pub table: &'a QName,
    /// Its batching key: the primary key, or a unique index on NOT NULL columns; empty when
    /// the table has neither and batches walk its pages ([`Ctx::batch_key`]).
    pub key: &'a [String],
    /// Column and the expression that fills it.
    pub set: &'a [(String, String)],
    /// Rows that still need it (so a re-run changes nothing twice).
    pub filter: &'a str,
}

/// How batches walk a table with this batching key.
pub fn walk(key: &[String]) -> Walk {
    if key.is_empty() {
        Walk::Pages
    } else {
        Walk::Key
    }
}

/// How the batches walk the table, for the step's note.
fn order_note(ctx: &Ctx, table: &QName, key: &[String]) -> String {
    let t = ctx.cat().table(table);
    let order = if key.is_empty() {
        "The table has no primary key and no unique NOT NULL key: batches walk ranges of its physical pages (`ctid >= '(p,0)' AND ctid < '(p+n,0)'`, a TID range scan, PostgreSQL 14+) up to its size when the step starts. Rows written meanwhile, and rows an update moves to another page, pass through the sync or fill trigger, so none is left behind".to_string()
    } else if t.is_none_or(|t| t.primary_key_columns() == key) {
        "Batches follow the primary key".to_string()
    } else {
        format!(
            "The table has no primary key: batches follow the unique NOT NULL key ({})",
            sqlgen::cols(key)
        )
    };
    let by_partition = if t.is_some_and(|t| t.is_partitioned()) {
        " The table is partitioned: the batches walk one leaf partition after another (sub-partitions resolved), each with its own key index or pages; the list is read from the database when the step starts, so partitions attached after planning are filled too."
    } else {
        ""
    };
    format!(
        "{order}, commit one by one, and touch only rows that still differ, so a re-run after a crash changes nothing twice.{by_partition}"
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
        walk: walk(key),
        by_partition: ctx.cat().table(table).is_some_and(|t| t.is_partitioned()),
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
            b.write_ctes(&sqlgen::batch_range(key))
        )
    };
    let form = match action {
        BatchAction::Update => DdlForm::BatchUpdate,
        BatchAction::Delete => DdlForm::BatchDelete,
    };
    let draft = Draft::new(slug, Phase::Backfill, StepKind::Backfill, form, summary)
        .sql([sql])
        .on(table)
        .note(order_note(ctx, table, key))
        .with_backfill(b);
    needs_walk(draft, key)
}

/// A page walk needs TID range scans.
fn needs_walk(draft: Draft, key: &[String]) -> Draft {
    match walk(key) {
        Walk::Key => draft,
        Walk::Pages => draft.needs(PAGE_WALK_VERSION),
    }
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
    let draft = Draft::new(
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
        walk: walk(key),
        violation,
        expectation,
    });
    needs_walk(draft, key)
}
