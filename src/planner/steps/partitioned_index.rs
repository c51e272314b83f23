//! An index on a partitioned table, which PostgreSQL cannot build concurrently: the parent's
//! own index `ON ONLY` (no rows, invalid until complete), each partition's index built
//! concurrently, then all of them attached, which makes the parent's index valid. Partitions
//! created meanwhile get the index from PostgreSQL itself.

use crate::catalog::{Catalog, Index, Parent, Table, names};
use crate::plan::{Phase, StepKind};
use crate::planner::kit::{Ctx, Draft, Drafts};
use crate::planner::sqlgen;
use crate::safety::DdlForm;
use crate::sql::{QName, SqlError, source};

use super::index;

/// The partitions of `parent`, by name.
pub fn partitions<'c>(cat: &'c Catalog, parent: &QName) -> Vec<&'c Table> {
    cat.tables
        .values()
        .filter(|t| matches!(&t.parent, Some(Parent::Partition { table, .. }) if table == parent))
        .collect()
}

/// The columns a partition key names (`RANGE (at)` → `at`).
pub fn key_columns(table: &Table) -> Vec<String> {
    let key = table.partition_key.as_deref().unwrap_or_default();
    source::names_in(key)
        .into_iter()
        .map(|n| n.name)
        .filter(|n| !["range", "list", "hash"].contains(&n.as_str()))
        .filter(|n| table.column(n).is_some())
        .collect()
}

/// Plan `ix` on the partitioned table `parent`.
pub fn build(ctx: &Ctx, parent: &Table, ix: &Index) -> Result<Drafts, SqlError> {
    let table = &parent.name;
    if ix.unique {
        let cols: Vec<&str> = ix.keys.iter().filter_map(|k| k.column.as_deref()).collect();
        if let Some(missing) = key_columns(parent)
            .iter()
            .find(|c| !cols.contains(&c.as_str()))
        {
            return Err(ctx.refuse(
                format!(
                    "a unique index on the partitioned table {} must include its partition key column {missing}",
                    table.display()
                ),
                "add the partition key columns to the index, or enforce uniqueness per partition",
            ));
        }
    }
    let parts = partitions(ctx.cat(), table);
    if let Some(sub) = parts.iter().find(|p| p.is_partitioned()) {
        return Err(ctx.refuse(
            format!(
                "{} is itself partitioned; bellows builds indexes on one level of partitions",
                sub.name.display()
            ),
            "plan the index on each sub-partitioned table first, then on this one",
        ));
    }
    let mut out = Drafts::default();
    // A unique index: one duplicate check over the whole partitioned table comes first.
    let own = index::push(
        &mut out,
        Draft::new(
            "create-parent-index",
            Phase::Expand,
            StepKind::Ddl,
            DdlForm::CreateIndexOnOnly,
            format!(
                "Create index {} on the partitioned table {} only (no rows; valid once every partition's index is attached)",
                ix.name,
                table.display()
            ),
        )
        .sql([sqlgen::create_index_on_only(table, ix)])
        .rollback([sqlgen::drop_partitioned_index(&table.sibling(ix.name.clone()))])
        .on(table)
        .creating(&table.sibling(ix.name.clone())),
        table,
        ix,
    );
    let mut taken: Vec<String> = Vec::new();
    let mut children = Vec::new();
    for p in &parts {
        let cols = ix
            .keys
            .iter()
            .map(|k| k.column.clone().unwrap_or_else(|| "expr".into()))
            .collect::<Vec<_>>()
            .join("_");
        let name = names::choose_name(&p.name.name, &cols, "idx", |n| {
            taken.iter().any(|t| t == n) || ctx.cat().relation_exists(&p.name.sibling(n))
        });
        taken.push(name.clone());
        let copy = Index {
            name: name.clone(),
            ..ix.clone()
        };
        let built = out.push(
            index::build(
                &format!("build-index-{}", p.name.name),
                &p.name,
                &copy,
                format!(
                    "Build index {name} on partition {} concurrently",
                    p.name.display()
                ),
            )
            .after(own),
        );
        children.push((p.name.sibling(name), built));
    }
    if children.is_empty() {
        return Ok(out);
    }
    let parent_index = table.sibling(ix.name.clone());
    let mut attach = Draft::new(
        "attach-partition-indexes",
        Phase::Expand,
        StepKind::Ddl,
        DdlForm::AttachPartitionIndex,
        format!(
            "Attach the {} partitions' indexes to {}, which makes it valid",
            children.len(),
            ix.name
        ),
    )
    .sql(
        children
            .iter()
            .map(|(c, _)| sqlgen::attach_index_partition(&parent_index, c)),
    )
    .rollback([sqlgen::drop_partitioned_index(&parent_index)])
    .note("Undone by dropping the partitioned table's index, which drops the attached partitions' indexes with it.")
    .on(table)
    .after_all(children.iter().map(|(_, i)| *i));
    for p in &parts {
        attach = attach.on(&p.name);
    }
    out.push(attach);
    Ok(out)
}
