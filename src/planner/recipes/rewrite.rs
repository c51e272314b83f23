//! VACUUM FULL and CLUSTER: no online path in core PostgreSQL; planned only as a blocking
//! step when the user allows it.

use crate::plan::{Phase, StepKind};
use crate::planner::kit::{Ctx, Draft, Drafts};
use crate::safety::DdlForm;
use crate::sql::{QName, SqlError};

/// VACUUM FULL / CLUSTER on `table`.
pub fn plan(ctx: &Ctx, table: Option<&QName>) -> Result<Drafts, SqlError> {
    let cluster = ctx.st.text.to_uppercase().starts_with("CLUSTER");
    let (what, form) = if cluster {
        ("CLUSTER", DdlForm::Cluster)
    } else {
        ("VACUUM FULL", DdlForm::VacuumFull)
    };
    let Some(table) = table else {
        return Err(ctx.refuse(
            format!("{what} without a table rewrites every table while blocking it"),
            "name one table, and consider pg_repack or pg_squeeze, which rebuild tables online",
        ));
    };
    ctx.table(table)?;
    if !ctx.opts.allow_blocking {
        return Err(ctx.refuse(
            format!("{what} rewrites {} while blocking reads and writes, and core PostgreSQL has no online equivalent", table.display()),
            "use pg_repack or pg_squeeze, or plan it in a maintenance window with --allow-blocking",
        ));
    }
    let mut out = Drafts::one(
        Draft::new(
            "rewrite",
            Phase::Expand,
            StepKind::Ddl,
            form,
            format!("{what} {} (BLOCKS reads and writes)", table.display()),
        )
        .sql([ctx.st.text.clone()])
        .rollback(Vec::<String>::new())
        .on(table)
        .blocking(),
    );
    out.warn(format!(
        "{what} on {} blocks reads and writes for the whole rewrite",
        table.display()
    ));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use crate::planner::kit::testing;

    #[test]
    fn refused_unless_blocking_is_allowed() {
        let out = testing::plan(
            "CREATE TABLE t (id bigint PRIMARY KEY);",
            "VACUUM FULL t;",
            crate::planner::recipes::plan,
        );
        insta::assert_snapshot!(out, @"
        refused: VACUUM FULL rewrites public.t while blocking reads and writes, and core PostgreSQL has no online equivalent
        hint: use pg_repack or pg_squeeze, or plan it in a maintenance window with --allow-blocking
        ");
    }
}
