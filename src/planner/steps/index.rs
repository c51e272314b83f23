//! A concurrent index build as one step, undone by a concurrent drop.

use crate::catalog::apply::plain_key;
use crate::catalog::{Index, Table};
use crate::plan::{Phase, StepKind};
use crate::planner::kit::Draft;
use crate::planner::sqlgen;
use crate::safety::DdlForm;
use crate::sql::QName;

/// A concurrent index build as one step.
pub fn build(slug: &str, table: &QName, ix: &Index, summary: String) -> Draft {
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
    .creating(&table.sibling(ix.name.clone()))
}

/// A valid unique index of `t` that backs no constraint and is identical to `want` (keys,
/// INCLUDE, NULLS NOT DISTINCT, storage parameters; b-tree, not partial): a constraint can
/// take it over instead of building another.
pub fn identical_unique<'t>(t: &'t Table, want: &Index) -> Option<&'t Index> {
    t.indexes.values().find(|ix| {
        ix.valid
            && ix.unique
            && ix.constraint.is_none()
            && ix.predicate.is_none()
            && ix.method == want.method
            && ix.keys == want.keys
            && ix.include == want.include
            && ix.nulls_not_distinct == want.nulls_not_distinct
            && ix.with == want.with
    })
}

/// A plain b-tree index on `columns`, named `name`.
pub fn btree(name: &str, unique: bool, columns: &[String]) -> Index {
    Index {
        name: name.to_string(),
        unique,
        method: "btree".into(),
        keys: columns.iter().map(|c| plain_key(c)).collect(),
        include: Vec::new(),
        nulls_not_distinct: false,
        with: Vec::new(),
        predicate: None,
        valid: true,
        constraint: None,
    }
}
