//! SET NOT NULL: with `-- bellows:fill`, a trigger fills the rows old code writes with NULL
//! (until a gate in contract) and a backfill fills the rows that exist; then a proof that
//! none is left, and the NOT NULL tail (a validated check proves the column, so SET NOT NULL
//! does not scan). On a table this change created, a plain SET NOT NULL.

use std::collections::BTreeSet;

use crate::plan::{Phase, StepKind};
use crate::planner::kit::{Ctx, Draft, Drafts};
use crate::planner::sqlgen;
use crate::planner::steps::backfill::{self, Fill};
use crate::planner::steps::{fill as fill_step, not_null};
use crate::safety::DdlForm;
use crate::sql::{QName, SqlError, quote_ident as q};

/// ALTER COLUMN ... SET NOT NULL.
pub fn plan(ctx: &Ctx, table: &QName, column: &str) -> Result<Drafts, SqlError> {
    let t = ctx.table(table)?;
    let c = ctx.column(t, column)?;
    if c.not_null {
        return Ok(Drafts::nothing(format!(
            "{}.{column} is already NOT NULL; nothing to do",
            table.display()
        )));
    }
    if ctx.is_new(table) {
        return Ok(Drafts::one(
            Draft::new(
                "set-not-null",
                Phase::Expand,
                StepKind::Ddl,
                DdlForm::SetNotNull,
                format!("SET NOT NULL on {}.{column} (new table)", table.display()),
            )
            .sql([sqlgen::set_not_null(table, column)])
            .rollback([sqlgen::drop_not_null(table, column)])
            .on(table),
        ));
    }
    // Fill first, then prove, then constrain: a CHECK added before the fill would make every
    // application UPDATE of a still-NULL row fail.
    let check = not_null::check_name(ctx, table, column, &BTreeSet::new());
    // No key: batches walk pages (PostgreSQL 14+); below that there is no batched check.
    let key = ctx.batch_key(t).ok();
    let mut out = Drafts::default();
    let mut prev = None;
    let mut trigger = None;
    if let Some(fill) = &ctx.st.directives.fill {
        let trg = fill_step::trigger(ctx, table, column, fill);
        let start = out.push(fill_step::start(&trg));
        trigger = Some(trg);
        let key = ctx.batch_key(t)?;
        let filter = format!("{} IS NULL", q(column));
        let set = [(column.to_string(), fill.clone())];
        let f = Fill {
            table,
            key: &key,
            set: &set,
            filter: &filter,
        };
        let summary = format!("Fill NULLs in {}.{column} with {fill}", table.display());
        prev = Some(
            out.push(
                backfill::backfill(ctx, "fill-nulls", &f, summary)
                    .after(start)
                    .irreversible_data(),
            ),
        );
    } else if key.is_none() {
        out.warn(format!(
            "no `-- bellows:fill <expr>` was given: if {}.{column} has NULLs, validating the constraint fails (without a primary key or a unique NOT NULL key, before PostgreSQL 14, there is no batched check first)",
            table.display()
        ));
    } else {
        out.warn(format!(
            "no `-- bellows:fill <expr>` was given: if {}.{column} has NULLs, the plan stops before adding the constraint; add the directive to fill them",
            table.display()
        ));
    }
    if let Some(key) = &key {
        prev = Some(out.push(not_null::verify_no_nulls(table, key, column).after_opt(prev)));
    }
    let last = not_null::tail(&mut out, table, column, prev, &check);
    if let Some(trg) = trigger {
        fill_step::finish(&mut out, table, column, last, fill_step::drop_trigger(&trg));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use crate::planner::kit::testing;

    #[test]
    fn a_fill_trigger_a_fill_a_proof_the_constraint_then_the_trigger_after_a_gate() {
        let out = testing::plan(
            "CREATE TABLE t (id bigint PRIMARY KEY, a text);",
            "-- bellows:fill 'none'\nALTER TABLE t ALTER COLUMN a SET NOT NULL;",
            crate::planner::recipes::plan,
        );
        insta::assert_snapshot!(out, @r#"
        0 fill-trigger [dual_write trigger CreateTrigger] Fill a with 'none' on every write that leaves it NULL, until contract
          do: CREATE FUNCTION "public"."bellows_fill_t_a_fn"() RETURNS trigger LANGUAGE plpgsql AS $bellows$
              BEGIN
                NEW."a" := 'none';
                RETURN NEW;
              END
              $bellows$
          do: CREATE TRIGGER "bellows_fill_a_trg" BEFORE INSERT OR UPDATE ON "public"."t" FOR EACH ROW WHEN (NEW."a" IS NULL) EXECUTE FUNCTION "public"."bellows_fill_t_a_fn"()
          undo: DROP TRIGGER IF EXISTS "bellows_fill_a_trg" ON "public"."t"
          undo: DROP FUNCTION IF EXISTS "public"."bellows_fill_t_a_fn"()
          on: public.t
        1 fill-nulls [backfill backfill BatchUpdate] Fill NULLs in public.t.a with 'none'
          do: UPDATE "public"."t" SET "a" = 'none' WHERE ("id") > ($1) AND ("id") <= ($2) AND ("a" IS NULL)
          on: public.t
          after: 0
        2 verify-a-filled [backfill verify Read] Verify no row of public.t has a NULL
          do: SELECT "id" FROM "public"."t" WHERE ("id") > ($1) AND ("id") <= ($2) AND ("a" IS NULL) ORDER BY "id" LIMIT 10
          on: public.t
          after: 1
        3 check-a-not-null [backfill ddl AddCheckNotValid] Add CHECK (a IS NOT NULL) NOT VALID on public.t
          do: ALTER TABLE "public"."t" ADD CONSTRAINT "t_a_not_null" CHECK ("a" IS NOT NULL) NOT VALID
          undo: ALTER TABLE "public"."t" DROP CONSTRAINT IF EXISTS "t_a_not_null"
          on: public.t
          after: 2
        4 validate-a-not-null [backfill ddl ValidateConstraint] Validate that public.t.a has no NULL
          do: ALTER TABLE "public"."t" VALIDATE CONSTRAINT "t_a_not_null"
          on: public.t
          after: 3
        5 set-a-not-null [backfill ddl SetNotNullProven] SET NOT NULL on public.t.a (proven by the check), drop the check
          do: ALTER TABLE "public"."t" ALTER COLUMN "a" SET NOT NULL
          do: ALTER TABLE "public"."t" DROP CONSTRAINT IF EXISTS "t_a_not_null"
          undo: ALTER TABLE "public"."t" ADD CONSTRAINT "t_a_not_null" CHECK ("a" IS NOT NULL) NOT VALID
          undo: ALTER TABLE "public"."t" ALTER COLUMN "a" DROP NOT NULL
          on: public.t
          after: 4
        6 gate [contract gate Nothing] Confirm every application writes public.t.a itself
          after: 5
        7 drop-fill-trigger [contract trigger DropTrigger] Stop filling public.t.a: drop the fill trigger
          do: DROP TRIGGER IF EXISTS "bellows_fill_a_trg" ON "public"."t"
          do: DROP FUNCTION IF EXISTS "public"."bellows_fill_t_a_fn"()
          undo: CREATE FUNCTION "public"."bellows_fill_t_a_fn"() RETURNS trigger LANGUAGE plpgsql AS $bellows$
                BEGIN
                  NEW."a" := 'none';
                  RETURN NEW;
                END
                $bellows$
          undo: CREATE TRIGGER "bellows_fill_a_trg" BEFORE INSERT OR UPDATE ON "public"."t" FOR EACH ROW WHEN (NEW."a" IS NULL) EXECUTE FUNCTION "public"."bellows_fill_t_a_fn"()
          on: public.t
          after: 6
        "#);
    }
}
