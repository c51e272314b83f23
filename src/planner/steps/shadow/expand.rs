//! Expand, dual write and backfill: the new column, the sync trigger, the batched copy and
//! its verification.

use super::job::Job;
use crate::plan::{Phase, StepKind};
use crate::planner::kit::{Draft, Drafts};
use crate::planner::sqlgen;
use crate::planner::steps::backfill::{self, Fill};
use crate::safety::DdlForm;
use crate::sql::quote_ident as q;

/// The new column, nullable, with no default yet (see the trigger's insert rule), with the
/// old column's collation (a rename only: a type change takes the new type's default, as
/// `ALTER COLUMN ... TYPE` does), statistics target and comment. They are set here, under the
/// ADD COLUMN's own brief lock and undone with it, so the backfill's ANALYZE already uses the
/// target and reviewers see the comment carried from the first step.
pub fn add_column(job: &Job, out: &mut Drafts) -> usize {
    let (spec, table) = (job.spec, &job.spec.table);
    let mut definition = format!("{} {}", q(&spec.new), spec.new_type);
    if let Some(c) = job.col.collation.as_ref().filter(|_| !spec.retype) {
        definition.push_str(&format!(" COLLATE {c}"));
    }
    let settings = job
        .col
        .statistics
        .map(|n| sqlgen::set_statistics(table, &spec.new, n))
        .into_iter()
        .chain(
            job.col
                .comment
                .as_ref()
                .map(|c| sqlgen::comment_on_column(table, &spec.new, c)),
        );
    out.push(
        Draft::new(
            "add-column",
            Phase::Expand,
            StepKind::Ddl,
            DdlForm::AddColumnNullable,
            format!(
                "Add column {}.{} {}",
                table.display(),
                spec.new,
                spec.new_type
            ),
        )
        .sql(
            std::iter::once(sqlgen::add_column(table, &definition))
                .chain(settings)
                // Try the converted default now, before anything depends on it.
                .chain(job.constant_new_default().map(|d| format!("SELECT {d}"))),
        )
        .rollback([sqlgen::drop_column_if_exists(table, &spec.new)])
        .on(table),
    )
}

/// One trigger keeps both columns equal whichever one the application writes.
pub fn sync_trigger(job: &Job, out: &mut Drafts, add: usize) -> usize {
    let (spec, table) = (job.spec, &job.spec.table);
    let sync = out.push(
        Draft::new("sync-trigger", Phase::DualWrite, StepKind::Trigger, DdlForm::CreateTrigger, format!("Keep {} and {} in sync with a trigger", spec.old, spec.new))
            .sql(job.sync.create())
            .rollback(job.sync.drop())
            .note("On INSERT the trigger fills whichever column the writer left NULL; on UPDATE it copies from the column that changed. It assigns to NEW only, so it never recurses.")
            .after(add)
            .on(table),
    );
    out.warn(format!(
        "the sync trigger on {} adds work to every INSERT and UPDATE until the contract phase (write amplification)",
        table.display()
    ));
    if !job.deps.table_triggers.is_empty() {
        let names: Vec<&str> = job
            .deps
            .table_triggers
            .iter()
            .map(|t| t.name.as_str())
            .collect();
        out.warn(format!(
            "{} has other triggers ({}): they fire on every backfill batch, and their functions may still mention `{}`",
            table.display(),
            names.join(", "),
            spec.old
        ));
    }
    sync
}

/// The batched copy into the new column and the read that verifies it. Returns the
/// verification's index.
pub fn backfill(job: &Job, out: &mut Drafts, sync: usize) -> usize {
    let (spec, table) = (job.spec, &job.spec.table);
    let (o, n) = (q(&spec.old), q(&spec.new));
    let up_plain = spec.up_at(&o);
    let filter = format!("{n} IS DISTINCT FROM {up_plain}");
    let fill = Fill {
        table,
        key: &job.key,
        set: &[(spec.new.clone(), up_plain.clone())],
        filter: &filter,
    };
    let summary = format!(
        "Backfill {}.{} from {}",
        table.display(),
        spec.new,
        spec.old
    );
    let bf = out.push(backfill::backfill(&job.ctx, "backfill", &fill, summary).after(sync));
    let mut violation = filter.clone();
    if spec.retype {
        violation = format!("{violation} OR {o} IS DISTINCT FROM {}", spec.down_at(&n));
    }
    let (summary, expectation) = if spec.retype {
        (
            format!(
                "Verify every row has {} equal to the converted old value",
                spec.new
            ),
            format!(
                "{} holds the converted value of {} in every row, and converting back gives the original",
                spec.new, spec.old
            ),
        )
    } else {
        (
            format!("Verify every row has {} equal to the old column", spec.new),
            format!("{} equals {} in every row", spec.new, spec.old),
        )
    };
    out.push(backfill::verify("verify", table, &job.key, violation, expectation, summary).after(bf))
}
