//! CREATE INDEX → CONCURRENTLY; DROP INDEX → CONCURRENTLY; REINDEX → CONCURRENTLY.

use crate::catalog::{Index, names};
use crate::plan::{Phase, StepKind};
use crate::planner::kit::{Ctx, Draft, Drafts};
use crate::planner::sqlgen;
use crate::planner::steps::{fixup, index, partitioned_index};
use crate::safety::DdlForm;
use crate::sql::ddl::{IndexDef, ReindexTarget};
use crate::sql::{QName, SqlError};

/// The index a CREATE INDEX statement describes, named as PostgreSQL would name it.
fn index_from_def(ctx: &Ctx, ix: &IndexDef) -> Index {
    let name = ix.name.clone().unwrap_or_else(|| {
        let cols = ix
            .keys
            .iter()
            .map(|k| k.column.clone().unwrap_or_else(|| "expr".into()))
            .collect::<Vec<_>>()
            .join("_");
        names::choose_name(&ix.table.name, &cols, "idx", |n| {
            ctx.cat().relation_exists(&ix.table.sibling(n))
        })
    });
    Index {
        name,
        unique: ix.unique,
        method: ix.method.clone(),
        keys: ix.keys.clone(),
        include: ix.include.clone(),
        nulls_not_distinct: ix.nulls_not_distinct,
        with: ix.with.clone(),
        predicate: ix.predicate.clone(),
        valid: true,
        constraint: None,
        comment: None,
    }
}

/// CREATE INDEX.
pub fn create(ctx: &Ctx, def: &IndexDef) -> Result<Drafts, SqlError> {
    let t = ctx.table(&def.table)?;
    for k in &def.keys {
        if let Some(c) = &k.column {
            ctx.column(t, c)?;
        }
    }
    let ix = index_from_def(ctx, def);
    let name = def.table.sibling(ix.name.clone());
    if ctx.cat().relation_exists(&name) {
        if def.if_not_exists {
            return Ok(Drafts::nothing(format!(
                "relation {} already exists; CREATE INDEX IF NOT EXISTS does nothing",
                name.display()
            )));
        }
        return Err(ctx.refuse(
            format!("relation {} already exists", name.display()),
            "choose another index name",
        ));
    }
    if ctx.st.directives.fix.is_some() && (!ix.unique || t.is_partitioned()) {
        return Err(ctx.refuse(
            format!(
                "a fix-up directive applies to a unique index on a plain table, and {} is {}",
                ix.name,
                if ix.unique {
                    "on a partitioned table"
                } else {
                    "not unique"
                }
            ),
            "remove the directive; delete duplicate rows yourself before this change if needed",
        ));
    }
    if t.is_partitioned() {
        return partitioned_index::build(ctx, t, &ix);
    }
    let mut out = Drafts::default();
    let fixed = fixup::duplicates_for(ctx, &mut out, t, &ix.name, &ix, None)?;
    if !def.concurrently {
        out.warn(format!(
            "CREATE INDEX on {} would block writes for the whole build; planned as CREATE INDEX CONCURRENTLY",
            def.table.display()
        ));
    }
    let build = index::build(
        "create-index",
        &def.table,
        &ix,
        format!(
            "Build index {} on {} concurrently",
            ix.name,
            def.table.display()
        ),
    );
    let build = match fixed {
        Some(f) => build.after(f).in_phase(Phase::Backfill),
        None => build,
    };
    index::push(&mut out, build, &def.table, &ix);
    Ok(out)
}

/// DROP INDEX [CONCURRENTLY] a, b.
pub fn drop(
    ctx: &Ctx,
    names: &[QName],
    if_exists: bool,
    cascade: bool,
) -> Result<Drafts, SqlError> {
    if cascade {
        return Err(ctx.refuse(
            "DROP INDEX ... CASCADE drops whatever depends on the index, unseen",
            "drop the dependent constraints explicitly first, then the index without CASCADE",
        ));
    }
    let mut out = Drafts::default();
    for n in names {
        let Some(t) = ctx.cat().index_table(n) else {
            if if_exists {
                out.warn(format!("index {} does not exist; skipped", n.display()));
                continue;
            }
            return Err(ctx.refuse(
                format!("unknown index {}", n.display()),
                "check the name against the schema source",
            ));
        };
        let ix = &t.indexes[&n.name];
        if let Some(c) = &ix.constraint {
            return Err(ctx.refuse(
                format!(
                    "index {} backs constraint {c} on {}; DROP INDEX cannot remove it",
                    n.display(),
                    t.name.display()
                ),
                format!(
                    "plan `ALTER TABLE {} DROP CONSTRAINT {c};` instead",
                    t.name.display()
                ),
            ));
        }
        let slug = if names.len() > 1 {
            format!("drop-index-{}", n.name)
        } else {
            "drop-index".into()
        };
        out.push(
            Draft::new(
                slug,
                Phase::Contract,
                StepKind::DdlConcurrent,
                DdlForm::DropIndexConcurrently,
                format!("Drop index {} concurrently", n.display()),
            )
            .sql([sqlgen::drop_index_named(n)])
            .rollback([sqlgen::create_index(&t.name, ix, true)])
            .on(&t.name)
            .touching(n)
            .dropping(n),
        );
    }
    Ok(out)
}

/// REINDEX.
pub fn reindex(ctx: &Ctx, target: ReindexTarget, name: &QName) -> Result<Drafts, SqlError> {
    let (table, what) = match target {
        ReindexTarget::Index => {
            let t = ctx.cat().index_table(name).ok_or_else(|| {
                ctx.refuse(
                    format!("unknown index {}", name.display()),
                    "check the name",
                )
            })?;
            (t.name.clone(), "INDEX")
        }
        ReindexTarget::Table => (ctx.table(name)?.name.clone(), "TABLE"),
    };
    // A partitioned table or index is rebuilt concurrently from PostgreSQL 14 on.
    let needs = if ctx.cat().table(&table).is_some_and(|t| t.is_partitioned()) {
        14
    } else {
        12
    };
    Ok(Drafts::one(
        Draft::new(
            "reindex",
            Phase::Expand,
            StepKind::DdlConcurrent,
            DdlForm::ReindexConcurrently,
            format!(
                "Rebuild {} {} concurrently",
                what.to_lowercase(),
                name.display()
            ),
        )
        .sql([sqlgen::reindex(what, name)])
        .rollback(Vec::<String>::new())
        .needs(needs)
        .on(&table),
    ))
}

#[cfg(test)]
mod tests {
    use crate::planner::kit::testing;

    #[test]
    fn an_index_on_a_partitioned_table_is_built_partition_by_partition() {
        let out = testing::plan(
            "CREATE TABLE ev (id bigint NOT NULL, a int, at date NOT NULL) PARTITION BY RANGE (at);
             CREATE TABLE ev_2024 PARTITION OF ev FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
             CREATE TABLE ev_rest PARTITION OF ev DEFAULT;",
            "CREATE INDEX ev_a_idx ON ev (a);",
            crate::planner::recipes::plan,
        );
        insta::assert_snapshot!(out, @r#"
        0 create-parent-index [expand ddl CreateIndexOnOnly] Create index ev_a_idx on the partitioned table public.ev only (no rows; valid once every partition's index is attached)
          do: CREATE INDEX "ev_a_idx" ON ONLY "public"."ev" USING btree ("a")
          undo: DROP INDEX IF EXISTS "public"."ev_a_idx"
          on: public.ev
        1 build-index-ev_2024 [expand ddl_concurrent CreateIndexConcurrently] Build index ev_2024_a_idx on partition public.ev_2024 concurrently
          do: CREATE INDEX CONCURRENTLY "ev_2024_a_idx" ON "public"."ev_2024" USING btree ("a")
          undo: DROP INDEX CONCURRENTLY IF EXISTS "public"."ev_2024_a_idx"
          on: public.ev_2024
          after: 0
        2 build-index-ev_rest [expand ddl_concurrent CreateIndexConcurrently] Build index ev_rest_a_idx on partition public.ev_rest concurrently
          do: CREATE INDEX CONCURRENTLY "ev_rest_a_idx" ON "public"."ev_rest" USING btree ("a")
          undo: DROP INDEX CONCURRENTLY IF EXISTS "public"."ev_rest_a_idx"
          on: public.ev_rest
          after: 0
        3 attach-partition-indexes [expand ddl AttachPartitionIndex] Attach the 2 partitions' indexes to ev_a_idx, which makes it valid
          do: ALTER INDEX "public"."ev_a_idx" ATTACH PARTITION "public"."ev_2024_a_idx"
          do: ALTER INDEX "public"."ev_a_idx" ATTACH PARTITION "public"."ev_rest_a_idx"
          undo: DROP INDEX IF EXISTS "public"."ev_a_idx"
          on: public.ev, public.ev_2024, public.ev_rest
          after: 1, 2
        "#);
    }

    #[test]
    fn a_unique_index_on_a_partitioned_table_needs_the_partition_key() {
        let out = testing::plan(
            "CREATE TABLE ev (id bigint NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);",
            "CREATE UNIQUE INDEX ev_id ON ev (id);",
            crate::planner::recipes::plan,
        );
        assert!(out.starts_with("refused: "), "{out}");
        assert!(out.contains("partition key column at"), "{out}");
    }

    #[test]
    fn a_plain_create_index_is_built_concurrently() {
        let out = testing::plan(
            "CREATE TABLE t (id bigint PRIMARY KEY, a text);",
            "CREATE INDEX t_a_idx ON t (lower(a)) INCLUDE (id) WHERE a IS NOT NULL;",
            crate::planner::recipes::plan,
        );
        insta::assert_snapshot!(out, @r#"
        0 create-index [expand ddl_concurrent CreateIndexConcurrently] Build index t_a_idx on public.t concurrently
          do: CREATE INDEX CONCURRENTLY "t_a_idx" ON "public"."t" USING btree ((lower(a))) INCLUDE ("id") WHERE (a IS NOT NULL)
          undo: DROP INDEX CONCURRENTLY IF EXISTS "public"."t_a_idx"
          on: public.t
        warning: CREATE INDEX on public.t would block writes for the whole build; planned as CREATE INDEX CONCURRENTLY
        "#);
    }
}
