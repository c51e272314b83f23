//! `-- bellows:raw`: a statement bellows does not model, run verbatim as one step in expand,
//! with the lock claim of the form it is recognized as ([`crate::sql::raw`]). Refused when
//! bellows plans the statement itself, or has no lock claim for it. Its rollback is the
//! `-- bellows:raw-down` statement, or none (the step is irreversible).

use crate::plan::{Phase, StepKind};
use crate::planner::kit::{Ctx, Draft, Drafts};
use crate::sql::ddl::AlterAction;
use crate::sql::raw::classify_text;
use crate::sql::{Ddl, SqlError};

/// What every raw step says to reviewers.
pub const NOTE: &str = "Raw statement, not modelled: bellows cannot check what it does to running code or write its rollback.";

/// Does bellows read `ddl` as something it plans (or refuses for reasons of its own)?
fn modelled(ddl: &Ddl) -> bool {
    match ddl {
        Ddl::Ignored { .. }
        | Ddl::CreateExtension { .. }
        | Ddl::Unsupported { .. }
        | Ddl::Skipped { .. } => false,
        Ddl::AlterTable { actions, .. } => !actions.iter().all(|a| {
            matches!(
                a,
                AlterAction::Ignored { .. } | AlterAction::Unsupported { .. }
            )
        }),
        _ => true,
    }
}

/// Plan the raw statement of `ctx`.
pub fn plan(ctx: &Ctx) -> Result<Drafts, SqlError> {
    let st = ctx.st;
    if modelled(&st.ddl) {
        return Err(ctx.refuse(
            "bellows plans this statement itself, so it must not be raw",
            "remove the `-- bellows:raw` directive (and any `-- bellows:raw-down`); bellows then plans it with its own steps and rollback",
        ));
    }
    let Some(kind) = classify_text(ctx.path, &st.text) else {
        return Err(ctx.refuse(
            "bellows has no lock claim for this raw statement, so it cannot say what it blocks",
            "raw statements bellows can run: ALTER TABLE ... SET / RESET (autovacuum_*, fillfactor, toast_tuple_target, parallel_workers, vacuum_*), CLUSTER ON, SET WITHOUT CLUSTER, ALTER COLUMN ... SET / RESET (n_distinct), OWNER TO, and CREATE STATISTICS; run anything else on its own, with a lock_timeout",
        ));
    };
    ctx.table(&kind.table)?;
    let mut d = Draft::new(
        "raw",
        Phase::Expand,
        StepKind::Ddl,
        crate::safety::raw_form(kind.form),
        format!("Raw statement on {}", kind.table.display()),
    )
    .sql([st.text.clone()])
    .note(NOTE)
    .raw()
    .on(&kind.table);
    d = match &st.directives.raw_down {
        Some(down) => {
            let n = crate::sql::source::split(ctx.path, down)?.len();
            if n != 1 {
                return Err(ctx.refuse(
                    format!(
                        "`-- bellows:raw-down` must be exactly one statement, and it holds {n}"
                    ),
                    "write the one statement that undoes the raw statement",
                ));
            }
            d.rollback([down.clone()])
        }
        None => d.irreversible(
            "a raw statement without `-- bellows:raw-down`: bellows cannot write its rollback",
        ),
    };
    Ok(Drafts::one(d))
}

#[cfg(test)]
mod tests {
    use crate::planner::kit::testing::plan;

    const SCHEMA: &str = "CREATE TABLE t (id bigint PRIMARY KEY, a int);";

    #[test]
    fn a_raw_statement_is_one_marked_step_with_its_given_rollback() {
        insta::assert_snapshot!(plan(SCHEMA, "-- bellows:raw\n-- bellows:raw-down ALTER TABLE t RESET (fillfactor)\nALTER TABLE t SET (fillfactor = 70);", crate::planner::recipes::plan), @"
        0 raw [expand ddl SetStorageParameters] Raw statement on public.t
          do: ALTER TABLE t SET (fillfactor = 70)
          undo: ALTER TABLE t RESET (fillfactor)
          on: public.t
        ");
    }

    #[test]
    fn without_raw_down_it_cannot_be_undone() {
        insta::assert_snapshot!(plan(SCHEMA, "-- bellows:raw\nCREATE STATISTICS s ON id, a FROM t;", crate::planner::recipes::plan), @"
        0 raw [expand ddl CreateStatistics] Raw statement on public.t
          do: CREATE STATISTICS s ON id, a FROM t
          irreversible: a raw statement without `-- bellows:raw-down`: bellows cannot write its rollback
          on: public.t
        ");
    }

    #[test]
    fn what_bellows_plans_or_cannot_claim_is_refused() {
        insta::assert_snapshot!(plan(SCHEMA, "-- bellows:raw\nALTER TABLE t ALTER COLUMN a TYPE bigint;", crate::planner::recipes::plan), @"
        refused: bellows plans this statement itself, so it must not be raw
        hint: remove the `-- bellows:raw` directive (and any `-- bellows:raw-down`); bellows then plans it with its own steps and rollback
        ");
        insta::assert_snapshot!(plan(SCHEMA, "-- bellows:raw\nALTER TABLE t SET (user_catalog_table = true);", crate::planner::recipes::plan), @"
        refused: bellows has no lock claim for this raw statement, so it cannot say what it blocks
        hint: raw statements bellows can run: ALTER TABLE ... SET / RESET (autovacuum_*, fillfactor, toast_tuple_target, parallel_workers, vacuum_*), CLUSTER ON, SET WITHOUT CLUSTER, ALTER COLUMN ... SET / RESET (n_distinct), OWNER TO, and CREATE STATISTICS; run anything else on its own, with a lock_timeout
        ");
        insta::assert_snapshot!(plan(SCHEMA, "-- bellows:raw\n-- bellows:raw-down SELECT 1; SELECT 2\nALTER TABLE t OWNER TO app;", crate::planner::recipes::plan), @"
        refused: `-- bellows:raw-down` must be exactly one statement, and it holds 2
        hint: write the one statement that undoes the raw statement
        ");
    }
}
