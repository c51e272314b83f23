//! A batched backfill over the primary key (or, on a table with no key, over ranges of
//! physical pages; on a partitioned table, leaf partition by leaf partition), and the batched
//! read that verifies its result.

use std::collections::BTreeMap;

use crate::plan::{Backfill, PAGE_WALK_VERSION, Phase, StepKind, Verify, Walk};
use crate::planner::kit::{Ctx, Draft};
use crate::planner::sqlgen;
use crate::safety::DdlForm;
use crate::sql::QName;

/// What a backfill writes: `set` (column, expression) on the rows of `table` matching `filter`.
pub struct Fill<'a> {
    /// The table.
    pub table: &'a QName,
    /// Its batching key: the primary key, or a unique index on NOT NULL columns; empty when
    /// the table has neither and batches walk its pages ([`Ctx::batch_key`]).
    pub key: &'a [String],
    /// Column and the expression that fills it.
    pub set: &'a [(String, String)],
    /// Rows that still need it (so a re-run changes nothing twice).
    pub filter: &'a str,
}

/// How batches walk a table with this batching key.
pub fn walk(key: &[String]) -> Walk {
    if key.is_empty() {
        Walk::Pages
    } else {
        Walk::Key
    }
}

/// How the batches walk the table, for the step's note.
fn order_note(ctx: &Ctx, table: &QName, key: &[String]) -> String {
    let t = ctx.cat().table(table);
    let order = if key.is_empty() {
        "The table has no primary key and no unique NOT NULL key: batches walk ranges of its physical pages (`ctid >= '(p,0)' AND ctid < '(p+n,0)'`, a TID range scan, PostgreSQL 14+) up to its size when the step starts. Rows written meanwhile, and rows an update moves to another page, pass through the sync or fill trigger, so none is left behind".to_string()
    } else if t.is_none_or(|t| t.primary_key_columns() == key) {
        "Batches follow the primary key".to_string()
    } else {
        format!(
            "The table has no primary key: batches follow the unique NOT NULL key ({})",
            sqlgen::cols(key)
        )
    };
    let by_partition = if t.is_some_and(|t| t.is_partitioned()) {
        " The table is partitioned: the batches walk one leaf partition after another (sub-partitions resolved), each with its own key index or pages; the list is read from the database when the step starts, so partitions attached after planning are filled too."
    } else {
        ""
    };
    format!(
        "{order}, commit one by one, and touch only rows that still differ, so a re-run after a crash changes nothing twice.{by_partition}"
    )
}

/// A batched backfill step.
pub fn backfill(ctx: &Ctx, slug: &str, fill: &Fill, summary: String) -> Draft {
    let Fill {
        table,
        key,
        set,
        filter,
    } = fill;
    let by_partition = ctx.cat().table(table).is_some_and(|t| t.is_partitioned());
    let draft = Draft::new(
        slug,
        Phase::Backfill,
        StepKind::Backfill,
        DdlForm::BatchUpdate,
        summary,
    )
    .sql([sqlgen::batch_update(table, key, set, filter)])
    .on(table)
    .note(order_note(ctx, table, key))
    .with_backfill(Backfill {
        table: table.sql(),
        key: key.to_vec(),
        walk: walk(key),
        by_partition,
        set: set.iter().cloned().collect::<BTreeMap<_, _>>(),
        filter: filter.to_string(),
        batch: ctx.opts.batch.clone(),
    });
    needs_walk(draft, key)
}

/// A page walk needs TID range scans.
fn needs_walk(draft: Draft, key: &[String]) -> Draft {
    match walk(key) {
        Walk::Key => draft,
        Walk::Pages => draft.needs(PAGE_WALK_VERSION),
    }
}

/// A batched read that fails when any row of `table` matches `violation`.
pub fn verify(
    slug: impl Into<String>,
    table: &QName,
    key: &[String],
    violation: String,
    expectation: String,
    summary: String,
) -> Draft {
    let draft = Draft::new(
        slug,
        Phase::Backfill,
        StepKind::Verify,
        DdlForm::Read,
        summary,
    )
    .sql([sqlgen::verify_query(table, key, &violation)])
    .on(table)
    .with_verify(Verify {
        table: table.sql(),
        key: key.to_vec(),
        walk: walk(key),
        violation,
        expectation,
    });
    needs_walk(draft, key)
}

#[cfg(test)]
mod tests {
    use crate::planner::kit::testing;

    #[test]
    fn with_no_key_batches_walk_pages_and_the_sync_trigger_catches_up() {
        let out = testing::plan(
            "CREATE TABLE log (at timestamptz NOT NULL, line text);",
            "ALTER TABLE log RENAME COLUMN line TO message;",
            crate::planner::recipes::plan,
        );
        insta::assert_snapshot!(out, @r#"
        0 add-column [expand ddl AddColumnNullable] Add column public.log.message text
          do: ALTER TABLE "public"."log" ADD COLUMN "message" text
          undo: ALTER TABLE "public"."log" DROP COLUMN IF EXISTS "message"
          on: public.log
        1 sync-trigger [dual_write trigger CreateTrigger] Keep line and message in sync with a trigger
          do: CREATE FUNCTION "public"."bellows_sync_log_line_fn"() RETURNS trigger LANGUAGE plpgsql AS $bellows$
              BEGIN
                IF TG_OP = 'INSERT' THEN
                  IF NEW."message" IS NULL THEN
                    NEW."message" := NEW."line";
                  ELSE
                    NEW."line" := NEW."message";
                  END IF;
                ELSIF NEW."message" IS DISTINCT FROM OLD."message" THEN
                  NEW."line" := NEW."message";
                ELSIF NEW."line" IS DISTINCT FROM OLD."line" THEN
                  NEW."message" := NEW."line";
                ELSIF NEW."message" IS NULL THEN
                  NEW."message" := NEW."line";
                END IF;
                RETURN NEW;
              END
              $bellows$
          do: CREATE TRIGGER "bellows_sync_line_ins" BEFORE INSERT ON "public"."log" FOR EACH ROW EXECUTE FUNCTION "public"."bellows_sync_log_line_fn"()
          do: CREATE TRIGGER "bellows_sync_line_upd" BEFORE UPDATE ON "public"."log" FOR EACH ROW WHEN ((NEW."message" IS DISTINCT FROM OLD."message" OR NEW."line" IS DISTINCT FROM OLD."line" OR (NEW."message" IS NULL AND NEW."line" IS NOT NULL)) AND current_setting('bellows.backfill', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION "public"."bellows_sync_log_line_fn"()
          undo: DROP TRIGGER IF EXISTS "bellows_sync_line_ins" ON "public"."log"
          undo: DROP TRIGGER IF EXISTS "bellows_sync_line_upd" ON "public"."log"
          undo: DROP FUNCTION IF EXISTS "public"."bellows_sync_log_line_fn"()
          on: public.log
          after: 0
        2 backfill [backfill backfill BatchUpdate] Backfill public.log.message from line
          do: UPDATE "public"."log" SET "message" = "line" WHERE ctid >= $1::tid AND ctid < $2::tid AND ("message" IS DISTINCT FROM "line")
          on: public.log
          after: 1
        3 verify [backfill verify Read] Verify every row has message equal to the old column
          do: SELECT ctid FROM "public"."log" WHERE ctid >= $1::tid AND ctid < $2::tid AND ("message" IS DISTINCT FROM "line") LIMIT 10
          on: public.log
          after: 2
        4 gate [contract gate Nothing] Confirm every application instance uses public.log.message
          after: 3
        5 switch-over [contract ddl DropTrigger] Stop syncing; message takes over everything line had
          do: DROP TRIGGER IF EXISTS "bellows_sync_line_ins" ON "public"."log"
          do: DROP TRIGGER IF EXISTS "bellows_sync_line_upd" ON "public"."log"
          do: DROP FUNCTION IF EXISTS "public"."bellows_sync_log_line_fn"()
          irreversible: the sync trigger is gone and the application no longer writes the old column; roll forward, or restore from the earlier phases' rollbacks before this gate
          on: public.log
          after: 4
        6 drop-old-column [contract ddl DropColumn] Drop the old column public.log.line
          do: ALTER TABLE "public"."log" DROP COLUMN "line"
          irreversible: the old column line and its data are deleted (the data lives on in message)
          on: public.log
          after: 5
        warning: the sync trigger on public.log adds work to every INSERT and UPDATE until the contract phase (write amplification)
        "#);
    }

    #[test]
    fn with_no_key_a_volatile_default_is_also_filled_by_a_trigger_while_the_backfill_runs() {
        let out = testing::plan(
            "CREATE TABLE log (at timestamptz NOT NULL, line text);",
            "ALTER TABLE log ADD COLUMN token uuid DEFAULT gen_random_uuid();",
            crate::planner::recipes::plan,
        );
        insta::assert_snapshot!(out, @r#"
        0 add-column [expand ddl AddColumnNullable] Add column public.log.token as nullable, with its default for new rows
          do: ALTER TABLE "public"."log" ADD COLUMN "token" uuid
          do: ALTER TABLE "public"."log" ALTER COLUMN "token" SET DEFAULT gen_random_uuid()
          undo: ALTER TABLE "public"."log" DROP COLUMN IF EXISTS "token"
          on: public.log
        1 catch-up-trigger [dual_write trigger CreateTrigger] Fill token with gen_random_uuid() on every write that leaves it NULL, until the backfill is done
          do: CREATE FUNCTION "public"."bellows_fill_log_token_fn"() RETURNS trigger LANGUAGE plpgsql AS $bellows$
              BEGIN
                NEW."token" := gen_random_uuid();
                RETURN NEW;
              END
              $bellows$
          do: CREATE TRIGGER "bellows_fill_token_trg" BEFORE INSERT OR UPDATE ON "public"."log" FOR EACH ROW WHEN (NEW."token" IS NULL) EXECUTE FUNCTION "public"."bellows_fill_log_token_fn"()
          undo: DROP TRIGGER IF EXISTS "bellows_fill_token_trg" ON "public"."log"
          undo: DROP FUNCTION IF EXISTS "public"."bellows_fill_log_token_fn"()
          on: public.log
          after: 0
        2 backfill [backfill backfill BatchUpdate] Backfill public.log.token for existing rows
          do: UPDATE "public"."log" SET "token" = gen_random_uuid() WHERE ctid >= $1::tid AND ctid < $2::tid AND ("token" IS NULL)
          on: public.log
          after: 1
        3 drop-catch-up-trigger [backfill trigger DropTrigger] Stop filling public.log.token: every existing row has its value
          do: DROP TRIGGER IF EXISTS "bellows_fill_token_trg" ON "public"."log"
          do: DROP FUNCTION IF EXISTS "public"."bellows_fill_log_token_fn"()
          undo: CREATE FUNCTION "public"."bellows_fill_log_token_fn"() RETURNS trigger LANGUAGE plpgsql AS $bellows$
                BEGIN
                  NEW."token" := gen_random_uuid();
                  RETURN NEW;
                END
                $bellows$
          undo: CREATE TRIGGER "bellows_fill_token_trg" BEFORE INSERT OR UPDATE ON "public"."log" FOR EACH ROW WHEN (NEW."token" IS NULL) EXECUTE FUNCTION "public"."bellows_fill_log_token_fn"()
          on: public.log
          after: 2
        "#);
    }

    #[test]
    fn below_postgresql_14_a_table_with_no_key_is_refused() {
        let out = testing::plan(
            "CREATE TABLE log (at timestamptz NOT NULL, line text);",
            "-- bellows:fill 'x'\nALTER TABLE log ALTER COLUMN line SET NOT NULL;",
            |ctx| {
                let opts = crate::planner::Options {
                    pg_version: 13,
                    ..crate::planner::Options::default()
                };
                let old = crate::planner::kit::Ctx {
                    opts: &opts,
                    ..*ctx
                };
                crate::planner::recipes::plan(&old)
            },
        );
        insta::assert_snapshot!(out, @"
        refused: public.log has no primary key and no unique index on NOT NULL columns, and without one bellows batches over physical row positions (ctid ranges), which needs PostgreSQL 14+; the target is PostgreSQL 13
        hint: add a primary key or a unique index on NOT NULL columns first (bellows plans that safely too), then plan this change
        ");
    }
}
