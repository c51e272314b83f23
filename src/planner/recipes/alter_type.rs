//! ALTER COLUMN TYPE: in place when PostgreSQL need not rewrite; otherwise through a shadow
//! column with conversions both ways, swapped into place in contract.

use crate::plan::{Phase, StepKind};
use crate::planner::kit::{Ctx, Draft, Drafts};
use crate::planner::sqlgen;
use crate::planner::steps::shadow;
use crate::safety::{self, DdlForm};
use crate::sql::{QName, SqlError, quote_ident as q};

/// Families of types whose values convert with a plain cast in both directions.
const FAMILIES: &[&[&str]] = &[
    &[
        "smallint",
        "integer",
        "bigint",
        "numeric",
        "real",
        "double precision",
    ],
    &["text", "character varying", "character"],
    &[
        "timestamp without time zone",
        "timestamp with time zone",
        "date",
    ],
    &["json", "jsonb"],
];

fn base(ty: &str) -> &str {
    let b = ty.split('(').next().unwrap_or(ty).trim();
    if ty.starts_with("timestamp") || ty.starts_with("time ") {
        if ty.contains("with time zone") && !ty.contains("without") {
            return "timestamp with time zone";
        }
        return "timestamp without time zone";
    }
    b
}

/// A reverse conversion that needs no directive, when one is obviously right.
pub fn inferred_down(from: &str, to: &str) -> Option<String> {
    let (a, b) = (base(from), base(to));
    FAMILIES
        .iter()
        .any(|f| f.contains(&a) && f.contains(&b))
        .then(|| from.to_string())
}

/// Plan `ALTER TABLE t ALTER COLUMN c TYPE ty [USING e]`.
pub fn plan(
    ctx: &Ctx,
    table: &QName,
    column: &str,
    ty: &str,
    using: Option<&str>,
) -> Result<Drafts, SqlError> {
    let t = ctx.table(table)?;
    let col = ctx.column(t, column)?.clone();
    if col.ty == ty && using.is_none() {
        return Ok(Drafts::nothing(format!(
            "{}.{column} is already {ty}; nothing to do",
            table.display()
        )));
    }
    let coercible =
        using.is_none() && safety::binary_coercible(&col.ty, ty, ctx.opts.pg_version, false);
    if coercible || ctx.is_new(table) {
        return Ok(in_place(ctx, table, column, &col.ty, ty, using, coercible));
    }
    let down = down_conversion(ctx, table, column, &col.ty, ty, using)?;
    let up = match using {
        Some(u) => u.to_string(),
        None => format!("{}::{ty}", q(column)),
    };
    let mut out = shadow::plan(
        ctx,
        &shadow::Spec {
            table: table.clone(),
            old: column.to_string(),
            new: shadow_name(ctx, table, column),
            new_type: ty.to_string(),
            up,
            down,
            retype: true,
        },
    )?;
    out.warn(format!(
        "prepared statements that return {}.{column} fail once after the swap with `cached plan must not change result type`: drivers that re-prepare on that error (pgjdbc, for one) recover by themselves; otherwise recycle the application's connection pools right after the swap",
        table.display()
    ));
    out.warn(format!(
        "{}.{column} keeps its old type {} until the swap after the gate; deploy code that works with both {} and {ty} before confirming the gate",
        table.display(),
        col.ty,
        col.ty
    ));
    Ok(out)
}

/// One ALTER: binary-coercible (no rewrite), or on a table nobody uses yet.
fn in_place(
    ctx: &Ctx,
    table: &QName,
    column: &str,
    from: &str,
    ty: &str,
    using: Option<&str>,
    coercible: bool,
) -> Drafts {
    let mut out = Drafts::default();
    if ctx.st.directives.down.is_some() {
        out.warn("`-- bellows:down` has no effect here: the type changes in place, with no shadow column to convert back from");
    }
    let (form, how) = if coercible {
        (DdlForm::AlterTypeCoercible, " (no rewrite)")
    } else {
        (DdlForm::AlterTypeRewrite, " (new table)")
    };
    out.push(
        Draft::new(
            "alter-type",
            Phase::Expand,
            StepKind::Ddl,
            form,
            format!(
                "Change {}.{column} from {from} to {ty}{how}",
                table.display()
            ),
        )
        .sql([sqlgen::set_type(table, column, ty, using)])
        .rollback([sqlgen::set_type(table, column, from, None)])
        .on(table),
    );
    out
}

/// The old value from the new one: the `-- bellows:down` directive, or a plain cast back
/// within a family of types, or a refusal that says what to write.
fn down_conversion(
    ctx: &Ctx,
    table: &QName,
    column: &str,
    from: &str,
    ty: &str,
    using: Option<&str>,
) -> Result<String, SqlError> {
    match (&ctx.st.directives.down, inferred_down(from, ty)) {
        (Some(d), _) => Ok(d.clone()),
        (None, Some(back)) if using.is_none() => Ok(format!("{}::{back}", q(column))),
        _ => Err(ctx.refuse(
            format!("no safe way back from {ty} to {from} is known for {}.{column}", table.display()),
            format!(
                "old application code still writes {column} as {from}; add `-- bellows:down <expr>` before the statement, giving the old value from the new one (e.g. `-- bellows:down {column}::{from}`)"
            ),
        )),
    }
}

/// A free name for the shadow column: `<column>_bellows_new`.
fn shadow_name(ctx: &Ctx, table: &QName, column: &str) -> String {
    let t = ctx.cat().table(table);
    crate::catalog::names::choose_own_name(column, "bellows", "new", |n| {
        t.is_some_and(|t| t.column(n).is_some())
    })
}

#[cfg(test)]
mod tests {
    use crate::planner::kit::testing;

    #[test]
    fn a_widening_that_rewrites_goes_through_a_shadow_column() {
        let out = testing::plan(
            "CREATE TABLE t (id bigint PRIMARY KEY, n integer NOT NULL);",
            "ALTER TABLE t ALTER COLUMN n TYPE bigint;",
            crate::planner::recipes::plan,
        );
        insta::assert_snapshot!(out, @r#"
        0 add-column [expand ddl AddColumnNullable] Add column public.t.n_bellows_new bigint
          do: ALTER TABLE "public"."t" ADD COLUMN "n_bellows_new" bigint
          undo: ALTER TABLE "public"."t" DROP COLUMN IF EXISTS "n_bellows_new"
          on: public.t
        1 sync-trigger [dual_write trigger CreateTrigger] Keep n and n_bellows_new in sync with a trigger
          do: CREATE FUNCTION "public"."bellows_sync_t_n_fn"() RETURNS trigger LANGUAGE plpgsql AS $bellows$
              BEGIN
                IF TG_OP = 'INSERT' THEN
                  IF NEW."n_bellows_new" IS NULL THEN
                    NEW."n_bellows_new" := (NEW."n")::BIGINT;
                  ELSE
                    NEW."n" := (NEW."n_bellows_new")::INTEGER;
                  END IF;
                ELSIF NEW."n_bellows_new" IS DISTINCT FROM OLD."n_bellows_new" THEN
                  NEW."n" := (NEW."n_bellows_new")::INTEGER;
                ELSIF NEW."n" IS DISTINCT FROM OLD."n" THEN
                  NEW."n_bellows_new" := (NEW."n")::BIGINT;
                END IF;
                RETURN NEW;
              END
              $bellows$
          do: CREATE TRIGGER "bellows_sync_n_ins" BEFORE INSERT ON "public"."t" FOR EACH ROW EXECUTE FUNCTION "public"."bellows_sync_t_n_fn"()
          do: CREATE TRIGGER "bellows_sync_n_upd" BEFORE UPDATE ON "public"."t" FOR EACH ROW WHEN ((NEW."n_bellows_new" IS DISTINCT FROM OLD."n_bellows_new" OR NEW."n" IS DISTINCT FROM OLD."n") AND current_setting('bellows.backfill', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION "public"."bellows_sync_t_n_fn"()
          undo: DROP TRIGGER IF EXISTS "bellows_sync_n_ins" ON "public"."t"
          undo: DROP TRIGGER IF EXISTS "bellows_sync_n_upd" ON "public"."t"
          undo: DROP FUNCTION IF EXISTS "public"."bellows_sync_t_n_fn"()
          on: public.t
          after: 0
        2 backfill [backfill backfill BatchUpdate] Backfill public.t.n_bellows_new from n
          do: UPDATE "public"."t" SET "n_bellows_new" = ("n")::BIGINT WHERE ("id") > ($1) AND ("id") <= ($2) AND ("n_bellows_new" IS DISTINCT FROM ("n")::BIGINT)
          on: public.t
          after: 1
        3 verify [backfill verify Read] Verify every row has n_bellows_new equal to the converted old value
          do: SELECT "id" FROM "public"."t" WHERE ("id") > ($1) AND ("id") <= ($2) AND ("n_bellows_new" IS DISTINCT FROM ("n")::BIGINT OR "n" IS DISTINCT FROM ("n_bellows_new")::INTEGER) ORDER BY "id" LIMIT 10
          on: public.t
          after: 2
        4 check-n_bellows_new-not-null [backfill ddl AddCheckNotValid] Add CHECK (n_bellows_new IS NOT NULL) NOT VALID on public.t
          do: ALTER TABLE "public"."t" ADD CONSTRAINT "t_n_bellows_new_not_null" CHECK ("n_bellows_new" IS NOT NULL) NOT VALID
          undo: ALTER TABLE "public"."t" DROP CONSTRAINT IF EXISTS "t_n_bellows_new_not_null"
          on: public.t
          after: 3
        5 validate-n_bellows_new-not-null [backfill ddl ValidateConstraint] Validate that public.t.n_bellows_new has no NULL
          do: ALTER TABLE "public"."t" VALIDATE CONSTRAINT "t_n_bellows_new_not_null"
          on: public.t
          after: 4
        6 set-n_bellows_new-not-null [backfill ddl SetNotNullProven] SET NOT NULL on public.t.n_bellows_new (proven by the check), drop the check
          do: ALTER TABLE "public"."t" ALTER COLUMN "n_bellows_new" SET NOT NULL
          do: ALTER TABLE "public"."t" DROP CONSTRAINT IF EXISTS "t_n_bellows_new_not_null"
          undo: ALTER TABLE "public"."t" ADD CONSTRAINT "t_n_bellows_new_not_null" CHECK ("n_bellows_new" IS NOT NULL) NOT VALID
          undo: ALTER TABLE "public"."t" ALTER COLUMN "n_bellows_new" DROP NOT NULL
          on: public.t
          after: 5
        7 gate [contract gate Nothing] Confirm the application works with public.t.n as bigint
          after: 3, 6
        8 swap [contract ddl DropTrigger] Swap n_bellows_new into place as public.t.n
          do: DROP TRIGGER IF EXISTS "bellows_sync_n_ins" ON "public"."t"
          do: DROP TRIGGER IF EXISTS "bellows_sync_n_upd" ON "public"."t"
          do: DROP FUNCTION IF EXISTS "public"."bellows_sync_t_n_fn"()
          do: ALTER TABLE "public"."t" ALTER COLUMN "n" DROP NOT NULL
          do: ALTER TABLE "public"."t" RENAME COLUMN "n" TO "n_bellows_old"
          do: ALTER TABLE "public"."t" RENAME COLUMN "n_bellows_new" TO "n"
          irreversible: the sync trigger is gone and the application no longer writes the old column; roll forward, or restore from the earlier phases' rollbacks before this gate
          on: public.t
          after: 7
        9 drop-old-column [contract ddl DropColumn] Drop the old column public.t.n_bellows_old
          do: ALTER TABLE "public"."t" DROP COLUMN "n_bellows_old"
          irreversible: the old column n_bellows_old and its data are deleted (the data lives on in n)
          on: public.t
          after: 8
        warning: the sync trigger on public.t adds work to every INSERT and UPDATE until the contract phase (write amplification)
        warning: prepared statements that return public.t.n fail once after the swap with `cached plan must not change result type`: drivers that re-prepare on that error (pgjdbc, for one) recover by themselves; otherwise recycle the application's connection pools right after the swap
        warning: public.t.n keeps its old type integer until the swap after the gate; deploy code that works with both integer and bigint before confirming the gate
        "#);
    }

    #[test]
    fn a_binary_coercible_change_is_one_step() {
        let out = testing::plan(
            "CREATE TABLE t (id bigint PRIMARY KEY, s varchar(10));",
            "ALTER TABLE t ALTER COLUMN s TYPE varchar(20);",
            crate::planner::recipes::plan,
        );
        insta::assert_snapshot!(out, @r#"
        0 alter-type [expand ddl AlterTypeCoercible] Change public.t.s from character varying(10) to character varying(20) (no rewrite)
          do: ALTER TABLE "public"."t" ALTER COLUMN "s" TYPE character varying(20)
          undo: ALTER TABLE "public"."t" ALTER COLUMN "s" TYPE character varying(10)
          on: public.t
        "#);
    }
}
