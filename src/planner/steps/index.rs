//! A concurrent index build as one step, undone by a concurrent drop; a unique build goes
//! after a duplicate pre-check ([`push`]).

use crate::catalog::apply::plain_key;
use crate::catalog::{Index, Table};
use crate::plan::{Phase, StepKind};
use crate::planner::kit::{Draft, Drafts};
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

/// Push `build` (made by [`build`] for `ix` on `table`); a unique index is preceded by a
/// duplicate pre-check with the same dependencies and phase. Returns the build's index.
///
/// The pre-check is one read, not key-range batches: a duplicate pair can lie in any two
/// batches, and the batching rules are about writes (row locks, bloat), which a read does
/// not take. It holds ACCESS SHARE only, which blocks no reader or writer, and costs one
/// scan, as the build after it does.
pub fn push(out: &mut Drafts, build: Draft, table: &QName, ix: &Index) -> usize {
    if !ix.unique {
        return out.push(build);
    }
    let check = Draft::new(
        format!("{}-no-duplicates", build.slug),
        build.phase,
        StepKind::DdlConcurrent,
        DdlForm::Read,
        format!(
            "Check that no two rows of {} share a key of {}",
            table.display(),
            ix.name
        ),
    )
    .sql([sqlgen::duplicate_check(table, ix)])
    .note("One read outside a transaction and without a statement timeout: a duplicate pair can lie anywhere in the table, so key-range batches cannot find it. On a duplicate it stops with the first keys (DETAIL) before the build is started; nothing is changed.")
    .after_all(build.after.clone())
    .on(table);
    let c = out.push(check);
    out.push(build.after(c))
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
        comment: None,
    }
}
