//! GRANT and REVOKE of table and sequence privileges. A grant only adds, so it comes in expand, undone by
//! revoking just what it added. A revoke can break running code that still needs the
//! privilege, so it comes after a gate in contract, undone by granting back what was held.

use std::collections::BTreeSet;

use crate::plan::{Phase, StepKind};
use crate::planner::kit::{Ctx, Draft, Drafts};
use crate::planner::sqlgen::annotate as sg;
use crate::planner::steps::gate;
use crate::safety::DdlForm;
use crate::sql::ddl::GrantOn;
use crate::sql::{QName, SqlError};

/// `GRANT` / `REVOKE` privileges on tables to or from roles.
pub fn plan(
    ctx: &Ctx,
    on: GrantOn,
    tables: &[QName],
    privileges: &[String],
    grantees: &[String],
    revoke: bool,
) -> Result<Drafts, SqlError> {
    let mut undo = Vec::new();
    for name in tables {
        let granted = match on {
            GrantOn::Table => ctx.cat().tables.get(name).map(|t| &t.grants),
            GrantOn::Sequence => ctx.cat().sequences.get(name).map(|s| &s.grants),
        };
        let Some(granted) = granted else {
            return Err(ctx.refuse(
                format!("unknown {} {}", on.sql().to_lowercase(), name.display()),
                "check the name against the schema source; bellows plans privileges on tables and sequences it knows (grants on views, schemas and columns are not planned yet: run those on their own)",
            ));
        };
        for g in grantees {
            let held = granted.get(g).cloned().unwrap_or_default();
            // GRANT: take back only what was not held; REVOKE: give back only what was.
            let back: Vec<String> = privileges
                .iter()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .filter(|p| held.contains(*p) == revoke)
                .cloned()
                .collect();
            if !back.is_empty() {
                undo.push(sg::grant(on, name, &back, std::slice::from_ref(g), !revoke));
            }
        }
    }
    let sql: Vec<String> = tables
        .iter()
        .map(|t| sg::grant(on, t, privileges, grantees, revoke))
        .collect();
    let names: Vec<String> = tables.iter().map(QName::display).collect();
    let (verb, to) = if revoke {
        ("Revoke", "from")
    } else {
        ("Grant", "to")
    };
    let mut d = Draft::new(
        if revoke { "revoke" } else { "grant" },
        Phase::Expand,
        StepKind::Ddl,
        DdlForm::Grant,
        format!(
            "{verb} {} on {} {to} {}",
            privileges.join(", "),
            names.join(", "),
            grantees.join(", ")
        ),
    )
    .sql(sql)
    .rollback(undo);
    for t in tables {
        d = d.on(t);
    }
    if !revoke {
        return Ok(Drafts::one(d.note(
            "Only adds privileges; the rollback revokes just the ones this step added, not those held before.",
        )));
    }
    let Some(first) = tables.first() else {
        return Ok(Drafts::nothing("REVOKE names no table; nothing to do"));
    };
    let mut out = Drafts::default();
    let g = out.push(gate::before_data_loss(
        format!("No running code needs {} on {} as {}", privileges.join(", "), names.join(", "), grantees.join(", ")),
        format!(
            "Confirm that no deployed code connecting as {} still needs {} on {}: the privileges are revoked next, and statements that need them fail with permission denied.",
            grantees.join(", "),
            privileges.join(", "),
            names.join(", ")
        ),
        &first.name,
        first,
    ));
    out.push(
        d.in_phase(Phase::Contract)
            .after(g)
            .note("In contract, after the gate: code that still needs the privileges fails at once. The rollback grants back only what was held before."),
    );
    Ok(out)
}

#[cfg(test)]
mod tests {
    use crate::planner::kit::testing::plan;
    use crate::planner::recipes::plan as recipes;

    const SCHEMA: &str = "CREATE TABLE t (id bigint PRIMARY KEY);
        GRANT SELECT ON t TO app;
        CREATE SEQUENCE s;
        GRANT SELECT ON SEQUENCE s TO app;";

    #[test]
    fn a_grant_is_undone_only_for_what_it_added() {
        insta::assert_snapshot!(plan(SCHEMA, "GRANT SELECT, INSERT ON t TO app, reporting;", recipes), @r#"
        0 grant [expand ddl Grant] Grant SELECT, INSERT on public.t to app, reporting
          do: GRANT SELECT, INSERT ON TABLE "public"."t" TO "app", "reporting"
          undo: REVOKE INSERT ON TABLE "public"."t" FROM "app"
          undo: REVOKE INSERT, SELECT ON TABLE "public"."t" FROM "reporting"
          on: public.t
        "#);
    }

    #[test]
    fn a_revoke_waits_for_a_gate_and_gives_back_what_was_held() {
        insta::assert_snapshot!(plan(SCHEMA, "REVOKE SELECT, UPDATE ON t FROM app;", recipes), @r#"
        0 gate [contract gate Nothing] No running code needs SELECT, UPDATE on public.t as app
        1 revoke [contract ddl Grant] Revoke SELECT, UPDATE on public.t from app
          do: REVOKE SELECT, UPDATE ON TABLE "public"."t" FROM "app"
          undo: GRANT SELECT ON TABLE "public"."t" TO "app"
          on: public.t
          after: 0
        "#);
    }

    #[test]
    fn grants_bellows_does_not_model_are_refused() {
        insta::assert_snapshot!(plan(SCHEMA, "GRANT SELECT (id) ON t TO app;", recipes), @"
        refused: bellows plans changes to tables, and `privileges or comments` is not one it plans
        hint: remove it from the change file and run it on its own (it takes only brief catalog locks)
        ");
        insta::assert_snapshot!(plan(SCHEMA, "GRANT SELECT ON v TO app;", recipes), @"
        refused: unknown table public.v
        hint: check the name against the schema source; bellows plans privileges on tables and sequences it knows (grants on views, schemas and columns are not planned yet: run those on their own)
        ");
    }

    #[test]
    fn a_sequence_grant_is_planned_like_a_table_grant() {
        insta::assert_snapshot!(plan(SCHEMA, "GRANT USAGE, SELECT ON SEQUENCE s TO app;", recipes), @r#"
        0 grant [expand ddl Grant] Grant USAGE, SELECT on public.s to app
          do: GRANT USAGE, SELECT ON SEQUENCE "public"."s" TO "app"
          undo: REVOKE USAGE ON SEQUENCE "public"."s" FROM "app"
          on: public.s
        "#);
    }
}
