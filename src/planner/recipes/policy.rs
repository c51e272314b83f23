//! CREATE POLICY and DROP POLICY: one brief step each (ACCESS EXCLUSIVE on the table, catalog
//! only). A new policy comes in expand; a dropped one goes in contract, restored on rollback
//! from the catalog's copy.

use crate::plan::{Phase, StepKind};
use crate::planner::kit::{Ctx, Draft, Drafts};
use crate::planner::sqlgen;
use crate::safety::DdlForm;
use crate::sql::policy::PolicyDef;
use crate::sql::{QName, SqlError};

/// `CREATE POLICY`: the statement as written, undone by dropping the policy.
pub fn create(ctx: &Ctx, p: &PolicyDef) -> Result<Drafts, SqlError> {
    let t = ctx.table(&p.table)?;
    if t.policies.contains_key(&p.name) {
        return Err(ctx.refuse(
            format!("policy {} on {} already exists", p.name, p.table.display()),
            "drop it first in the same change, or choose another name",
        ));
    }
    let mut out = Drafts::default();
    if !t.row_security {
        out.warn(format!(
            "{} does not have row-level security enabled, so the policy {} has no effect until `ALTER TABLE {} ENABLE ROW LEVEL SECURITY`",
            p.table.display(),
            p.name,
            p.table.display()
        ));
    }
    out.push(
        Draft::new(
            "create-policy",
            Phase::Expand,
            StepKind::Ddl,
            DdlForm::DropTrigger,
            format!("Create policy {} on {}", p.name, p.table.display()),
        )
        .sql([ctx.st.text.clone()])
        .rollback([sqlgen::drop_policy(p)])
        .note("CREATE POLICY takes ACCESS EXCLUSIVE on the table for a catalog-only change.")
        .on(&p.table),
    );
    Ok(out)
}

/// `DROP POLICY`: in contract, undone by re-creating the policy as the catalog has it.
pub fn drop(ctx: &Ctx, name: &str, table: &QName, if_exists: bool) -> Result<Drafts, SqlError> {
    if if_exists && ctx.cat().table(table).is_none() {
        return Ok(Drafts::nothing(format!(
            "table {} does not exist; DROP POLICY IF EXISTS does nothing",
            table.display()
        )));
    }
    let t = ctx.table(table)?;
    let Some(p) = t.policies.get(name) else {
        if if_exists {
            return Ok(Drafts::nothing(format!(
                "policy {name} on {} does not exist; skipped",
                table.display()
            )));
        }
        return Err(ctx.refuse(
            format!("unknown policy {name} on {}", table.display()),
            "check the name against the schema source",
        ));
    };
    Ok(Drafts::one(
        Draft::new(
            "drop-policy",
            Phase::Contract,
            StepKind::Ddl,
            DdlForm::DropTrigger,
            format!("Drop policy {name} on {}", table.display()),
        )
        .sql([sqlgen::drop_policy(p)])
        .rollback([sqlgen::create_policy(p)])
        .note("DROP POLICY takes ACCESS EXCLUSIVE on the table for a catalog-only change; with row-level security on, who sees and writes which rows changes at once.")
        .on(table),
    ))
}

#[cfg(test)]
mod tests {
    use crate::planner::kit::testing::plan;

    const SCHEMA: &str = "CREATE TABLE docs (id bigint PRIMARY KEY, owner text, body text);
        ALTER TABLE docs ENABLE ROW LEVEL SECURITY;
        CREATE POLICY own ON docs FOR SELECT TO reader USING (owner = current_user);";

    #[test]
    fn a_dropped_policy_is_restored_on_rollback() {
        insta::assert_snapshot!(plan(SCHEMA, "DROP POLICY own ON docs;", crate::planner::recipes::plan), @r#"
        0 drop-policy [contract ddl DropTrigger] Drop policy own on public.docs
          do: DROP POLICY "own" ON "public"."docs"
          undo: CREATE POLICY "own" ON "public"."docs" AS PERMISSIVE FOR SELECT TO "reader" USING (owner = current_user)
          on: public.docs
        "#);
    }

    #[test]
    fn a_column_a_policy_reads_is_not_dropped() {
        insta::assert_snapshot!(plan(SCHEMA, "ALTER TABLE docs DROP COLUMN owner;", crate::planner::recipes::plan), @r#"
        refused: public.docs.owner is read by row-level-security policy own, and PostgreSQL refuses to drop a column a policy uses
        hint: write `DROP POLICY "own" ON "public"."docs";` before this statement in the change file (and a CREATE POLICY that does not read owner after it, if the rows must stay guarded); bellows plans them together
        "#);
    }

    #[test]
    fn a_policy_dropped_first_lets_its_column_go() {
        insta::assert_snapshot!(plan(SCHEMA, "DROP POLICY own ON docs; ALTER TABLE docs DROP COLUMN owner;", crate::planner::recipes::plan), @r#"
        0 gate [contract gate Nothing] No running code reads or writes public.docs.owner
        1 drop-column [contract ddl DropColumn] Drop column public.docs.owner
          do: ALTER TABLE "public"."docs" DROP COLUMN "owner"
          irreversible: the data in public.docs.owner is deleted
          on: public.docs
          after: 0
        "#);
    }
}
