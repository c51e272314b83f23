//! RENAME COLUMN without copying a row (`-- bellows:versioned-views <schema>`): new code runs
//! with `search_path = <schema>, <table's schema>` and sees the table through a view in
//! `<schema>` that already uses the new name; old code keeps using the table. After a gate
//! (every instance runs new code), one transaction renames the column (catalog only) and
//! drops the view, so new code's `search_path` falls through to the table itself.

use crate::catalog::Table;
use crate::plan::{Gate, Phase, StepKind};
use crate::planner::kit::{Ctx, Draft, Drafts};
use crate::planner::sqlgen;
use crate::planner::steps::gate;
use crate::safety::DdlForm;
use crate::sql::{QName, SqlError, quote_ident as q};

/// Plan `ALTER TABLE t RENAME COLUMN from TO to` through a view in `schema`.
pub fn rename_column(
    ctx: &Ctx,
    t: &Table,
    (from, to): (&str, &str),
    schema: &str,
) -> Result<Drafts, SqlError> {
    let table = &t.name;
    let view = QName {
        schema: schema.to_string(),
        name: table.name.clone(),
    };
    refuse_unfit(ctx, t, &view)?;
    let invoker = ctx.opts.pg_version >= 15;
    let select: Vec<String> = t
        .columns
        .iter()
        .map(|c| {
            if c.name == from {
                format!("{} AS {}", q(from), q(to))
            } else {
                q(&c.name)
            }
        })
        .collect();
    let new_schema = !ctx.cat().schemas.contains(schema);
    let mut create = Vec::new();
    if new_schema {
        create.push(format!("CREATE SCHEMA {}", q(schema)));
    }
    let view_sql = view_statements(t, &view, &select, invoker);
    create.extend(view_sql.iter().cloned());
    let mut undo = vec![sqlgen::drop_if_exists("VIEW", &view)];
    if new_schema {
        undo.push(format!("DROP SCHEMA IF EXISTS {}", q(schema)));
    }
    let path = format!("{}, {}", q(schema), q(&table.schema));
    let mut out = Drafts {
        app_search_path: vec![schema.to_string(), table.schema.clone()],
        ..Drafts::default()
    };
    out.warn(format!(
        "versioned views: deploy new code with `SET search_path = {path}` (old code keeps its search_path); nothing is copied, and the column is renamed in place at contract"
    ));
    let a = out.push(
        Draft::new(
            "versioned-view",
            Phase::Expand,
            StepKind::Ddl,
            DdlForm::View,
            format!("Create view {} with {from} named {to}, for new code", view.display()),
        )
        .sql(create)
        .rollback(undo)
        .note(format!(
            "New code runs with search_path {path}: it reads and writes {} through this view, which is automatically updatable, applies each reader's own rights and row-level security (security_invoker, PostgreSQL 15+) and carries exactly the table's grants, plus USAGE on the schema. Old code keeps using {} directly.",
            table.display(),
            table.display()
        ))
        .on(table)
        .creating(&view),
    );
    let mentions = ctx.cat().function_mentions(table, from);
    if let Some(w) = gate::functions_warning(table, from, &mentions) {
        out.warn(w);
    }
    let g = out.push(
        Draft::new("gate", Phase::Contract, StepKind::Gate, DdlForm::Nothing, format!("Confirm every application instance runs new code with search_path {path}"))
            .after(a)
            .touching(table)
            .with_gate(Gate {
                text: format!(
                    "Every running instance of every application (and every job, report and migration) runs the code that uses `{to}`, with `search_path = {path}`, and nothing uses `{}.{from}` any more. The next step renames the column in place.{}",
                    table.display(),
                    gate::functions_to_change(from, Some(to), &mentions)
                ),
                confirm: "confirm".into(),
            }),
    );
    let mut back = vec![sqlgen::rename_column(table, to, from)];
    back.extend(view_sql);
    out.push(
        Draft::new(
            "rename-in-place",
            Phase::Contract,
            StepKind::Ddl,
            DdlForm::RenameColumn,
            format!("Rename {}.{from} to {to} in place and drop the view", table.display()),
        )
        .sql([
            sqlgen::rename_column(table, from, to),
            sqlgen::drop_if_exists("VIEW", &view),
        ])
        .rollback(back)
        .note(format!(
            "One transaction: the rename changes only the catalog, and new code's search_path now finds {} itself, with the new name. Views, indexes, constraints and policies on the table follow the column by its number. Schema {schema} stays for the next change; drop it when no search_path names it.",
            table.display()
        ))
        .after(g)
        .on(table),
    );
    Ok(out)
}

/// Where the view strategy has no safe path.
fn refuse_unfit(ctx: &Ctx, t: &Table, view: &QName) -> Result<(), SqlError> {
    let table = &t.name;
    if view.schema == table.schema {
        return Err(ctx.refuse(
            format!("`-- bellows:versioned-views {}` names the table's own schema", view.schema),
            "name a schema of its own for the new code's views, e.g. `-- bellows:versioned-views app_v2`",
        ));
    }
    if ctx.cat().relation_exists(view) {
        return Err(ctx.refuse(
            format!("{} already exists", view.display()),
            "choose another schema for this change's views",
        ));
    }
    if t.row_security && ctx.opts.pg_version < 15 {
        return Err(ctx.refuse(
            format!("{} has row-level security, and before PostgreSQL 15 a view cannot apply it (it would read every row with its owner's rights)", table.display()),
            "rename it on PostgreSQL 15 or later, or without the directive (the column is copied)",
        ));
    }
    if t.is_partitioned() || t.parent.is_some() {
        return Err(ctx.refuse(
            format!(
                "versioned views over the partitioned {} are not planned yet",
                table.display()
            ),
            "rename it without the directive (the column is copied)",
        ));
    }
    Ok(())
}

/// The view, its grants (the privileges that mean something on a view, as on the table),
/// and USAGE on its schema for the same roles.
fn view_statements(t: &Table, view: &QName, select: &[String], invoker: bool) -> Vec<String> {
    let mut sql = vec![format!(
        "CREATE VIEW {}{} AS SELECT {} FROM {}",
        view.sql(),
        if invoker {
            " WITH (security_invoker = true)"
        } else {
            ""
        },
        select.join(", "),
        t.name.sql()
    )];
    for (grantee, held) in &t.grants {
        let privileges: Vec<&str> = ["SELECT", "INSERT", "UPDATE", "DELETE"]
            .into_iter()
            .filter(|p| held.contains(*p))
            .collect();
        if privileges.is_empty() {
            continue;
        }
        let to = if grantee == "PUBLIC" {
            "PUBLIC".to_string()
        } else {
            q(grantee)
        };
        sql.push(format!("GRANT USAGE ON SCHEMA {} TO {to}", q(&view.schema)));
        sql.push(sqlgen::grant(&privileges, view, grantee));
    }
    sql
}

#[cfg(test)]
mod tests {
    use crate::planner::kit::testing;

    #[test]
    fn a_versioned_rename_copies_nothing_and_renames_in_place_after_the_gate() {
        let out = testing::plan(
            "CREATE TABLE t (id bigint PRIMARY KEY, email text NOT NULL);\nALTER TABLE t ENABLE ROW LEVEL SECURITY;\nGRANT SELECT, INSERT ON t TO app;",
            "-- bellows:versioned-views app_v2\nALTER TABLE t RENAME COLUMN email TO email_address;",
            crate::planner::recipes::plan,
        );
        insta::assert_snapshot!(out, @r#"
        0 versioned-view [expand ddl View] Create view app_v2.t with email named email_address, for new code
          do: CREATE SCHEMA "app_v2"
          do: CREATE VIEW "app_v2"."t" WITH (security_invoker = true) AS SELECT "id", "email" AS "email_address" FROM "public"."t"
          do: GRANT USAGE ON SCHEMA "app_v2" TO "app"
          do: GRANT SELECT, INSERT ON "app_v2"."t" TO "app"
          undo: DROP VIEW IF EXISTS "app_v2"."t"
          undo: DROP SCHEMA IF EXISTS "app_v2"
          on: public.t
        1 gate [contract gate Nothing] Confirm every application instance runs new code with search_path "app_v2", "public"
          after: 0
        2 rename-in-place [contract ddl RenameColumn] Rename public.t.email to email_address in place and drop the view
          do: ALTER TABLE "public"."t" RENAME COLUMN "email" TO "email_address"
          do: DROP VIEW IF EXISTS "app_v2"."t"
          undo: ALTER TABLE "public"."t" RENAME COLUMN "email_address" TO "email"
          undo: CREATE VIEW "app_v2"."t" WITH (security_invoker = true) AS SELECT "id", "email" AS "email_address" FROM "public"."t"
          undo: GRANT USAGE ON SCHEMA "app_v2" TO "app"
          undo: GRANT SELECT, INSERT ON "app_v2"."t" TO "app"
          on: public.t
          after: 1
        warning: versioned views: deploy new code with `SET search_path = "app_v2", "public"` (old code keeps its search_path); nothing is copied, and the column is renamed in place at contract
        "#);
    }
}
