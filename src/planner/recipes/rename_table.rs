//! RENAME TABLE: rename plus an updatable view under the old name in one transaction →
//! gate → drop the view. On a table this change created, a plain rename.

use crate::plan::{Gate, Phase, StepKind};
use crate::planner::kit::{Ctx, Draft, Drafts};
use crate::planner::sqlgen;
use crate::safety::DdlForm;
use crate::sql::{QName, SqlError};

/// Plan `ALTER TABLE old RENAME TO new`.
pub fn plan(ctx: &Ctx, table: &QName, to: &str) -> Result<Drafts, SqlError> {
    let t = ctx.table(table)?;
    let new = table.sibling(to.to_string());
    if ctx.cat().relation_exists(&new) {
        return Err(ctx.refuse(
            format!("relation {} already exists", new.display()),
            "choose another name",
        ));
    }
    if ctx.is_new(table) {
        return Ok(Drafts::one(
            Draft::new(
                "rename-table",
                Phase::Expand,
                StepKind::Ddl,
                DdlForm::RenameTable,
                format!("Rename new table {} to {to}", table.display()),
            )
            .sql([sqlgen::rename_table(table, to)])
            .rollback([sqlgen::rename_table(&new, &table.name)])
            .on(table)
            .touching(&new),
        ));
    }
    let mut out = Drafts::default();
    if !t.triggers.is_empty() {
        out.warn(format!(
            "triggers on {} keep working after the rename, but statements through the compatibility view fire them on the table (view triggers are not created)",
            table.display()
        ));
    }
    out.warn(format!(
        "until the gate, {} is a view over {}: INSERT/UPDATE/DELETE and RETURNING work through it; ON CONFLICT, COPY FROM, LOCK TABLE and TRUNCATE on the old name do not",
        table.display(),
        new.display()
    ));
    let a = out.push(
        Draft::new("rename-with-view", Phase::Expand, StepKind::Ddl, DdlForm::RenameTable, format!("Rename {} to {to} and leave an updatable view under the old name", table.display()))
            .sql([sqlgen::rename_table(table, to), sqlgen::view_over(table, &new)])
            .rollback([
                sqlgen::drop_if_exists("VIEW", table),
                sqlgen::rename_table(&new, &table.name),
            ])
            .note("Both statements run in one transaction, so no query ever sees neither name; the view is automatically updatable.")
            .on(table)
            .touching(&new),
    );
    let g = out.push(
        Draft::new("gate", Phase::Contract, StepKind::Gate, DdlForm::Nothing, format!("Confirm every application instance uses {}", new.display()))
            .after(a)
            .touching(&new)
            .with_gate(Gate {
                text: format!(
                    "Every running instance of every application (and every job, report and migration) now uses the table name `{}` and no longer uses `{}`.",
                    new.display(),
                    table.display()
                ),
                confirm: "confirm".into(),
            }),
    );
    out.push(
        Draft::new(
            "drop-view",
            Phase::Contract,
            StepKind::Ddl,
            DdlForm::View,
            format!("Drop the compatibility view {}", table.display()),
        )
        .sql([sqlgen::drop_if_exists("VIEW", table)])
        .rollback([sqlgen::view_over(table, &new)])
        .after(g)
        .on(table)
        .touching(&new),
    );
    Ok(out)
}

#[cfg(test)]
mod tests {
    use crate::planner::kit::testing;

    #[test]
    fn a_rename_leaves_a_view_until_the_gate() {
        let out = testing::plan(
            "CREATE TABLE t (id bigint PRIMARY KEY);",
            "ALTER TABLE t RENAME TO u;",
            crate::planner::recipes::plan,
        );
        insta::assert_snapshot!(out, @r#"
        0 rename-with-view [expand ddl RenameTable] Rename public.t to u and leave an updatable view under the old name
          do: ALTER TABLE "public"."t" RENAME TO "u"
          do: CREATE VIEW "public"."t" AS SELECT * FROM "public"."u"
          undo: DROP VIEW IF EXISTS "public"."t"
          undo: ALTER TABLE "public"."u" RENAME TO "t"
          on: public.t
        1 gate [contract gate Nothing] Confirm every application instance uses public.u
          after: 0
        2 drop-view [contract ddl View] Drop the compatibility view public.t
          do: DROP VIEW IF EXISTS "public"."t"
          undo: CREATE VIEW "public"."t" AS SELECT * FROM "public"."u"
          on: public.t
          after: 1
        warning: until the gate, public.t is a view over public.u: INSERT/UPDATE/DELETE and RETURNING work through it; ON CONFLICT, COPY FROM, LOCK TABLE and TRUNCATE on the old name do not
        "#);
    }
}
