//! What reads the moved column by name and must be re-created on the new column inside the
//! switch-over transaction, before the old column is dropped: row-level-security policies.
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
use crate::sql::SqlError;
use crate::sql::policy::PolicyDef;

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

/// The switch-over's statements that put each policy on the new column.
pub fn recreate(policies: &[Recreated]) -> Vec<String> {
    policies
        .iter()
        .flat_map(|r| {
            [
                sqlgen::drop_policy(&r.before),
                sqlgen::create_policy(&r.after),
            ]
        })
        .collect()
}
