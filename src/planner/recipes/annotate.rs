//! Catalog-only changes that running code does not notice: comments, statistics targets,
//! storage and compression of a column, replica identity. One brief step each, in expand,
//! undone by putting back what the catalog had.

use crate::catalog::{Compression, ReplicaIdentity, Storage};
use crate::plan::{Phase, StepKind};
use crate::planner::kit::{Ctx, Draft, Drafts};
use crate::planner::sqlgen::annotate as sg;
use crate::safety::DdlForm;
use crate::sql::ddl::CommentObject;
use crate::sql::types::default_storage;
use crate::sql::{QName, SqlError};

fn step(slug: &str, form: DdlForm, summary: String, sql: String, undo: String) -> Draft {
    Draft::new(slug, Phase::Expand, StepKind::Ddl, form, summary)
        .sql([sql])
        .rollback([undo])
}

/// `COMMENT ON TABLE | VIEW | INDEX | SEQUENCE | CONSTRAINT`: undone by the comment it had.
pub fn comment(ctx: &Ctx, object: &CommentObject, text: Option<&str>) -> Result<Drafts, SqlError> {
    let cat = ctx.cat();
    let missing = |what: &str, name: String| {
        ctx.refuse(
            format!("unknown {what} {name}"),
            "check the name against the schema source; a comment needs the object to exist",
        )
    };
    let (before, form, relation, what) = match object {
        CommentObject::Table(t) => (ctx.table(t)?.comment.clone(), DdlForm::Comment, t, "table"),
        CommentObject::View { name, materialized } => {
            let v = cat
                .views
                .get(name)
                .ok_or_else(|| missing("view", name.display()))?;
            if v.materialized != *materialized {
                return Err(ctx.refuse(
                    format!(
                        "{} is {}a materialized view",
                        name.display(),
                        if v.materialized { "" } else { "not " }
                    ),
                    if v.materialized {
                        "write COMMENT ON MATERIALIZED VIEW"
                    } else {
                        "write COMMENT ON VIEW"
                    },
                ));
            }
            (v.comment.clone(), DdlForm::Comment, name, "view")
        }
        CommentObject::Index(i) => {
            let ix = cat
                .index_table(i)
                .and_then(|t| t.indexes.get(&i.name))
                .ok_or_else(|| missing("index", i.display()))?;
            (ix.comment.clone(), DdlForm::Comment, i, "index")
        }
        CommentObject::Sequence(s) => {
            let seq = cat
                .sequences
                .get(s)
                .ok_or_else(|| missing("sequence", s.display()))?;
            (seq.comment.clone(), DdlForm::Comment, s, "sequence")
        }
        CommentObject::Constraint { table, name } => {
            let c =
                ctx.table(table)?.constraints.get(name).ok_or_else(|| {
                    missing("constraint", format!("{name} on {}", table.display()))
                })?;
            (
                c.comment.clone(),
                DdlForm::CommentOnConstraint,
                table,
                "constraint",
            )
        }
    };
    Ok(Drafts::one(
        step(
            "comment",
            form,
            format!("Comment on {what} {}", object_name(object)),
            sg::comment_on(object, text),
            sg::comment_on(object, before.as_deref()),
        )
        .note("Running code does not read comments.")
        .on(relation),
    ))
}

fn object_name(object: &CommentObject) -> String {
    match object {
        CommentObject::Table(n)
        | CommentObject::View { name: n, .. }
        | CommentObject::Index(n)
        | CommentObject::Sequence(n) => n.display(),
        CommentObject::Constraint { table, name } => format!("{name} on {}", table.display()),
    }
}

/// `COMMENT ON COLUMN`: undone by the comment it had.
pub fn column_comment(
    ctx: &Ctx,
    table: &QName,
    column: &str,
    text: Option<&str>,
) -> Result<Drafts, SqlError> {
    let t = ctx.table(table)?;
    let before = ctx.column(t, column)?.comment.clone();
    Ok(Drafts::one(
        step(
            "comment",
            DdlForm::Comment,
            format!("Comment on column {}.{column}", table.display()),
            sg::comment_on_column(table, column, text),
            sg::comment_on_column(table, column, before.as_deref()),
        )
        .note("Running code does not read comments.")
        .on(table),
    ))
}

/// `ALTER COLUMN c SET STATISTICS n`: undone by the target it had (-1: the default).
pub fn statistics(
    ctx: &Ctx,
    table: &QName,
    column: &str,
    target: Option<i32>,
) -> Result<Drafts, SqlError> {
    let t = ctx.table(table)?;
    let before = ctx.column(t, column)?.statistics;
    Ok(Drafts::one(
        step(
            "set-statistics",
            DdlForm::SetStatistics,
            format!("Set the statistics target of {}.{column}", table.display()),
            sg::set_statistics(table, column, target),
            sg::set_statistics(table, column, before),
        )
        .note("The next ANALYZE of the table uses it; run ANALYZE when the new statistics should count at once.")
        .on(table),
    ))
}

/// `ALTER INDEX i ALTER COLUMN n SET STATISTICS t`: only expression keys have statistics.
pub fn index_statistics(
    ctx: &Ctx,
    index: &QName,
    column: usize,
    target: Option<i32>,
) -> Result<Drafts, SqlError> {
    let ix = ctx
        .cat()
        .index_table(index)
        .and_then(|t| t.indexes.get(&index.name))
        .ok_or_else(|| {
            ctx.refuse(
                format!("unknown index {}", index.display()),
                "check the index name against the schema source",
            )
        })?;
    let Some(key) = column.checked_sub(1).and_then(|k| ix.keys.get(k)) else {
        return Err(ctx.refuse(
            format!("index {} has no key column {column}", index.display()),
            format!("its key columns are numbered 1 to {}", ix.keys.len()),
        ));
    };
    if let Some(c) = &key.column {
        return Err(ctx.refuse(
            format!(
                "key column {column} of {} is the table column {c}, and PostgreSQL keeps statistics only for expression keys of an index",
                index.display()
            ),
            format!("set the table column's target instead: ALTER TABLE ... ALTER COLUMN {c} SET STATISTICS ..."),
        ));
    }
    Ok(Drafts::one(
        step(
            "set-statistics",
            DdlForm::SetStatistics,
            format!(
                "Set the statistics target of {} key {column}",
                index.display()
            ),
            sg::index_statistics(index, column, target),
            sg::index_statistics(index, column, key.statistics),
        )
        .note("The next ANALYZE of the table uses it.")
        .on(index),
    ))
}

/// `ALTER COLUMN c SET STORAGE s`: undone by the strategy it had (the type's own when none
/// was set).
pub fn storage(ctx: &Ctx, table: &QName, column: &str, to: Storage) -> Result<Drafts, SqlError> {
    let t = ctx.table(table)?;
    let c = ctx.column(t, column)?;
    let own = default_storage(&c.ty);
    if own == Some(Storage::Plain) && to != Storage::Plain {
        return Err(ctx.refuse(
            format!(
                "{}.{column} is {}, a fixed-size type PostgreSQL stores only PLAIN",
                table.display(),
                c.ty
            ),
            "remove the statement; SET STORAGE matters only for variable-length types (text, bytea, jsonb, arrays, ...)",
        ));
    }
    let Some(before) = c.storage.or(own) else {
        return Err(ctx.refuse(
            format!(
                "bellows does not know the default storage of type {}, so it cannot write the rollback of SET STORAGE on {}.{column}",
                c.ty,
                table.display()
            ),
            "plan against the live database (--database-url), whose catalog says which storage the column has, or run the statement on its own",
        ));
    };
    Ok(Drafts::one(
        step(
            "set-storage",
            DdlForm::SetStorage,
            format!("Set the storage of {}.{column} to {}", table.display(), to.sql()),
            sg::set_storage(table, column, to),
            sg::set_storage(table, column, before),
        )
        .note("Values already stored keep their form; values written from now on use the new strategy.")
        .on(table),
    ))
}

/// `ALTER COLUMN c SET COMPRESSION m` (PostgreSQL 14+): undone by the method it had.
pub fn compression(
    ctx: &Ctx,
    table: &QName,
    column: &str,
    to: Option<Compression>,
) -> Result<Drafts, SqlError> {
    let t = ctx.table(table)?;
    let c = ctx.column(t, column)?;
    if ctx.opts.pg_version < 14 {
        return Err(ctx.refuse(
            format!(
                "SET COMPRESSION needs PostgreSQL 14, and the target is PostgreSQL {}",
                ctx.opts.pg_version
            ),
            "remove the statement; before 14 every column is compressed with pglz",
        ));
    }
    if default_storage(&c.ty) == Some(Storage::Plain) {
        return Err(ctx.refuse(
            format!(
                "{}.{column} is {}, which PostgreSQL never compresses",
                table.display(),
                c.ty
            ),
            "remove the statement; compression applies to variable-length types (text, bytea, jsonb, arrays, ...)",
        ));
    }
    let name = to.map_or("the server default", Compression::sql);
    Ok(Drafts::one(
        step(
            "set-compression",
            DdlForm::SetCompression,
            format!("Compress {}.{column} with {name}", table.display()),
            sg::set_compression(table, column, to),
            sg::set_compression(table, column, c.compression),
        )
        .note("Values already stored keep their compression; values written from now on use the new method.")
        .needs(14)
        .on(table),
    ))
}

/// `REPLICA IDENTITY`: an index must be unique, valid, not partial, not deferrable, and
/// only on NOT NULL columns. Undone by the identity the table had.
pub fn replica_identity(
    ctx: &Ctx,
    table: &QName,
    to: &ReplicaIdentity,
) -> Result<Drafts, SqlError> {
    let t = ctx.table(table)?;
    if let ReplicaIdentity::Index(i) = to {
        let Some(ix) = t.indexes.get(i) else {
            return Err(ctx.refuse(
                format!("{} has no index {i}", table.display()),
                format!(
                    "create a unique index on NOT NULL columns of {} first (CREATE UNIQUE INDEX CONCURRENTLY, in this change)",
                    table.display()
                ),
            ));
        };
        let deferrable = ix
            .constraint
            .as_ref()
            .and_then(|c| t.constraints.get(c))
            .is_some_and(|c| !c.kind.deferral().is_immediate());
        let nullable: Vec<&str> = ix
            .keys
            .iter()
            .filter_map(|k| k.column.as_deref())
            .filter(|c| t.column(c).is_some_and(|c| !c.not_null))
            .collect();
        let why = if !ix.unique {
            Some("is not unique".to_string())
        } else if !ix.valid {
            Some("is not valid (a failed concurrent build)".to_string())
        } else if ix.predicate.is_some() {
            Some("is partial".to_string())
        } else if ix.keys.iter().any(|k| k.column.is_none()) {
            Some("has an expression key".to_string())
        } else if deferrable {
            Some("backs a deferrable constraint".to_string())
        } else if !nullable.is_empty() {
            Some(format!("covers nullable columns ({})", nullable.join(", ")))
        } else {
            None
        };
        if let Some(why) = why {
            return Err(ctx.refuse(
                format!("index {i} {why}, and a replica identity index must be unique, valid, not partial, not deferrable and on NOT NULL columns only"),
                "choose another index, or SET NOT NULL on its columns first (bellows plans that safely), or use REPLICA IDENTITY FULL",
            ));
        }
    }
    Ok(Drafts::one(
        step(
            "replica-identity",
            DdlForm::ReplicaIdentity,
            format!("Set the replica identity of {} to {}", table.display(), to.sql()),
            sg::replica_identity(table, to),
            sg::replica_identity(table, &t.replica_identity),
        )
        .note("Application queries do not notice; logical replication and change-data-capture consumers receive old row values per the new setting from the next change on (FULL writes whole old rows to the WAL for every UPDATE and DELETE).")
        .on(table),
    ))
}

#[cfg(test)]
mod tests {
    use crate::planner::kit::testing::plan;
    use crate::planner::recipes::plan as recipes;

    const SCHEMA: &str =
        "CREATE TABLE t (id bigint PRIMARY KEY, a int, b text, n int NOT NULL, m int);
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
}
