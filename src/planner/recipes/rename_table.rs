//! RENAME TABLE: rename plus an updatable view under the old name in one transaction →
//! gate → drop the view. On a table this change created, a plain rename.

use crate::catalog::Table;
use crate::plan::{Gate, Phase, StepKind};
use crate::planner::kit::{Ctx, Draft, Drafts};
use crate::planner::sqlgen;
use crate::planner::steps::gate;
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
    let invoker = ctx.opts.pg_version >= 15;
    if t.row_security && !invoker {
        return Err(ctx.refuse(
            format!(
                "{} has row-level security, and before PostgreSQL 15 a compatibility view cannot apply it (the view would read every row with its owner's rights)",
                table.display()
            ),
            "rename it on PostgreSQL 15 or later (views with security_invoker), or deploy the new name before renaming",
        ));
    }
    let view = compat_view(table, &new, t, invoker);
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
            .sql(std::iter::once(sqlgen::rename_table(table, to)).chain(view.iter().cloned()))
            .rollback([
                sqlgen::drop_if_exists("VIEW", table),
                sqlgen::rename_table(&new, &table.name),
            ])
            .note("The statements run in one transaction, so no query ever sees neither name; the view is automatically updatable, checks each reader's own privileges and row-level security (security_invoker, PostgreSQL 15+), and carries exactly the table's grants.")
            .on(table)
            .touching(&new),
    );
    let mentions = ctx.cat().function_mentions(table, &table.name);
    if let Some(w) = gate::functions_warning(table, &table.name, &mentions) {
        out.warn(w);
    }
    let g = out.push(
        Draft::new("gate", Phase::Contract, StepKind::Gate, DdlForm::Nothing, format!("Confirm every application instance uses {}", new.display()))
            .after(a)
            .touching(&new)
            .with_gate(Gate {
                text: format!(
                    "Every running instance of every application (and every job, report and migration) now uses the table name `{}` and no longer uses `{}`.{}",
                    new.display(),
                    table.display(),
                    gate::functions_to_change(&table.name, Some(&new.name), &mentions)
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
        .rollback(view)
        .after(g)
        .on(table)
        .touching(&new),
    );
    Ok(out)
}

/// The compatibility view under the old name: the reader's own rights and row-level
/// security (`security_invoker`, PostgreSQL 15+), and exactly the table's grants of the
/// privileges that mean something on a view.
fn compat_view(table: &QName, new: &QName, t: &Table, invoker: bool) -> Vec<String> {
    let mut sql = vec![sqlgen::view_over(table, new, invoker)];
    for (grantee, held) in &t.grants {
        let privileges: Vec<&str> = ["SELECT", "INSERT", "UPDATE", "DELETE"]
            .into_iter()
            .filter(|p| held.contains(*p))
            .collect();
        if !privileges.is_empty() {
            sql.push(sqlgen::grant(&privileges, table, grantee));
        }
    }
    sql
}

#[cfg(test)]
mod tests {
    use crate::planner::kit::testing;

    #[test]
    fn the_view_applies_the_readers_rights_and_carries_the_grants() {
        let out = testing::plan(
            "CREATE TABLE t (id bigint PRIMARY KEY, owner_name text);\nALTER TABLE t ENABLE ROW LEVEL SECURITY;\nGRANT SELECT, UPDATE, TRUNCATE ON t TO app;\nGRANT SELECT ON t TO PUBLIC;",
            "ALTER TABLE t RENAME TO u;",
            crate::planner::recipes::plan,
        );
        insta::assert_snapshot!(out, @r#"
        0 rename-with-view [expand ddl RenameTable] Rename public.t to u and leave an updatable view under the old name
          do: ALTER TABLE "public"."t" RENAME TO "u"
          do: CREATE VIEW "public"."t" WITH (security_invoker = true) AS SELECT * FROM "public"."u"
          do: GRANT SELECT ON "public"."t" TO PUBLIC
          do: GRANT SELECT, UPDATE ON "public"."t" TO "app"
          undo: DROP VIEW IF EXISTS "public"."t"
          undo: ALTER TABLE "public"."u" RENAME TO "t"
          on: public.t
        1 gate [contract gate Nothing] Confirm every application instance uses public.u
          after: 0
        2 drop-view [contract ddl View] Drop the compatibility view public.t
          do: DROP VIEW IF EXISTS "public"."t"
          undo: CREATE VIEW "public"."t" WITH (security_invoker = true) AS SELECT * FROM "public"."u"
          undo: GRANT SELECT ON "public"."t" TO PUBLIC
          undo: GRANT SELECT, UPDATE ON "public"."t" TO "app"
          on: public.t
          after: 1
        warning: until the gate, public.t is a view over public.u: INSERT/UPDATE/DELETE and RETURNING work through it; ON CONFLICT, COPY FROM, LOCK TABLE and TRUNCATE on the old name do not
        "#);
    }

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
          do: CREATE VIEW "public"."t" WITH (security_invoker = true) AS SELECT * FROM "public"."u"
          undo: DROP VIEW IF EXISTS "public"."t"
          undo: ALTER TABLE "public"."u" RENAME TO "t"
          on: public.t
        1 gate [contract gate Nothing] Confirm every application instance uses public.u
          after: 0
        2 drop-view [contract ddl View] Drop the compatibility view public.t
          do: DROP VIEW IF EXISTS "public"."t"
          undo: CREATE VIEW "public"."t" WITH (security_invoker = true) AS SELECT * FROM "public"."u"
          on: public.t
          after: 1
        warning: until the gate, public.t is a view over public.u: INSERT/UPDATE/DELETE and RETURNING work through it; ON CONFLICT, COPY FROM, LOCK TABLE and TRUNCATE on the old name do not
        "#);
    }
}
