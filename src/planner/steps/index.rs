//! A concurrent index build as one step, undone by a concurrent drop.

use crate::catalog::Index;
use crate::catalog::apply::plain_key;
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

/// A plain b-tree index on `columns`, named `name`.
pub fn btree(name: &str, unique: bool, columns: &[String]) -> Index {
    Index {
        name: name.to_string(),
        unique,
        method: "btree".into(),
        keys: columns.iter().map(|c| plain_key(c)).collect(),
        include: Vec::new(),
        predicate: None,
        valid: true,
        constraint: None,
    }
}
