//! SET NOT NULL without a scan under ACCESS EXCLUSIVE: CHECK (c IS NOT NULL) NOT VALID →
//! (fill NULLs) → verify → VALIDATE → SET NOT NULL (proven by the check) → drop the check.

use std::collections::BTreeSet;

use super::Out;
use crate::catalog::names;
use crate::plan::{Phase, StepKind, Verify};
use crate::planner::builder::{Ctx, Draft};
use crate::planner::sqlgen;
use crate::safety::DdlForm;
use crate::sql::{QName, SqlError, quote_ident as q};

/// A name for the temporary NOT NULL check of `column`.
pub fn check_name(ctx: &Ctx, table: &QName, column: &str, taken: &BTreeSet<String>) -> String {
    names::choose_name(&table.name, column, "not_null", |n| {
        !ctx.name_free(&table.schema, n, taken)
    })
}

/// The steps after the data is in place: add the check NOT VALID, validate it, then
/// SET NOT NULL and drop it. Returns the index of the last step.
pub fn tail(
    out: &mut Out,
    table: &QName,
    column: &str,
    after: Option<usize>,
    check: &str,
) -> usize {
    let prev = {
        let d = Draft::new(
            format!("check-{column}-not-null"),
            Phase::Backfill,
            StepKind::Ddl,
            DdlForm::AddCheckNotValid,
            format!(
                "Add CHECK ({column} IS NOT NULL) NOT VALID on {}",
                table.display()
            ),
        )
        .sql([add_check(table, check, column)])
        .rollback([sqlgen::drop_constraint(table, check)])
        .on(table);
        let d = match after {
            Some(p) => d.after(p),
            None => d,
        };
        Some(out.push(d))
    };
    let d = Draft::new(
        format!("validate-{column}-not-null"),
        Phase::Backfill,
        StepKind::Ddl,
        DdlForm::ValidateConstraint,
        format!("Validate that {}.{column} has no NULL", table.display()),
    )
    .sql([sqlgen::validate(table, check)])
    .on(table);
    let d = match prev {
        Some(p) => d.after(p),
        None => d,
    };
    let v = out.push(d);
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
            format!(
                "ALTER TABLE {} ALTER COLUMN {} SET NOT NULL",
                table.sql(),
                q(column)
            ),
            sqlgen::drop_constraint(table, check),
        ])
        .rollback([
            add_check(table, check, column),
            format!(
                "ALTER TABLE {} ALTER COLUMN {} DROP NOT NULL",
                table.sql(),
                q(column)
            ),
        ])
        .needs(12)
        .after(v)
        .on(table),
    )
}

fn add_check(table: &QName, check: &str, column: &str) -> String {
    format!(
        "ALTER TABLE {} ADD CONSTRAINT {} CHECK ({} IS NOT NULL) NOT VALID",
        table.sql(),
        q(check),
        q(column)
    )
}

/// A batched read proving no NULL is left in `column`.
pub fn verify_no_nulls(table: &QName, key: &[String], column: &str) -> Draft {
    let violation = format!("{} IS NULL", q(column));
    Draft::new(
        format!("verify-{column}-filled"),
        Phase::Backfill,
        StepKind::Verify,
        DdlForm::Read,
        format!("Verify no row of {} has {column} NULL", table.display()),
    )
    .sql([sqlgen::verify_query(table, key, &violation)])
    .on(table)
    .with_verify(Verify {
        table: table.sql(),
        key: key.to_vec(),
        violation,
        expectation: format!("every row of {} has a value in {column}", table.display()),
    })
}

/// ALTER COLUMN ... SET NOT NULL.
pub fn set_not_null(ctx: &Ctx, table: &QName, column: &str) -> Result<Out, SqlError> {
    let t = ctx.table(table)?;
    let c = ctx.column(t, column)?;
    let mut out = Out::default();
    if c.not_null {
        out.warnings.push(format!(
            "{}.{column} is already NOT NULL; nothing to do",
            table.display()
        ));
        return Ok(out);
    }
    if ctx.is_new(table) {
        return Ok(simple_on_new(table, column));
    }
    // Fill first, then prove, then constrain: a CHECK added before the fill would make every
    // application UPDATE of a still-NULL row fail.
    let check = check_name(ctx, table, column, &BTreeSet::new());
    let key = t.primary_key_columns();
    let mut prev = None;
    if let Some(fill) = &ctx.st.directives.fill {
        let key = ctx.batch_key(t)?;
        let filter = format!("{} IS NULL", q(column));
        let set = vec![(column.to_string(), fill.clone())];
        prev = Some(
            out.push(
                super::shadow::backfill_draft(
                    ctx,
                    "fill-nulls",
                    table,
                    &key,
                    &set,
                    &filter,
                    format!("Fill NULLs in {}.{column} with {fill}", table.display()),
                )
                .irreversible_data(),
            ),
        );
    } else {
        out.warnings.push(if key.is_empty() {
            format!(
                "no `-- bellows:fill <expr>` was given: if {}.{column} has NULLs, validating the constraint fails (without a primary key there is no batched check first)",
                table.display()
            )
        } else {
            format!(
                "no `-- bellows:fill <expr>` was given: if {}.{column} has NULLs, the plan stops before adding the constraint; add the directive to fill them",
                table.display()
            )
        });
    }
    if !key.is_empty() {
        let mut v = verify_no_nulls(table, &key, column);
        if let Some(p) = prev {
            v = v.after(p);
        }
        prev = Some(out.push(v));
    }
    tail(&mut out, table, column, prev, &check);
    Ok(out)
}

fn simple_on_new(table: &QName, column: &str) -> Out {
    let mut out = Out::default();
    out.push(
        Draft::new(
            "set-not-null",
            Phase::Expand,
            StepKind::Ddl,
            DdlForm::SetNotNull,
            format!("SET NOT NULL on {}.{column} (new table)", table.display()),
        )
        .sql([format!(
            "ALTER TABLE {} ALTER COLUMN {} SET NOT NULL",
            table.sql(),
            q(column)
        )])
        .rollback([format!(
            "ALTER TABLE {} ALTER COLUMN {} DROP NOT NULL",
            table.sql(),
            q(column)
        )])
        .on(table),
    );
    out
}

impl Draft {
    /// Attach verification details.
    pub fn with_verify(mut self, v: Verify) -> Self {
        self.verify = Some(v);
        self
    }

    /// A data fill whose old values are gone once written; rolling back leaves them.
    pub fn irreversible_data(self) -> Self {
        self.note("Rolling back leaves the filled values in place: they cannot be told apart from values written by the application.")
            .rollback(Vec::<String>::new())
    }
}
