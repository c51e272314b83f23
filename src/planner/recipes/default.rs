//! SET DEFAULT / DROP DEFAULT: catalog only; affects new rows.

use crate::plan::{Phase, StepKind};
use crate::planner::kit::{Ctx, Draft, Drafts};
use crate::planner::sqlgen;
use crate::safety::DdlForm;
use crate::sql::{QName, SqlError};

/// ALTER COLUMN ... SET DEFAULT `expr` (or DROP DEFAULT when `expr` is `None`).
pub fn plan(
    ctx: &Ctx,
    table: &QName,
    column: &str,
    expr: Option<&String>,
) -> Result<Drafts, SqlError> {
    let t = ctx.table(table)?;
    let c = ctx.column(t, column)?;
    let back = sqlgen::restore_default(table, column, c.default.as_deref());
    let (sql, summary) = match expr {
        Some(e) => (
            sqlgen::set_default(table, column, e),
            format!("Set the default of {}.{} to {e}", table.display(), column),
        ),
        None => (
            sqlgen::drop_default(table, column),
            format!("Drop the default of {}.{}", table.display(), column),
        ),
    };
    let mut out = Drafts::default();
    if expr.is_none() && c.not_null && c.default.is_some() {
        out.warn(format!(
            "{}.{column} is NOT NULL: once its default is gone, every INSERT that leaves it out fails; deploy code that always writes it before running this",
            table.display()
        ));
    }
    out.push(
        Draft::new(
            "set-default",
            Phase::Expand,
            StepKind::Ddl,
            DdlForm::SetDefault,
            summary,
        )
        .sql([sql])
        .rollback([back])
        .on(table),
    );
    Ok(out)
}

#[cfg(test)]
mod tests {
    use crate::planner::kit::testing;

    #[test]
    fn the_rollback_restores_the_previous_default() {
        let out = testing::plan(
            "CREATE TABLE t (id bigint PRIMARY KEY, a text DEFAULT 'x');",
            "ALTER TABLE t ALTER COLUMN a SET DEFAULT 'y';",
            crate::planner::recipes::plan,
        );
        insta::assert_snapshot!(out, @r#"
        0 set-default [expand ddl SetDefault] Set the default of public.t.a to 'y'
          do: ALTER TABLE "public"."t" ALTER COLUMN "a" SET DEFAULT 'y'
          undo: ALTER TABLE "public"."t" ALTER COLUMN "a" SET DEFAULT 'x'
          on: public.t
        "#);
    }
}
