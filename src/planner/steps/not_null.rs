//! SET NOT NULL without a scan under ACCESS EXCLUSIVE, once the data is in place:
//! CHECK (c IS NOT NULL) NOT VALID → VALIDATE → SET NOT NULL (proven by the check) → drop
//! the check; and the batched read that proves no NULL is left before that.

use std::collections::BTreeSet;

use crate::catalog::names;
use crate::plan::{Phase, StepKind};
use crate::planner::kit::{Ctx, Draft, Drafts};
use crate::planner::sqlgen;
use crate::safety::DdlForm;
use crate::sql::{QName, quote_ident as q};

/// A name for the temporary NOT NULL check of `column`.
pub fn check_name(ctx: &Ctx, table: &QName, column: &str, taken: &BTreeSet<String>) -> String {
    names::choose_own_name(&table.name, column, "not_null", |n| {
        !ctx.name_free(&table.schema, n, taken)
    })
}

/// The steps after the data is in place: add the check NOT VALID, validate it, then
/// SET NOT NULL and drop it. Returns the index of the last step.
pub fn tail(
    out: &mut Drafts,
    table: &QName,
    column: &str,
    after: Option<usize>,
    check: &str,
) -> usize {
    let add = out.push(
        Draft::new(
            format!("check-{column}-not-null"),
            Phase::Backfill,
            StepKind::Ddl,
            DdlForm::AddCheckNotValid,
            format!(
                "Add CHECK ({column} IS NOT NULL) NOT VALID on {}",
                table.display()
            ),
        )
        .sql([sqlgen::add_not_null_check(table, check, column)])
        .rollback([sqlgen::drop_constraint(table, check)])
        .on(table)
        .after_opt(after),
    );
    let validate = out.push(
        Draft::new(
            format!("validate-{column}-not-null"),
            Phase::Backfill,
            StepKind::Ddl,
            DdlForm::ValidateConstraint,
            format!("Validate that {}.{column} has no NULL", table.display()),
        )
        .sql([sqlgen::validate(table, check)])
        .on(table)
        .after(add),
    );
    out.push(
        Draft::new(
            format!("set-{column}-not-null"),
            Phase::Backfill,
            StepKind::Ddl,
            DdlForm::SetNotNullProven,
            format!(
                "SET NOT NULL on {}.{column} (proven by the check), drop the check",
                table.display()
            ),
        )
        .sql([
            sqlgen::set_not_null(table, column),
            sqlgen::drop_constraint(table, check),
        ])
        .rollback([
            sqlgen::add_not_null_check(table, check, column),
            sqlgen::drop_not_null(table, column),
        ])
        .needs(12)
        .after(validate)
        .on(table),
    )
}

/// A batched read proving no NULL is left in `column`.
pub fn verify_no_nulls(table: &QName, key: &[String], column: &str) -> Draft {
    super::backfill::verify(
        format!("verify-{column}-filled"),
        table,
        key,
        format!("{} IS NULL", q(column)),
        format!("every row of {} has a value in {column}", table.display()),
        format!("Verify no row of {} has {column} NULL", table.display()),
    )
}
