//! DROP COLUMN / DROP TABLE / TRUNCATE: a gate, then the irreversible step in contract,
//! naming what depends on the object; refused where PostgreSQL would need CASCADE. A NOT
//! NULL column without a default first stops being required (expand), so code that no
//! longer writes it works before the gate.

use crate::catalog::Table;
use crate::plan::{Phase, StepKind};
use crate::planner::kit::{Ctx, Draft, Drafts};
use crate::planner::sqlgen;
use crate::planner::steps::gate;
use crate::safety::DdlForm;
use crate::sql::{QName, SqlError, expr};

fn cascade_refusal(ctx: &Ctx) -> SqlError {
    ctx.refuse(
        "CASCADE drops whatever depends on the object, unseen, and cannot be reviewed",
        "remove CASCADE; bellows names what depends on the object so you can drop it explicitly first",
    )
}

/// ALTER TABLE ... DROP COLUMN.
pub fn column(
    ctx: &Ctx,
    table: &QName,
    name: &str,
    cascade: bool,
    if_exists: bool,
) -> Result<Drafts, SqlError> {
    if cascade {
        return Err(cascade_refusal(ctx));
    }
    let t = ctx.table(table)?;
    let mut out = Drafts::default();
    if t.column(name).is_none() && if_exists {
        out.warn(format!(
            "column {}.{name} does not exist; skipped",
            table.display()
        ));
        return Ok(out);
    }
    ctx.column(t, name)?;
    if t.primary_key_columns().iter().any(|c| c == name) {
        return Err(ctx.refuse(
            format!("{}.{name} is part of the primary key", table.display()),
            "change the primary key first",
        ));
    }
    let deps = ctx.cat().column_deps(table, name);
    let mut blockers = Vec::new();
    blockers.extend(deps.views.iter().map(|v| format!("view {}", v.display())));
    blockers.extend(
        deps.referencing_fks
            .iter()
            .filter(|(t2, _)| t2 != table)
            .map(|(t2, c)| format!("foreign key {} on {}", c.name, t2.display())),
    );
    blockers.extend(
        deps.generated_columns
            .iter()
            .map(|c| format!("generated column {c}")),
    );
    if !deps.policies.is_empty() {
        let first: Vec<String> = deps
            .policies
            .iter()
            .map(|p| format!("`{};`", sqlgen::drop_policy(p)))
            .collect();
        return Err(ctx.refuse(
            format!(
                "{}.{name} is read by row-level-security {} {}, and PostgreSQL refuses to drop a column a policy uses",
                table.display(),
                if first.len() == 1 { "policy" } else { "policies" },
                deps.policies.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ")
            ),
            format!(
                "write {} before this statement in the change file (and a CREATE POLICY that does not read {name} after it, if the rows must stay guarded); bellows plans them together",
                first.join(" and ")
            ),
        ));
    }
    if !blockers.is_empty() {
        return Err(ctx.refuse(
            format!("{}.{name} is used by {}", table.display(), blockers.join(", ")),
            "drop or change those first (each in its own planned change); bellows never drops dependents silently",
        ));
    }
    let goes_with: Vec<String> = deps
        .describe()
        .into_iter()
        .filter(|d| !d.starts_with("view") && !d.starts_with("foreign key"))
        .collect();
    if !goes_with.is_empty() {
        out.warn(format!(
            "dropping {}.{name} also drops {}",
            table.display(),
            goes_with.join(", ")
        ));
    }
    let window = not_required(ctx, t, name)?.map(|d| out.push(d));
    let mentions = ctx.cat().function_mentions(table, name);
    if let Some(w) = gate::functions_warning(table, name, &mentions) {
        out.warn(w);
    }
    let g = out.push(gate::before_data_loss(
        format!("No running code reads or writes {}.{name}", table.display()),
        format!(
            "No running instance of any application, job or report reads or writes the column `{name}` of `{}` (deploy the code that stopped using it first). Its data will be deleted.{}",
            table.display(),
            gate::functions_to_change(name, None, &mentions)
        ),
        &table.name,
        table,
    ).after_opt(window));
    let mut d = Draft::new(
        "drop-column",
        Phase::Contract,
        StepKind::Ddl,
        DdlForm::DropColumn,
        format!("Drop column {}.{name}", table.display()),
    )
    .sql([sqlgen::drop_column(table, name)])
    .irreversible(format!("the data in {}.{name} is deleted", table.display()))
    .after(g)
    .on(table);
    if !goes_with.is_empty() {
        d = d.note(format!("Also drops {}.", goes_with.join(", ")));
    }
    out.push(d);
    Ok(out)
}

/// For a NOT NULL column without a default: the expand step after which an INSERT that
/// leaves the column out works (new code stops writing it before the gate). With a
/// `-- bellows:fill` or `-- bellows:down` value, a default; otherwise DROP NOT NULL, undone
/// by a check for rows written with NULL meanwhile (stopping before any change) and SET NOT
/// NULL.
fn not_required(ctx: &Ctx, t: &Table, name: &str) -> Result<Option<Draft>, SqlError> {
    let table = &t.name;
    let c = ctx.column(t, name)?;
    if !c.not_null || c.default.is_some() || c.identity.is_some() || c.generated.is_some() {
        return Ok(None);
    }
    let d = &ctx.st.directives;
    let value = match (&d.fill, &d.down) {
        (Some(_), Some(_)) => {
            return Err(ctx.refuse(
                "both `-- bellows:fill` and `-- bellows:down` give the value for rows written without the column",
                "keep one of them",
            ));
        }
        (Some(v), None) | (None, Some(v)) => Some(v.clone()),
        (None, None) => None,
    };
    let Some(value) = value else {
        let key = t.batch_key();
        return Ok(Some(
            Draft::new(
                "allow-null",
                Phase::Expand,
                StepKind::Ddl,
                DdlForm::DropNotNull,
                format!("Allow NULL in {}.{name} until it is dropped", table.display()),
            )
            .sql([sqlgen::drop_not_null(table, name)])
            .rollback(sqlgen::restore_not_null(table, name, &key))
            .note("Code that no longer writes the column can insert before the gate. Rolling back first looks for rows written with NULL meanwhile and, if there are any, stops without a change, naming them (give them a value, or roll forward); otherwise SET NOT NULL, which reads the table under ACCESS EXCLUSIVE. Give `-- bellows:fill <value>` to keep NOT NULL and set a default instead.")
            .on(table),
        ));
    };
    if t.columns
        .iter()
        .any(|col| expr::mentions_column(&value, &col.name))
    {
        return Err(ctx.refuse(
            format!("the value for {}.{name} reads other columns, and a default cannot", table.display()),
            "give a constant or a function call (`-- bellows:fill <value>`), or no value: the column then allows NULL until it is dropped",
        ));
    }
    Ok(Some(
        Draft::new(
            "default-until-drop",
            Phase::Expand,
            StepKind::Ddl,
            DdlForm::SetDefault,
            format!("Default {}.{name} to {value} until it is dropped", table.display()),
        )
        .sql([sqlgen::set_default(table, name, &value)])
        .rollback([sqlgen::drop_default(table, name)])
        .note("Code that no longer writes the column can insert before the gate; the column stays NOT NULL.")
        .on(table),
    ))
}

/// DROP TABLE.
pub fn tables(
    ctx: &Ctx,
    names: &[QName],
    cascade: bool,
    if_exists: bool,
) -> Result<Drafts, SqlError> {
    if cascade {
        return Err(cascade_refusal(ctx));
    }
    let mut out = Drafts::default();
    let mut present: Vec<QName> = Vec::new();
    for n in names {
        if if_exists && ctx.cat().table(n).is_none() {
            out.warn(format!("table {} does not exist; skipped", n.display()));
            continue;
        }
        ctx.table(n)?;
        let mut blockers: Vec<String> = ctx
            .cat()
            .fks_referencing(n)
            .into_iter()
            .filter(|(t, _)| !names.contains(t))
            .map(|(t, c)| format!("foreign key {} on {}", c.name, t.display()))
            .collect();
        blockers.extend(
            ctx.cat()
                .views_on(n)
                .into_iter()
                .map(|v| format!("view {}", v.display())),
        );
        if !blockers.is_empty() {
            return Err(ctx.refuse(
                format!("{} is used by {}", n.display(), blockers.join(", ")),
                "drop those first; bellows never drops dependents silently",
            ));
        }
        present.push(n.clone());
    }
    if present.is_empty() {
        return Ok(out);
    }
    let list = present
        .iter()
        .map(|n| n.display())
        .collect::<Vec<_>>()
        .join(", ");
    let quoted = present
        .iter()
        .map(|n| format!("`{}`", n.display()))
        .collect::<Vec<_>>()
        .join(", ");
    let mut g = gate::before_data_loss(
        format!("No running code uses {list}"),
        format!(
            "No running instance of any application, job or report reads or writes {quoted}. The table(s) and all their rows will be deleted."
        ),
        &present[0].name,
        &present[0],
    );
    for n in &present[1..] {
        g = g.touching(n);
    }
    let g = out.push(g);
    let mut d = Draft::new(
        "drop-table",
        Phase::Contract,
        StepKind::Ddl,
        DdlForm::DropTable,
        format!("Drop {list}"),
    )
    .sql([sqlgen::drop_tables(&present)])
    .irreversible(format!(
        "{list} and their rows are deleted; only a restore from backup brings them back"
    ))
    .after(g);
    for n in &present {
        d = d.on(n).dropping(n);
    }
    out.push(d);
    Ok(out)
}

/// TRUNCATE.
pub fn truncate(ctx: &Ctx, tables: &[QName]) -> Result<Drafts, SqlError> {
    let mut out = Drafts::default();
    for n in tables {
        ctx.table(n)?;
        let refs: Vec<String> = ctx
            .cat()
            .fks_referencing(n)
            .into_iter()
            .filter(|(t, _)| !tables.contains(t))
            .map(|(t, c)| format!("foreign key {} on {}", c.name, t.display()))
            .collect();
        if !refs.is_empty() {
            return Err(ctx.refuse(
                format!(
                    "{} is referenced by {}, so PostgreSQL refuses to truncate it alone",
                    n.display(),
                    refs.join(", ")
                ),
                "truncate the referencing tables in the same statement, or delete their rows first",
            ));
        }
    }
    // One statement for all tables: PostgreSQL truncates tables that reference each other
    // only together.
    let list = tables
        .iter()
        .map(|n| n.display())
        .collect::<Vec<_>>()
        .join(", ");
    let mut g = gate::before_data_loss(
        format!("Every row of {list} may be deleted"),
        format!(
            "Every row of {} may be deleted now.",
            tables
                .iter()
                .map(|n| format!("`{}`", n.display()))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        &tables[0].name,
        &tables[0],
    );
    for n in &tables[1..] {
        g = g.touching(n);
    }
    let g = out.push(g);
    let mut d = Draft::new(
        "truncate",
        Phase::Contract,
        StepKind::Ddl,
        DdlForm::Truncate,
        format!("Truncate {list}"),
    )
    .sql([sqlgen::truncate(tables)])
    .irreversible(format!("every row of {list} is deleted"))
    .after(g);
    for n in tables {
        d = d.on(n);
    }
    out.push(d);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use crate::planner::kit::testing;

    #[test]
    fn a_column_is_dropped_after_a_gate() {
        let out = testing::plan(
            "CREATE TABLE t (id bigint PRIMARY KEY, a text);\nCREATE INDEX t_a_idx ON t (a);",
            "ALTER TABLE t DROP COLUMN a;",
            crate::planner::recipes::plan,
        );
        insta::assert_snapshot!(out, @r#"
        0 gate [contract gate Nothing] No running code reads or writes public.t.a
        1 drop-column [contract ddl DropColumn] Drop column public.t.a
          do: ALTER TABLE "public"."t" DROP COLUMN "a"
          irreversible: the data in public.t.a is deleted
          on: public.t
          after: 0
        warning: dropping public.t.a also drops index t_a_idx
        "#);
    }

    #[test]
    fn a_required_column_stops_being_required_in_expand() {
        let out = testing::plan(
            "CREATE TABLE t (id bigint PRIMARY KEY, a text NOT NULL);",
            "ALTER TABLE t DROP COLUMN a;",
            crate::planner::recipes::plan,
        );
        insta::assert_snapshot!(out, @r#"
        0 allow-null [expand ddl DropNotNull] Allow NULL in public.t.a until it is dropped
          do: ALTER TABLE "public"."t" ALTER COLUMN "a" DROP NOT NULL
          undo: DO $bellows$
                DECLARE
                  found text;
                BEGIN
                  SELECT string_agg('(' || k || ')', ', ') INTO found
                  FROM (SELECT concat_ws(', ', "id"::text) AS k FROM "public"."t" WHERE "a" IS NULL LIMIT 5) d;
                  IF found IS NOT NULL THEN
                    RAISE EXCEPTION USING ERRCODE = 'not_null_violation', MESSAGE = 'public.t.a has NULLs written while the plan allowed them, so NOT NULL cannot be put back', DETAIL = 'rows with (id) = ' || found, HINT = 'give those rows a value (UPDATE "public"."t" SET "a" = ... WHERE "a" IS NULL) and roll back again; or roll forward instead: nothing was changed by this step';
                  END IF;
                END
                $bellows$
          undo: ALTER TABLE "public"."t" ALTER COLUMN "a" SET NOT NULL
          on: public.t
        1 gate [contract gate Nothing] No running code reads or writes public.t.a
          after: 0
        2 drop-column [contract ddl DropColumn] Drop column public.t.a
          do: ALTER TABLE "public"."t" DROP COLUMN "a"
          irreversible: the data in public.t.a is deleted
          on: public.t
          after: 1
        "#);
    }

    #[test]
    fn a_fill_keeps_not_null_with_a_default_until_the_drop() {
        let out = testing::plan(
            "CREATE TABLE t (id bigint PRIMARY KEY, a text NOT NULL);",
            "-- bellows:fill ''\nALTER TABLE t DROP COLUMN a;",
            crate::planner::recipes::plan,
        );
        insta::assert_snapshot!(out, @r#"
        0 default-until-drop [expand ddl SetDefault] Default public.t.a to '' until it is dropped
          do: ALTER TABLE "public"."t" ALTER COLUMN "a" SET DEFAULT ''
          undo: ALTER TABLE "public"."t" ALTER COLUMN "a" DROP DEFAULT
          on: public.t
        1 gate [contract gate Nothing] No running code reads or writes public.t.a
          after: 0
        2 drop-column [contract ddl DropColumn] Drop column public.t.a
          do: ALTER TABLE "public"."t" DROP COLUMN "a"
          irreversible: the data in public.t.a is deleted
          on: public.t
          after: 1
        "#);
        let err = testing::plan(
            "CREATE TABLE t (id bigint PRIMARY KEY, a text NOT NULL, b text);",
            "-- bellows:fill b\nALTER TABLE t DROP COLUMN a;",
            crate::planner::recipes::plan,
        );
        assert!(err.contains("reads other columns"), "{err}");
    }
}
