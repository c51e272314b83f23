//! ADD GENERATED AS IDENTITY on an existing NOT NULL column without a default: the sequence
//! starts after the largest value, read through an index in the same short transaction.

use crate::plan::{Phase, StepKind};
use crate::planner::kit::{Ctx, Draft, Drafts};
use crate::planner::sqlgen;
use crate::safety::DdlForm;
use crate::sql::ddl::Identity;
use crate::sql::{QName, SqlError, quote_ident as q};

/// ALTER COLUMN ... ADD GENERATED ALWAYS|BY DEFAULT AS IDENTITY.
pub fn plan(ctx: &Ctx, table: &QName, column: &str, kind: Identity) -> Result<Drafts, SqlError> {
    let t = ctx.table(table)?;
    let c = ctx.column(t, column)?;
    if !c.not_null || c.default.is_some() {
        return Err(ctx.refuse(
            format!("{}.{column} must be NOT NULL with no default before it can become an identity column", table.display()),
            "plan SET NOT NULL and DROP DEFAULT first",
        ));
    }
    // The sequence must start after the largest value, read in the same transaction as the
    // ALTER (a gap would let an insert take a value that exists). Without an index leading
    // with the column that read is a scan under ACCESS EXCLUSIVE.
    if !t.has_index_leading_with(&[column.to_string()]) {
        return Err(ctx.refuse(
            format!(
                "{}.{column} has no index, so finding its largest value (where the identity's sequence must start) would read every row while ACCESS EXCLUSIVE is held",
                table.display()
            ),
            format!(
                "create an index on it first (`CREATE INDEX CONCURRENTLY ON {} ({})`), then plan this change",
                table.sql(),
                q(column)
            ),
        ));
    }
    Ok(Drafts::one(
        Draft::new("add-identity", Phase::Expand, StepKind::Ddl, DdlForm::AddIdentity, format!("Make {}.{column} an identity column", table.display()))
            .sql([
                sqlgen::add_identity(table, column, kind),
                sqlgen::setval(
                    &sqlgen::serial_sequence(table, column),
                    &sqlgen::max_or_one(table, column),
                ),
            ])
            .rollback([sqlgen::drop_identity(table, column, true)])
            .note("The sequence starts after the largest existing value (read through an index when one exists).")
            .on(table),
    ))
}

#[cfg(test)]
mod tests {
    use crate::planner::kit::testing;

    #[test]
    fn an_unindexed_column_is_refused() {
        let out = testing::plan(
            "CREATE TABLE t (id bigint NOT NULL);",
            "ALTER TABLE t ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY;",
            crate::planner::recipes::plan,
        );
        insta::assert_snapshot!(out, @r#"
        refused: public.t.id has no index, so finding its largest value (where the identity's sequence must start) would read every row while ACCESS EXCLUSIVE is held
        hint: create an index on it first (`CREATE INDEX CONCURRENTLY ON "public"."t" ("id")`), then plan this change
        "#);
    }
}
