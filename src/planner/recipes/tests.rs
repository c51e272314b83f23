//! The dispatcher: several actions in one ALTER TABLE, directives with no use, statements
//! bellows leaves out.

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
