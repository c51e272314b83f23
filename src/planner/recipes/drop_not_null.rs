//! DROP NOT NULL: catalog only; refused on a primary-key column.

use crate::plan::{Phase, StepKind};
use crate::planner::kit::{Ctx, Draft, Drafts};
use crate::planner::sqlgen;
use crate::safety::DdlForm;
use crate::sql::{QName, SqlError};

/// ALTER COLUMN ... DROP NOT NULL.
pub fn plan(ctx: &Ctx, table: &QName, column: &str) -> Result<Drafts, SqlError> {
    let t = ctx.table(table)?;
    let c = ctx.column(t, column)?;
    if t.primary_key_columns().iter().any(|k| k == column) {
        return Err(ctx.refuse(
            format!(
                "{}.{column} is part of the primary key, which requires NOT NULL",
                table.display()
            ),
            "drop or change the primary key first",
        ));
    }
    if !c.not_null {
        return Ok(Drafts::nothing(format!(
            "{}.{column} already allows NULL; nothing to do",
            table.display()
        )));
    }
    Ok(Drafts::one(
        Draft::new("drop-not-null", Phase::Expand, StepKind::Ddl, DdlForm::DropNotNull, format!("Allow NULL in {}.{column}", table.display()))
            .sql([sqlgen::drop_not_null(table, column)])
            .rollback([sqlgen::set_not_null(table, column)])
            .note("Rolling back re-adds NOT NULL, which scans the table and fails if NULLs were written meanwhile.")
            .on(table),
    ))
}

#[cfg(test)]
mod tests {
    use crate::planner::kit::testing;

    #[test]
    fn one_catalog_step_undone_by_set_not_null() {
        let out = testing::plan(
            "CREATE TABLE t (id bigint PRIMARY KEY, a text NOT NULL);",
            "ALTER TABLE t ALTER COLUMN a DROP NOT NULL;",
            crate::planner::recipes::plan,
        );
        insta::assert_snapshot!(out, @r#"
        0 drop-not-null [expand ddl DropNotNull] Allow NULL in public.t.a
          do: ALTER TABLE "public"."t" ALTER COLUMN "a" DROP NOT NULL
          undo: ALTER TABLE "public"."t" ALTER COLUMN "a" SET NOT NULL
          on: public.t
        "#);
    }
}
