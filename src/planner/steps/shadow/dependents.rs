//! What reads the moved column by name and must be re-created on the new column inside the
//! switch-over transaction, before the old column is dropped: row-level-security policies
//! and the views a rename replaces in place. A statement at the end of that transaction fails it (nothing changes) if any
//! view, rule or policy still reads the old column.
//!
//! A policy is bound to the column it was created on (by attribute number), so a rename
//! or a swap leaves it reading the old column; dropping that column would then fail, and
//! rows written without it would be judged on a column nobody writes. Each such policy is
//! dropped and created again, same name, kind, command and roles, with its expressions
//! reading the new column (a rename) or re-read by name after the swap (a type change).

use super::Spec;
use crate::catalog::deps::ColumnDeps;
use crate::planner::kit::Ctx;
use crate::planner::sqlgen;
use crate::sql::policy::PolicyDef;
use crate::sql::view_rewrite::rename_column;
use crate::sql::{QName, SqlError};

/// A policy as it is and as the switch-over re-creates it.
#[derive(Debug, Clone)]
pub struct Recreated {
    /// The policy now.
    pub before: PolicyDef,
    /// The policy after the switch-over.
    pub after: PolicyDef,
}

/// The policies that read the column, each with its re-created form; refused when an
/// expression cannot be rewritten safely.
pub fn policies(ctx: &Ctx, spec: &Spec, deps: &ColumnDeps) -> Result<Vec<Recreated>, SqlError> {
    let mut out = Vec::new();
    for p in &deps.policies {
        // After a type change the new column carries the old name: the text stays.
        let after = if spec.retype {
            Ok(p.clone())
        } else {
            p.renamed(&spec.old, &spec.new)
        };
        match after {
            Ok(after) => out.push(Recreated {
                before: p.clone(),
                after,
            }),
            Err(why) => {
                return Err(ctx.refuse(
                    format!(
                        "{}.{} is read by policy {}, which bellows cannot rewrite onto the new column: {why}",
                        spec.table.display(),
                        spec.old,
                        p.name
                    ),
                    format!(
                        "change the policy so that no subquery in it uses the name {} (a SQL function taking the column as an argument works: `USING (is_member({}))`) and plan again; or drop it before this change (`{};`) and create it on the new column afterwards",
                        spec.old,
                        spec.old,
                        sqlgen::drop_policy(p)
                    ),
                ));
            }
        }
    }
    Ok(out)
}

/// A view read onto the renamed column: `CREATE OR REPLACE VIEW` with the same output
/// names, so its owner, grants, comment and the views built on it stay as they are.
#[derive(Debug, Clone)]
pub struct Replaced {
    /// The view.
    pub name: QName,
    /// The statement that replaces its query.
    pub sql: String,
}

/// The plain views that read a renamed column, each with its replacement; refused when
/// bellows cannot rewrite a query safely. (Under a type change, and for materialized
/// views, they are rebuilt instead: [`super::rebuilt`].)
pub fn views(ctx: &Ctx, spec: &Spec, deps: &ColumnDeps) -> Result<Vec<Replaced>, SqlError> {
    let cat = ctx.cat();
    let col = format!("{}.{}", spec.table.display(), spec.old);
    let mut out = Vec::new();
    if spec.retype {
        return Ok(out);
    }
    for name in &deps.views {
        let Some(v) = cat.views.get(name) else {
            continue;
        };
        if v.materialized {
            continue;
        }
        let by_hand = format!(
            "drop view {} before this change and create it again on the new column after it, each as its own planned change",
            name.display()
        );
        let Some(def) = &v.definition else {
            return Err(ctx.refuse(
                format!(
                    "view {} reads {col}, and bellows does not know its query",
                    name.display()
                ),
                by_hand,
            ));
        };
        let has = |t: &QName, c: &str| cat.tables.get(t).map(|t| t.column(c).is_some());
        let query = rename_column(def, &spec.table, &spec.old, &spec.new, &has).map_err(|why| {
            ctx.refuse(
                format!(
                    "view {} reads {col}, and bellows cannot rewrite its query onto {} safely: {why}",
                    name.display(),
                    spec.new
                ),
                format!("qualify the column with its table in the view (`{}.{}`) and list its columns instead of `*`, or {by_hand}", spec.table.name, spec.old),
            )
        })?;
        out.push(Replaced {
            name: name.clone(),
            sql: sqlgen::replace_view(name, &v.options, &query),
        });
    }
    Ok(out)
}

/// The switch-over's statements that put each policy and view on the new column (`rebuilt`:
/// the views built again), then the check that nothing reads the old one (named `old_now`
/// at that point).
pub fn recreate(
    policies: &[Recreated],
    views: &[Replaced],
    rebuilt: Vec<String>,
    table: &QName,
    old_now: &str,
) -> Vec<String> {
    let mut sql: Vec<String> = policies
        .iter()
        .flat_map(|r| {
            [
                sqlgen::drop_policy(&r.before),
                sqlgen::create_policy(&r.after),
            ]
        })
        .collect();
    sql.extend(views.iter().map(|v| v.sql.clone()));
    sql.extend(rebuilt);
    if !sql.is_empty() {
        sql.push(sqlgen::assert_column_unread(table, old_now));
    }
    sql
}
