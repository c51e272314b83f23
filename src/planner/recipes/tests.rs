//! The dispatcher: several actions in one ALTER TABLE, directives with no use, statements
//! bellows leaves out; backfills on a table with no key (page walks, or a refusal before
//! PostgreSQL 14).

use crate::planner::kit::testing;

const SCHEMA: &str = "CREATE TABLE t (id bigint PRIMARY KEY, a text, b integer);";

#[test]
fn each_action_of_one_alter_follows_the_one_before_against_the_schema_it_leaves() {
    let out = testing::plan(
        SCHEMA,
        "ALTER TABLE t ADD COLUMN c integer, ALTER COLUMN c SET DEFAULT 0, RENAME TO u;",
        super::plan,
    );
    insta::assert_snapshot!(out, @r#"
    0 add-column [expand ddl AddColumnNullable] Add column public.t.c integer
      do: ALTER TABLE "public"."t" ADD COLUMN "c" integer
      undo: ALTER TABLE "public"."t" DROP COLUMN IF EXISTS "c"
      on: public.t
    1 set-default [expand ddl SetDefault] Set the default of public.t.c to 0
      do: ALTER TABLE "public"."t" ALTER COLUMN "c" SET DEFAULT 0
      undo: ALTER TABLE "public"."t" ALTER COLUMN "c" DROP DEFAULT
      on: public.t
      after: 0
    2 rename-with-view [expand ddl RenameTable] Rename public.t to u and leave an updatable view under the old name
      do: ALTER TABLE "public"."t" RENAME TO "u"
      do: CREATE VIEW "public"."t" WITH (security_invoker = true) AS SELECT * FROM "public"."u"
      undo: DROP VIEW IF EXISTS "public"."t"
      undo: ALTER TABLE "public"."u" RENAME TO "t"
      on: public.t
      after: 1
    3 gate [contract gate Nothing] Confirm every application instance uses public.u
      after: 2
    4 drop-view [contract ddl View] Drop the compatibility view public.t
      do: DROP VIEW IF EXISTS "public"."t"
      undo: CREATE VIEW "public"."t" WITH (security_invoker = true) AS SELECT * FROM "public"."u"
      on: public.t
      after: 3
    warning: until the gate, public.t is a view over public.u: INSERT/UPDATE/DELETE and RETURNING work through it; ON CONFLICT, COPY FROM, LOCK TABLE and TRUNCATE on the old name do not
    "#);
}

#[test]
fn a_directive_the_statement_has_no_use_for_is_reported() {
    let out = testing::plan(
        SCHEMA,
        "-- bellows:fill 'x'\n-- bellows:down b::text\nALTER TABLE t ALTER COLUMN a SET DEFAULT 'y';",
        super::plan,
    );
    insta::assert_snapshot!(out, @r#"
    0 set-default [expand ddl SetDefault] Set the default of public.t.a to 'y'
      do: ALTER TABLE "public"."t" ALTER COLUMN "a" SET DEFAULT 'y'
      undo: ALTER TABLE "public"."t" ALTER COLUMN "a" DROP DEFAULT
      on: public.t
    warning: `-- bellows:down` has no effect here: it applies to ALTER COLUMN ... TYPE and DROP COLUMN
    warning: `-- bellows:fill` has no effect here: it applies to SET NOT NULL, to NOT NULL columns added without a DEFAULT, and to DROP COLUMN
    "#);
}

#[test]
fn transaction_control_is_ignored_and_data_changes_are_refused() {
    let begin = testing::plan(SCHEMA, "BEGIN;", super::plan);
    insta::assert_snapshot!(begin, @"warning: ignored transaction control: bellows runs each step in its own transaction with its own timeouts");
    let update = testing::plan(SCHEMA, "UPDATE t SET a = 'x';", super::plan);
    insta::assert_snapshot!(update, @"
    refused: bellows plans schema changes, and `UPDATE` is not one it can plan
    hint: remove it from the change file; data changes belong in the application or a batched script
    ");
}

#[test]
fn with_no_key_batches_walk_pages_and_the_sync_trigger_catches_up() {
    let out = testing::plan(
        "CREATE TABLE log (at timestamptz NOT NULL, line text);",
        "ALTER TABLE log RENAME COLUMN line TO message;",
        super::plan,
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
        super::plan,
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
            let opts = crate::planner::kit::Options {
                pg_version: 13,
                ..crate::planner::kit::Options::default()
            };
            let old = crate::planner::kit::Ctx {
                opts: &opts,
                ..*ctx
            };
            super::plan(&old)
        },
    );
    insta::assert_snapshot!(out, @"
    refused: public.log has no primary key and no unique index on NOT NULL columns, and without one bellows batches over physical row positions (ctid ranges), which needs PostgreSQL 14+; the target is PostgreSQL 13
    hint: add a primary key or a unique index on NOT NULL columns first (bellows plans that safely too), then plan this change
    ");
}
