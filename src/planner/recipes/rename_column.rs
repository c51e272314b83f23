//! RENAME COLUMN: running code uses the old name, so the column is copied, kept in sync,
//! and the old one dropped only after the gate (the shadow-column engine in
//! [`crate::planner::steps::shadow`]). On a table this change created, a plain rename.

use crate::plan::{Phase, StepKind};
use crate::planner::kit::{Ctx, Draft, Drafts};
use crate::planner::sqlgen;
use crate::planner::steps::shadow;
use crate::safety::DdlForm;
use crate::sql::{QName, SqlError};

/// Plan `ALTER TABLE t RENAME COLUMN from TO to`.
pub fn plan(ctx: &Ctx, table: &QName, from: &str, to: &str) -> Result<Drafts, SqlError> {
    let t = ctx.table(table)?;
    let col = ctx.column(t, from)?;
    if t.column(to).is_some() {
        return Err(ctx.refuse(
            format!("column {}.{to} already exists", table.display()),
            "choose another name",
        ));
    }
    if ctx.is_new(table) {
        return Ok(Drafts::one(
            Draft::new(
                "rename-column",
                Phase::Expand,
                StepKind::Ddl,
                DdlForm::RenameColumn,
                format!("Rename {}.{from} to {to} (new table)", table.display()),
            )
            .sql([sqlgen::rename_column(table, from, to)])
            .rollback([sqlgen::rename_column(table, to, from)])
            .on(table),
        ));
    }
    if let Some(schema) = &ctx.st.directives.versioned {
        return super::versioned::rename_column(ctx, t, (from, to), schema);
    }
    let same = crate::sql::expr::column_ref(from);
    shadow::plan(
        ctx,
        &shadow::Spec {
            table: table.clone(),
            old: from.to_string(),
            new: to.to_string(),
            new_type: col.ty.clone(),
            up: same.clone(),
            down: same,
            retype: false,
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::planner::kit::testing;

    #[test]
    fn a_rename_copies_syncs_backfills_and_drops_after_the_gate() {
        let out = testing::plan(
            "CREATE TABLE t (id bigint PRIMARY KEY, a text);",
            "ALTER TABLE t RENAME COLUMN a TO b;",
            crate::planner::recipes::plan,
        );
        insta::assert_snapshot!(out, @r#"
        0 add-column [expand ddl AddColumnNullable] Add column public.t.b text
          do: ALTER TABLE "public"."t" ADD COLUMN "b" text
          undo: ALTER TABLE "public"."t" DROP COLUMN IF EXISTS "b"
          on: public.t
        1 sync-trigger [dual_write trigger CreateTrigger] Keep a and b in sync with a trigger
          do: CREATE FUNCTION "public"."bellows_sync_t_a_fn"() RETURNS trigger LANGUAGE plpgsql AS $bellows$
              BEGIN
                IF TG_OP = 'INSERT' THEN
                  IF NEW."b" IS NULL THEN
                    NEW."b" := NEW."a";
                  ELSE
                    NEW."a" := NEW."b";
                  END IF;
                ELSIF NEW."b" IS DISTINCT FROM OLD."b" THEN
                  NEW."a" := NEW."b";
                ELSIF NEW."a" IS DISTINCT FROM OLD."a" THEN
                  NEW."b" := NEW."a";
                END IF;
                RETURN NEW;
              END
              $bellows$
          do: CREATE TRIGGER "bellows_sync_a_ins" BEFORE INSERT ON "public"."t" FOR EACH ROW EXECUTE FUNCTION "public"."bellows_sync_t_a_fn"()
          do: CREATE TRIGGER "bellows_sync_a_upd" BEFORE UPDATE ON "public"."t" FOR EACH ROW WHEN ((NEW."b" IS DISTINCT FROM OLD."b" OR NEW."a" IS DISTINCT FROM OLD."a") AND current_setting('bellows.backfill', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION "public"."bellows_sync_t_a_fn"()
          undo: DROP TRIGGER IF EXISTS "bellows_sync_a_ins" ON "public"."t"
          undo: DROP TRIGGER IF EXISTS "bellows_sync_a_upd" ON "public"."t"
          undo: DROP FUNCTION IF EXISTS "public"."bellows_sync_t_a_fn"()
          on: public.t
          after: 0
        2 backfill [backfill backfill BatchUpdate] Backfill public.t.b from a
          do: UPDATE "public"."t" SET "b" = "a" WHERE ("id") > ($1) AND ("id") <= ($2) AND ("b" IS DISTINCT FROM "a")
          on: public.t
          after: 1
        3 verify [backfill verify Read] Verify every row has b equal to the old column
          do: SELECT "id" FROM "public"."t" WHERE ("id") > ($1) AND ("id") <= ($2) AND ("b" IS DISTINCT FROM "a") ORDER BY "id" LIMIT 10
          on: public.t
          after: 2
        4 gate [contract gate Nothing] Confirm every application instance uses public.t.b
          after: 3
        5 switch-over [contract ddl DropTrigger] Stop syncing; b takes over everything a had
          do: DROP TRIGGER IF EXISTS "bellows_sync_a_ins" ON "public"."t"
          do: DROP TRIGGER IF EXISTS "bellows_sync_a_upd" ON "public"."t"
          do: DROP FUNCTION IF EXISTS "public"."bellows_sync_t_a_fn"()
          irreversible: the sync trigger is gone and the application no longer writes the old column; roll forward, or restore from the earlier phases' rollbacks before this gate
          on: public.t
          after: 4
        6 drop-old-column [contract ddl DropColumn] Drop the old column public.t.a
          do: ALTER TABLE "public"."t" DROP COLUMN "a"
          irreversible: the old column a and its data are deleted (the data lives on in b)
          on: public.t
          after: 5
        warning: the sync trigger on public.t adds work to every INSERT and UPDATE until the contract phase (write amplification)
        "#);
    }

    #[test]
    fn a_rename_on_a_new_table_is_one_step() {
        let out = testing::plan(
            "",
            "CREATE TABLE t (id bigint PRIMARY KEY, a text);\nALTER TABLE t RENAME COLUMN a TO b;",
            crate::planner::recipes::plan,
        );
        insta::assert_snapshot!(out, @r#"
        0 rename-column [expand ddl RenameColumn] Rename public.t.a to b (new table)
          do: ALTER TABLE "public"."t" RENAME COLUMN "a" TO "b"
          undo: ALTER TABLE "public"."t" RENAME COLUMN "b" TO "a"
          on: public.t
        "#);
    }
}
