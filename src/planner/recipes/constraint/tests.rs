//! Snapshot tests for the ADD / VALIDATE / DROP CONSTRAINT recipe (`super`).

use crate::planner::kit::testing;

#[test]
fn a_foreign_key_gets_an_index_then_not_valid_then_validate() {
    let out = testing::plan(
        "CREATE TABLE a (id bigint PRIMARY KEY);\nCREATE TABLE b (id bigint PRIMARY KEY, a_id bigint);",
        "ALTER TABLE b ADD CONSTRAINT b_a_fkey FOREIGN KEY (a_id) REFERENCES a (id);",
        crate::planner::recipes::plan,
    );
    insta::assert_snapshot!(out, @r#"
    0 index-b_a_id_idx [expand ddl_concurrent CreateIndexConcurrently] Build index b_a_id_idx on the referencing columns (a_id) concurrently
      do: CREATE INDEX CONCURRENTLY "b_a_id_idx" ON "public"."b" USING btree ("a_id")
      undo: DROP INDEX CONCURRENTLY IF EXISTS "public"."b_a_id_idx"
      on: public.b
    1 add-fk-b_a_fkey [expand ddl AddForeignKeyNotValid] Add FOREIGN KEY b_a_fkey NOT VALID on public.b → public.a
      do: ALTER TABLE "public"."b" ADD CONSTRAINT "b_a_fkey" FOREIGN KEY ("a_id") REFERENCES "public"."a" ("id") NOT VALID
      undo: ALTER TABLE "public"."b" DROP CONSTRAINT IF EXISTS "b_a_fkey"
      on: public.b, public.a
      after: 0
    2 validate-b_a_fkey [backfill ddl ValidateConstraint] Validate FOREIGN KEY b_a_fkey on existing rows
      do: ALTER TABLE "public"."b" VALIDATE CONSTRAINT "b_a_fkey"
      on: public.b
      after: 1
    "#);
}

#[test]
fn a_primary_key_proves_not_null_then_builds_and_attaches_its_index() {
    let out = testing::plan(
        "CREATE TABLE t (id bigint);",
        "ALTER TABLE t ADD PRIMARY KEY (id);",
        crate::planner::recipes::plan,
    );
    insta::assert_snapshot!(out, @r#"
    0 check-id-not-null [backfill ddl AddCheckNotValid] Add CHECK (id IS NOT NULL) NOT VALID on public.t
      do: ALTER TABLE "public"."t" ADD CONSTRAINT "t_id_not_null" CHECK ("id" IS NOT NULL) NOT VALID
      undo: ALTER TABLE "public"."t" DROP CONSTRAINT IF EXISTS "t_id_not_null"
      on: public.t
    1 validate-id-not-null [backfill ddl ValidateConstraint] Validate that public.t.id has no NULL
      do: ALTER TABLE "public"."t" VALIDATE CONSTRAINT "t_id_not_null"
      on: public.t
      after: 0
    2 set-id-not-null [backfill ddl SetNotNullProven] SET NOT NULL on public.t.id (proven by the check), drop the check
      do: ALTER TABLE "public"."t" ALTER COLUMN "id" SET NOT NULL
      do: ALTER TABLE "public"."t" DROP CONSTRAINT IF EXISTS "t_id_not_null"
      undo: ALTER TABLE "public"."t" ADD CONSTRAINT "t_id_not_null" CHECK ("id" IS NOT NULL) NOT VALID
      undo: ALTER TABLE "public"."t" ALTER COLUMN "id" DROP NOT NULL
      on: public.t
      after: 1
    3 build-unique-index-no-duplicates [expand ddl_concurrent Read] Check that no two rows of public.t share a key of t_pkey
      do: DO $bellows$
          DECLARE
            found text;
          BEGIN
            SELECT string_agg(format('Key (%s)=(%s) occurs %s times.', 'id', k, n), ' ') INTO found
            FROM (SELECT concat_ws(', ', "id"::text) AS k, count(*) AS n FROM "public"."t" WHERE "id" IS NOT NULL GROUP BY "id" HAVING count(*) > 1 LIMIT 5) d;
            IF found IS NOT NULL THEN
              RAISE EXCEPTION USING ERRCODE = 'unique_violation', MESSAGE = 'public.t has rows with the same (id), so the unique index t_pkey cannot be built', DETAIL = found, HINT = 'change or delete the duplicate rows (SELECT "id", count(*) FROM "public"."t" GROUP BY "id" HAVING count(*) > 1), then run the plan again; nothing was changed';
            END IF;
          END
          $bellows$
      on: public.t
    4 build-unique-index [expand ddl_concurrent CreateIndexConcurrently] Build unique index t_pkey on public.t concurrently
      do: CREATE UNIQUE INDEX CONCURRENTLY "t_pkey" ON "public"."t" USING btree ("id")
      undo: DROP INDEX CONCURRENTLY IF EXISTS "public"."t_pkey"
      on: public.t
      after: 3
    5 add-primary-key [backfill ddl AddConstraintUsingIndex] Attach index t_pkey as the PRIMARY KEY constraint of public.t
      do: ALTER TABLE "public"."t" ADD CONSTRAINT "t_pkey" PRIMARY KEY USING INDEX "t_pkey"
      undo: ALTER TABLE "public"."t" DROP CONSTRAINT IF EXISTS "t_pkey"
      on: public.t
      after: 4, 2
    "#);
}

const FIX_SCHEMA: &str = "CREATE TABLE a (id bigint PRIMARY KEY);\nCREATE TABLE t (id bigint PRIMARY KEY, a_id bigint, price numeric);";

#[test]
fn fix_rows_come_between_the_not_valid_check_and_its_validation() {
    let out = testing::plan(
        FIX_SCHEMA,
        "-- bellows:fix-rows price = 0\nALTER TABLE t ADD CONSTRAINT t_price_check CHECK (price >= 0);",
        crate::planner::recipes::plan,
    );
    insta::assert_snapshot!(out, @r#"
    0 add-check-t_price_check [expand ddl AddCheckNotValid] Add CHECK t_price_check NOT VALID on public.t
      do: ALTER TABLE "public"."t" ADD CONSTRAINT "t_price_check" CHECK (price >= 0) NOT VALID
      undo: ALTER TABLE "public"."t" DROP CONSTRAINT IF EXISTS "t_price_check"
      on: public.t
    1 save-table-t_price_check [backfill ddl CreateTable] Create bellows.saved_t_t_price_check_rows to keep the rows the fix-up for t_price_check changes
      do: CREATE SCHEMA IF NOT EXISTS "bellows"
      do: CREATE TABLE "bellows"."saved_t_t_price_check_rows" AS SELECT "id", "price" FROM "public"."t" WITH NO DATA
      do: REVOKE ALL ON "bellows"."saved_t_t_price_check_rows" FROM PUBLIC
      undo: DROP TABLE IF EXISTS "bellows"."saved_t_t_price_check_rows"
      after: 0
    2 fix-t_price_check [backfill backfill BatchUpdate] Fix the rows of public.t that violate t_price_check: set price = 0
      do: WITH saved AS (INSERT INTO "bellows"."saved_t_t_price_check_rows" ("id", "price") SELECT "id", "price" FROM "public"."t" WHERE ("id") > ($1) AND ("id") <= ($2) AND ((price >= 0) IS FALSE)), upd AS (UPDATE "public"."t" SET "price" = 0 WHERE ("id") > ($1) AND ("id") <= ($2) AND ((price >= 0) IS FALSE) RETURNING 1) SELECT count(*) FROM upd
      undo: ALTER TABLE "public"."t" DROP CONSTRAINT IF EXISTS "t_price_check"
      undo: UPDATE "public"."t" SET "price" = bellows_saved."price" FROM "bellows"."saved_t_t_price_check_rows" AS bellows_saved WHERE ("public"."t"."id") = (bellows_saved."id")
      undo: TRUNCATE "bellows"."saved_t_t_price_check_rows"
      on: public.t
      after: 1
    3 validate-t_price_check [backfill ddl ValidateConstraint] Validate CHECK t_price_check on existing rows
      do: ALTER TABLE "public"."t" VALIDATE CONSTRAINT "t_price_check"
      on: public.t
      after: 2
    "#);
}

#[test]
fn orphans_are_nulled_after_the_not_valid_key_and_before_its_validation() {
    let out = testing::plan(
        FIX_SCHEMA,
        "-- bellows:fix-orphans null\nALTER TABLE t ADD CONSTRAINT t_a_fkey FOREIGN KEY (a_id) REFERENCES a (id);",
        crate::planner::recipes::plan,
    );
    insta::assert_snapshot!(out, @r#"
    0 index-t_a_id_idx [expand ddl_concurrent CreateIndexConcurrently] Build index t_a_id_idx on the referencing columns (a_id) concurrently
      do: CREATE INDEX CONCURRENTLY "t_a_id_idx" ON "public"."t" USING btree ("a_id")
      undo: DROP INDEX CONCURRENTLY IF EXISTS "public"."t_a_id_idx"
      on: public.t
    1 add-fk-t_a_fkey [expand ddl AddForeignKeyNotValid] Add FOREIGN KEY t_a_fkey NOT VALID on public.t → public.a
      do: ALTER TABLE "public"."t" ADD CONSTRAINT "t_a_fkey" FOREIGN KEY ("a_id") REFERENCES "public"."a" ("id") NOT VALID
      undo: ALTER TABLE "public"."t" DROP CONSTRAINT IF EXISTS "t_a_fkey"
      on: public.t, public.a
      after: 0
    2 save-table-t_a_fkey [backfill ddl CreateTable] Create bellows.saved_t_t_a_fkey_rows to keep the rows the fix-up for t_a_fkey changes
      do: CREATE SCHEMA IF NOT EXISTS "bellows"
      do: CREATE TABLE "bellows"."saved_t_t_a_fkey_rows" AS SELECT "id", "a_id" FROM "public"."t" WITH NO DATA
      do: REVOKE ALL ON "bellows"."saved_t_t_a_fkey_rows" FROM PUBLIC
      undo: DROP TABLE IF EXISTS "bellows"."saved_t_t_a_fkey_rows"
      after: 1
    3 fix-t_a_fkey [backfill backfill BatchUpdate] Set the key to NULL in the rows of public.t whose (a_id) has no row in public.a
      do: WITH saved AS (INSERT INTO "bellows"."saved_t_t_a_fkey_rows" ("id", "a_id") SELECT "id", "a_id" FROM "public"."t" WHERE ("id") > ($1) AND ("id") <= ($2) AND ("a_id" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "public"."a" AS bellows_ref WHERE (bellows_ref."id") = ("public"."t"."a_id")))), upd AS (UPDATE "public"."t" SET "a_id" = NULL WHERE ("id") > ($1) AND ("id") <= ($2) AND ("a_id" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "public"."a" AS bellows_ref WHERE (bellows_ref."id") = ("public"."t"."a_id"))) RETURNING 1) SELECT count(*) FROM upd
      undo: ALTER TABLE "public"."t" DROP CONSTRAINT IF EXISTS "t_a_fkey"
      undo: UPDATE "public"."t" SET "a_id" = bellows_saved."a_id" FROM "bellows"."saved_t_t_a_fkey_rows" AS bellows_saved WHERE ("public"."t"."id") = (bellows_saved."id")
      undo: TRUNCATE "bellows"."saved_t_t_a_fkey_rows"
      on: public.t
      after: 2
    4 validate-t_a_fkey [backfill ddl ValidateConstraint] Validate FOREIGN KEY t_a_fkey on existing rows
      do: ALTER TABLE "public"."t" VALIDATE CONSTRAINT "t_a_fkey"
      on: public.t
      after: 3
    "#);
}
