use crate::planner::kit::testing::plan;
use crate::planner::recipes::plan as recipes;

const SCHEMA: &str = "CREATE TABLE t (id bigint PRIMARY KEY, a int, b text, n int NOT NULL, m int);
    CREATE UNIQUE INDEX t_n_key ON t (n);
    CREATE UNIQUE INDEX t_m_key ON t (m);
    CREATE INDEX t_expr_idx ON t ((a + 1));
    COMMENT ON TABLE t IS 'old';
    CREATE VIEW v AS SELECT id FROM t;";

#[test]
fn a_comment_is_restored_on_rollback() {
    insta::assert_snapshot!(plan(SCHEMA, "COMMENT ON TABLE t IS 'it''s new';", recipes), @r#"
    0 comment [expand ddl Comment] Comment on table public.t
      do: COMMENT ON TABLE "public"."t" IS 'it''s new'
      undo: COMMENT ON TABLE "public"."t" IS 'old'
      on: public.t
    "#);
    insta::assert_snapshot!(plan(SCHEMA, "COMMENT ON COLUMN t.a IS 'a';", recipes), @r#"
    0 comment [expand ddl Comment] Comment on column public.t.a
      do: COMMENT ON COLUMN "public"."t"."a" IS 'a'
      undo: COMMENT ON COLUMN "public"."t"."a" IS NULL
      on: public.t
    "#);
    insta::assert_snapshot!(plan(SCHEMA, "COMMENT ON CONSTRAINT t_pkey ON t IS 'key';", recipes), @r#"
    0 comment [expand ddl CommentOnConstraint] Comment on constraint t_pkey on public.t
      do: COMMENT ON CONSTRAINT "t_pkey" ON "public"."t" IS 'key'
      undo: COMMENT ON CONSTRAINT "t_pkey" ON "public"."t" IS NULL
      on: public.t
    "#);
}

#[test]
fn comments_on_missing_or_mistyped_objects_are_refused() {
    insta::assert_snapshot!(plan(SCHEMA, "COMMENT ON INDEX nope IS 'x';", recipes), @"
    refused: unknown index public.nope
    hint: check the name against the schema source; a comment needs the object to exist
    ");
    insta::assert_snapshot!(plan(SCHEMA, "COMMENT ON MATERIALIZED VIEW v IS 'x';", recipes), @"
    refused: public.v is not a materialized view
    hint: write COMMENT ON VIEW
    ");
}

#[test]
fn statistics_storage_and_compression_put_back_what_was_there() {
    insta::assert_snapshot!(plan(SCHEMA, "ALTER TABLE t ALTER COLUMN a SET STATISTICS 500;", recipes), @r#"
    0 set-statistics [expand ddl SetStatistics] Set the statistics target of public.t.a
      do: ALTER TABLE "public"."t" ALTER COLUMN "a" SET STATISTICS 500
      undo: ALTER TABLE "public"."t" ALTER COLUMN "a" SET STATISTICS -1
      on: public.t
    "#);
    insta::assert_snapshot!(plan(SCHEMA, "ALTER INDEX t_expr_idx ALTER COLUMN 1 SET STATISTICS 300;", recipes), @r#"
    0 set-statistics [expand ddl SetStatistics] Set the statistics target of public.t_expr_idx key 1
      do: ALTER INDEX "public"."t_expr_idx" ALTER COLUMN 1 SET STATISTICS 300
      undo: ALTER INDEX "public"."t_expr_idx" ALTER COLUMN 1 SET STATISTICS -1
      on: public.t_expr_idx
    "#);
    insta::assert_snapshot!(plan(SCHEMA, "ALTER TABLE t ALTER COLUMN b SET STORAGE EXTERNAL;", recipes), @r#"
    0 set-storage [expand ddl SetStorage] Set the storage of public.t.b to EXTERNAL
      do: ALTER TABLE "public"."t" ALTER COLUMN "b" SET STORAGE EXTERNAL
      undo: ALTER TABLE "public"."t" ALTER COLUMN "b" SET STORAGE EXTENDED
      on: public.t
    "#);
    insta::assert_snapshot!(plan(SCHEMA, "ALTER TABLE t ALTER COLUMN b SET COMPRESSION pglz;", recipes), @r#"
    0 set-compression [expand ddl SetCompression] Compress public.t.b with pglz
      do: ALTER TABLE "public"."t" ALTER COLUMN "b" SET COMPRESSION pglz
      undo: ALTER TABLE "public"."t" ALTER COLUMN "b" SET COMPRESSION DEFAULT
      on: public.t
    "#);
}

#[test]
fn storage_and_compression_of_fixed_size_types_are_refused() {
    insta::assert_snapshot!(plan(SCHEMA, "ALTER TABLE t ALTER COLUMN a SET STORAGE EXTERNAL;", recipes), @"
    refused: public.t.a is integer, a fixed-size type PostgreSQL stores only PLAIN
    hint: remove the statement; SET STORAGE matters only for variable-length types (text, bytea, jsonb, arrays, ...)
    ");
    insta::assert_snapshot!(plan(SCHEMA, "ALTER TABLE t ALTER COLUMN a SET COMPRESSION lz4;", recipes), @"
    refused: public.t.a is integer, which PostgreSQL never compresses
    hint: remove the statement; compression applies to variable-length types (text, bytea, jsonb, arrays, ...)
    ");
    insta::assert_snapshot!(plan(SCHEMA, "ALTER INDEX t_n_key ALTER COLUMN 1 SET STATISTICS 10;", recipes), @"
    refused: key column 1 of public.t_n_key is the table column n, and PostgreSQL keeps statistics only for expression keys of an index
    hint: set the table column's target instead: ALTER TABLE ... ALTER COLUMN n SET STATISTICS ...
    ");
}

#[test]
fn replica_identity_needs_a_unique_index_on_not_null_columns() {
    insta::assert_snapshot!(plan(SCHEMA, "ALTER TABLE t REPLICA IDENTITY USING INDEX t_n_key;", recipes), @r#"
    0 replica-identity [expand ddl ReplicaIdentity] Set the replica identity of public.t to USING INDEX "t_n_key"
      do: ALTER TABLE "public"."t" REPLICA IDENTITY USING INDEX "t_n_key"
      undo: ALTER TABLE "public"."t" REPLICA IDENTITY DEFAULT
      on: public.t
    "#);
    insta::assert_snapshot!(plan(SCHEMA, "ALTER TABLE t REPLICA IDENTITY USING INDEX t_m_key;", recipes), @"
    refused: index t_m_key covers nullable columns (m), and a replica identity index must be unique, valid, not partial, not deferrable and on NOT NULL columns only
    hint: choose another index, or SET NOT NULL on its columns first (bellows plans that safely), or use REPLICA IDENTITY FULL
    ");
    insta::assert_snapshot!(plan(SCHEMA, "ALTER TABLE t REPLICA IDENTITY FULL; ALTER TABLE t REPLICA IDENTITY NOTHING;", recipes), @r#"
    0 replica-identity [expand ddl ReplicaIdentity] Set the replica identity of public.t to NOTHING
      do: ALTER TABLE "public"."t" REPLICA IDENTITY NOTHING
      undo: ALTER TABLE "public"."t" REPLICA IDENTITY FULL
      on: public.t
    "#);
}
