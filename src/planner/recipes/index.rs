//! CREATE INDEX → CONCURRENTLY; DROP INDEX → CONCURRENTLY; REINDEX → CONCURRENTLY.

use super::Out;
use crate::catalog::{Index, names};
use crate::plan::{Phase, StepKind};
use crate::planner::builder::{Ctx, Draft};
use crate::planner::sqlgen;
use crate::safety::DdlForm;
use crate::sql::ddl::{IndexDef, ReindexTarget};
use crate::sql::{QName, SqlError};

/// The index a CREATE INDEX statement describes, named as PostgreSQL would name it.
pub fn index_from_def(ctx: &Ctx, ix: &IndexDef) -> Index {
    let name = ix.name.clone().unwrap_or_else(|| {
        let cols = ix
            .keys
            .iter()
            .map(|k| k.column.clone().unwrap_or_else(|| "expr".into()))
            .collect::<Vec<_>>()
            .join("_");
        names::choose_name(&ix.table.name, &cols, "idx", |n| {
            ctx.cat.relation_exists(&ix.table.sibling(n))
        })
    });
    Index {
        name,
        unique: ix.unique,
        method: ix.method.clone(),
        keys: ix.keys.clone(),
        include: ix.include.clone(),
        predicate: ix.predicate.clone(),
        valid: true,
        constraint: None,
    }
}

/// A concurrent index build as one step.
pub fn build_step(slug: &str, table: &QName, ix: &Index, summary: String) -> Draft {
    Draft::new(
        slug,
        Phase::Expand,
        StepKind::DdlConcurrent,
        DdlForm::CreateIndexConcurrently,
        summary,
    )
    .sql([sqlgen::create_index(table, ix, true)])
    .rollback([sqlgen::drop_index(table, &ix.name)])
    .note(
        "If the build fails it leaves an INVALID index, which the executor drops before retrying.",
    )
    .on(table)
    .touching(&table.sibling(ix.name.clone()))
}

/// CREATE INDEX.
pub fn create(ctx: &Ctx, def: &IndexDef) -> Result<Out, SqlError> {
    let t = ctx.table(&def.table)?;
    for k in &def.keys {
        if let Some(c) = &k.column {
            ctx.column(t, c)?;
        }
    }
    let ix = index_from_def(ctx, def);
    if ctx.cat.relation_exists(&def.table.sibling(ix.name.clone())) && def.if_not_exists {
        let mut out = Out::default();
        out.warnings.push(format!(
            "relation {} already exists; CREATE INDEX IF NOT EXISTS does nothing",
            def.table.sibling(ix.name.clone()).display()
        ));
        return Ok(out);
    }
    if ctx.cat.relation_exists(&def.table.sibling(ix.name.clone())) {
        return Err(ctx.refuse(
            format!(
                "relation {} already exists",
                def.table.sibling(ix.name.clone()).display()
            ),
            "choose another index name",
        ));
    }
    let mut out = Out::default();
    if !def.concurrently {
        out.warnings.push(format!(
            "CREATE INDEX on {} would block writes for the whole build; planned as CREATE INDEX CONCURRENTLY",
            def.table.display()
        ));
    }
    out.push(build_step(
        "create-index",
        &def.table,
        &ix,
        format!(
            "Build index {} on {} concurrently",
            ix.name,
            def.table.display()
        ),
    ));
    Ok(out)
}

/// DROP INDEX [CONCURRENTLY] a, b.
pub fn drop(ctx: &Ctx, names: &[QName], if_exists: bool, cascade: bool) -> Result<Out, SqlError> {
    if cascade {
        return Err(ctx.refuse(
            "DROP INDEX ... CASCADE drops whatever depends on the index, unseen",
            "drop the dependent constraints explicitly first, then the index without CASCADE",
        ));
    }
    let mut out = Out::default();
    for n in names {
        let Some(t) = ctx.cat.index_table(n) else {
            if if_exists {
                out.warnings
                    .push(format!("index {} does not exist; skipped", n.display()));
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
            .sql([format!("DROP INDEX CONCURRENTLY IF EXISTS {}", n.sql())])
            .rollback([sqlgen::create_index(&t.name, ix, true)])
            .on(&t.name)
            .touching(n),
        );
    }
    Ok(out)
}

/// REINDEX.
pub fn reindex(ctx: &Ctx, target: ReindexTarget, name: &QName) -> Result<Out, SqlError> {
    let (table, what) = match target {
        ReindexTarget::Index => {
            let t = ctx.cat.index_table(name).ok_or_else(|| {
                ctx.refuse(
                    format!("unknown index {}", name.display()),
                    "check the name",
                )
            })?;
            (t.name.clone(), "INDEX")
        }
        ReindexTarget::Table => (ctx.table(name)?.name.clone(), "TABLE"),
    };
    let mut out = Out::default();
    out.push(
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
        .sql([format!("REINDEX {what} CONCURRENTLY {}", name.sql())])
        .rollback(Vec::<String>::new())
        .needs(12)
        .on(&table),
    );
    Ok(out)
}
