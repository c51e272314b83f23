//! Views that cannot simply be replaced onto the new column, rebuilt instead:
//!
//! - under a type change, the views that read the column and every view built on them are
//!   dropped (last built first) and created again in the switch-over, after the swap, from
//!   their own query (the new column carries the old name), each with its options;
//! - a materialized view that reads the column (rename or type change) is built beside the
//!   old one with its indexes after the backfill (`<name>_bellows_next`, reading the new
//!   column, filled when the old one holds data), and the switch-over drops the old one and gives the new one and its indexes
//!   the old names.
//!
//! What a `CREATE` does not say (owner, grants, comments, triggers, rules) is kept across the
//! drop by [`sqlgen::keep`] and checked to be the same before the transaction commits.

use super::Spec;
use crate::catalog::deps::ColumnDeps;
use crate::catalog::{Catalog, View, names};
use crate::plan::{Phase, StepKind};
use crate::planner::kit::{Ctx, Draft, Drafts};
use crate::planner::sqlgen;
use crate::safety::DdlForm;
use crate::sql::view_rewrite::{self, rename_column};
use crate::sql::{QName, SqlError};

/// A plain view dropped and created again in the switch-over.
#[derive(Debug, Clone)]
pub struct Recreated {
    /// The view.
    pub name: QName,
    /// `CREATE VIEW` with its options and its own query.
    pub create: String,
}

/// A materialized view built beside the old one and swapped in at the switch-over.
#[derive(Debug, Clone)]
pub struct NextMatview {
    /// The materialized view.
    pub name: QName,
    /// The one built beside it.
    pub next: QName,
    /// Its build and its indexes' builds.
    pub build: Vec<String>,
    /// Index names: (temporary, original).
    pub indexes: Vec<(String, String)>,
}

/// Everything rebuilt around one moved column.
#[derive(Debug, Clone, Default)]
pub struct Rebuilt {
    /// Plain views, in the order they are created.
    pub views: Vec<Recreated>,
    /// Materialized views.
    pub matviews: Vec<NextMatview>,
}

impl Rebuilt {
    /// Nothing to rebuild.
    pub fn is_empty(&self) -> bool {
        self.views.is_empty() && self.matviews.is_empty()
    }

    /// Every view dropped and created again, materialized ones last.
    pub fn names(&self) -> Vec<QName> {
        self.kept()
    }

    /// Every view whose owner, grants and comments are kept.
    fn kept(&self) -> Vec<QName> {
        let mut out: Vec<QName> = self.views.iter().map(|v| v.name.clone()).collect();
        out.extend(self.matviews.iter().map(|m| m.name.clone()));
        out
    }

    /// The switch-over's first statements (the views locked before the table, in the order
    /// their readers lock them): keep what the views have, then drop them.
    pub fn take_down(&self) -> Vec<String> {
        if self.is_empty() {
            return Vec::new();
        }
        let mut sql = vec![sqlgen::keep(&self.kept())];
        sql.extend(self.views.iter().rev().map(|v| sqlgen::drop_view(&v.name)));
        sql.extend(self.matviews.iter().map(|m| sqlgen::drop_matview(&m.name)));
        sql
    }

    /// After the column moved: the views created again, the new materialized views under
    /// the old names, what was kept given back and checked.
    pub fn put_back(&self) -> Vec<String> {
        if self.is_empty() {
            return Vec::new();
        }
        let mut sql: Vec<String> = Vec::new();
        for m in &self.matviews {
            sql.push(sqlgen::rename_matview(&m.next, &m.name.name));
            sql.extend(
                m.indexes
                    .iter()
                    .map(|(tmp, original)| sqlgen::rename_index(&m.name.sibling(tmp), original)),
            );
        }
        sql.extend(self.views.iter().map(|v| v.create.clone()));
        sql.push(sqlgen::restore_kept());
        sql.push(sqlgen::check_kept());
        sql
    }
}

/// Is the relation a table with the column? `None` for views and unknown relations.
fn has_column<'c>(cat: &'c Catalog) -> impl Fn(&QName, &str) -> Option<bool> + 'c {
    |t, c| cat.tables.get(t).map(|t| t.column(c).is_some())
}

/// What to rebuild for `spec`, or a refusal naming the view and what to do.
pub fn plan(ctx: &Ctx, spec: &Spec, deps: &ColumnDeps) -> Result<Rebuilt, SqlError> {
    let cat = ctx.cat();
    let col = format!("{}.{}", spec.table.display(), spec.old);
    let by_hand = |v: &View| {
        format!(
            "drop {} {} before this change and create it again after it, each as its own planned change",
            if v.materialized {
                "materialized view"
            } else {
                "view"
            },
            v.name.display()
        )
    };
    // A type change rebuilds every view that reads the column and all built on them; a
    // rename only the materialized views that read it (plain ones are replaced in place).
    let start: Vec<QName> = deps
        .views
        .iter()
        .filter(|v| spec.retype || cat.views.get(*v).is_some_and(|v| v.materialized))
        .cloned()
        .collect();
    let chain = if spec.retype {
        cat.view_chain(&start)
    } else {
        start.clone()
    };
    let mut out = Rebuilt::default();
    for name in &chain {
        let Some(v) = cat.views.get(name) else {
            continue;
        };
        let Some(def) = &v.definition else {
            return Err(ctx.refuse(
                format!(
                    "view {} reads {col}, and bellows does not know its query",
                    name.display()
                ),
                format!(
                    "plan from the live database (--database-url), or {}",
                    by_hand(v)
                ),
            ));
        };
        if !v.materialized {
            let has = |t: &QName, c: &str| {
                has_column(cat)(t, c).or_else(|| cat.views.contains_key(t).then_some(false))
            };
            let query = view_rewrite::qualify(def, &has).map_err(|why| {
                ctx.refuse(
                    format!(
                        "view {} reads {col}, and bellows cannot read its query: {why}",
                        name.display()
                    ),
                    by_hand(v),
                )
            })?;
            out.views.push(Recreated {
                name: name.clone(),
                create: sqlgen::create_view(name, &v.options, &query),
            });
            continue;
        }
        let readers: Vec<String> = cat
            .view_chain(std::slice::from_ref(name))
            .iter()
            .filter(|r| *r != name)
            .map(|r| r.display())
            .collect();
        if !readers.is_empty() {
            return Err(ctx.refuse(
                format!(
                    "materialized view {} reads {col}, and views {} are built on it; bellows rebuilds a materialized view beside the old one only when nothing reads it",
                    name.display(),
                    readers.join(", ")
                ),
                format!("drop {} before this change and create them again after it, each as its own planned change", readers.join(", ")),
            ));
        }
        if !deps.views.contains(name) || v.reads_views.iter().any(|r| chain.contains(r)) {
            return Err(ctx.refuse(
                format!(
                    "materialized view {} is built on a view that reads {col}, and bellows rebuilds a materialized view only when it reads the table itself",
                    name.display()
                ),
                by_hand(v),
            ));
        }
        let has = has_column(cat);
        let query = rename_column(def, &spec.table, &spec.old, &spec.new, &has).map_err(|why| {
            ctx.refuse(
                format!(
                    "materialized view {} reads {col}, and bellows cannot rewrite its query onto {} safely: {why}",
                    name.display(),
                    spec.new
                ),
                format!("qualify the column with its table in the materialized view (`{}.{}`) and list its columns instead of `*`, or {}", spec.table.name, spec.old, by_hand(v)),
            )
        })?;
        out.matviews.push(next_matview(v, &query));
    }
    Ok(out)
}

/// The materialized view built beside `v` with `query`, and its indexes.
fn next_matview(v: &View, query: &str) -> NextMatview {
    let next = v
        .name
        .sibling(names::own_name(&v.name.name, "", "bellows_next"));
    let mut build = vec![
        sqlgen::create_matview(&next, query),
        sqlgen::populate_like(&next, &v.name),
    ];
    let mut indexes = Vec::new();
    for ix in v.indexes.values() {
        let tmp = names::own_name(&ix.name, "", "bellows_next");
        let copy = crate::catalog::Index {
            name: tmp.clone(),
            ..ix.clone()
        };
        build.push(sqlgen::create_index(&next, &copy, false));
        build.extend(sqlgen::index_statistics(&next, &copy));
        indexes.push((tmp, ix.name.clone()));
    }
    NextMatview {
        name: v.name.clone(),
        next,
        build,
        indexes,
    }
}

/// One step per materialized view, after the backfill is verified: build the new one beside
/// the old. Returns the steps the gate waits for.
pub fn build_beside(table: &QName, r: &Rebuilt, out: &mut Drafts, verify: usize) -> Vec<usize> {
    let mut steps = Vec::new();
    for m in &r.matviews {
        steps.push(
            out.push(
                Draft::new(
                    format!("build-{}", m.next.name),
                    Phase::Backfill,
                    StepKind::Ddl,
                    DdlForm::CreateMaterializedView,
                    format!(
                        "Build {} beside {} on the new column, with its indexes",
                        m.next.display(),
                        m.name.display()
                    ),
                )
                .sql(m.build.clone())
                .rollback([sqlgen::drop_if_exists("MATERIALIZED VIEW", &m.next)])
                .note(format!(
                    "Reads {} as a SELECT does (ACCESS SHARE: only ACCESS EXCLUSIVE waits); the indexes are built on the new materialized view, which nobody reads yet. The switch-over puts it in the place of {}: from then on it holds the data as of this build, as a REFRESH run now would, until the next REFRESH (one created WITH NO DATA stays without).",
                    table.display(),
                    m.name.display()
                ))
                .after(verify)
                .on(table)
                .creating(&m.next),
            ),
        );
    }
    steps
}

/// Warn about what the switch-over rebuilds; returns what its note adds (empty when nothing).
pub fn warn(spec: &Spec, r: &Rebuilt, out: &mut Drafts, slug: &str) -> String {
    let col = format!("{}.{}", spec.table.display(), spec.old);
    if !r.views.is_empty() {
        let names: Vec<String> = r.views.iter().map(|v| v.name.display()).collect();
        out.warn(format!(
            "views {} read {col} or are built on views that do: the {slug} drops them and creates them again on the {} column in the same transaction, so their columns that show it change type with it; readers of the views must accept {}",
            names.join(", "),
            spec.new_type,
            spec.new_type
        ));
    }
    if !r.matviews.is_empty() {
        let names: Vec<String> = r.matviews.iter().map(|m| m.name.display()).collect();
        out.warn(format!(
            "materialized views {} read {col}: each is built again beside the old one after the backfill and put in its place by the {slug}; from then on it holds the data as of that build (as after a REFRESH then), until it is refreshed",
            names.join(", ")
        ));
    }
    if r.is_empty() {
        return String::new();
    }
    " The views are dropped and created again first thing (readers lock a view before its table); their owner, grants (with grant options, made again by the roles that made them), column grants, comments, column defaults, triggers and rules are kept in a temporary table and given back, and the transaction fails, changing nothing, unless every view comes back with exactly those and the same indexes.".to_string()
}
