//! ADD COLUMN: one brief step when PostgreSQL stores the default in the catalog; otherwise a
//! nullable column, a default for new rows, a batched backfill, then the NOT NULL sequence
//! (`backfilled`). Inline constraints are planned by the dispatcher after the column.

mod backfilled;
mod up;

use crate::plan::{Phase, StepKind};
use crate::planner::kit::{Ctx, Draft, Drafts};
use crate::planner::sqlgen;
use crate::planner::steps::fill;
use crate::safety::DdlForm;
use crate::sql::ddl::ColumnDef;
use crate::sql::expr::{self, Volatility, volatility};
use crate::sql::{QName, SqlError};

/// Plan `ALTER TABLE t ADD COLUMN ...` (without its inline constraints).
pub fn plan(
    ctx: &Ctx,
    table: &QName,
    c: &ColumnDef,
    if_not_exists: bool,
) -> Result<Drafts, SqlError> {
    let t = ctx.table(table)?;
    if t.column(&c.name).is_some() {
        if if_not_exists {
            return Ok(Drafts::nothing(format!(
                "column {}.{} exists; skipped",
                table.display(),
                c.name
            )));
        }
        return Err(ctx.refuse(
            format!("column {}.{} already exists", table.display(), c.name),
            "choose another name",
        ));
    }

    // A table nobody uses yet: the statement as written.
    if ctx.is_new(table) {
        return Ok(Drafts::one(
            Draft::new(
                "add-column",
                Phase::Expand,
                StepKind::Ddl,
                DdlForm::AddColumnNullable,
                format!("Add column {}.{} (new table)", table.display(), c.name),
            )
            .sql([ctx.st.text.clone()])
            .rollback([sqlgen::drop_column_if_exists(table, &c.name)])
            .on(table),
        ));
    }

    if let Some(up) = &ctx.st.directives.up {
        return up::plan(ctx, t, c, up);
    }
    let fill = ctx.st.directives.fill.clone();
    let fill_reads_row = fill.as_deref().is_some_and(|f| {
        t.columns
            .iter()
            .any(|col| expr::mentions_column(f, &col.name))
    });
    match classify(c, fill.as_deref(), fill_reads_row) {
        Kind::Catalog { default } => Ok(catalog_only(table, c, default)),
        Kind::Backfill(how) => backfilled::plan(ctx, t, c, &how),
        Kind::NeedsFill => Err(ctx.refuse(
            format!("{}.{} is NOT NULL without a default, so every existing row needs a value", table.display(), c.name),
            "add a DEFAULT, or write `-- bellows:fill <expr>` on the line before the statement to fill existing rows",
        )),
    }
}

/// One catalog-only ADD COLUMN; a NOT NULL column filled by a constant keeps that default
/// until contract (old code inserts without the column until then), then drops it.
fn catalog_only(table: &QName, c: &ColumnDef, default: Option<String>) -> Drafts {
    let mut out = Drafts::default();
    let form = if default.is_some() {
        DdlForm::AddColumnConstantDefault
    } else {
        DdlForm::AddColumnNullable
    };
    let definition = sqlgen::column_definition(&c.name, &c.ty, c.not_null, default.as_deref());
    let add = out.push(
        Draft::new(
            "add-column",
            Phase::Expand,
            StepKind::Ddl,
            form,
            format!("Add column {}.{} {}", table.display(), c.name, c.ty),
        )
        .sql([sqlgen::add_column(table, &definition)])
        .rollback([sqlgen::drop_column_if_exists(table, &c.name)])
        .on(table),
    );
    if let (true, Some(fill), None) = (c.not_null, &default, &c.default) {
        fill::finish(
            &mut out,
            table,
            &c.name,
            add,
            fill::drop_default(table, &c.name, fill),
        );
    }
    out
}

/// How a column that needs its existing rows written is filled.
pub struct Backfill {
    /// The value for existing rows (a generation expression, a volatile default, a fill).
    value: String,
    /// Keep the temporary default for new rows after the backfill.
    keep_default: bool,
    /// Why a plain ADD COLUMN would not do.
    why: String,
    /// New rows get `value` as their default (false when it reads other columns).
    set_default: bool,
}

enum Kind {
    /// One catalog-only ADD COLUMN (nullable, or with a constant default).
    Catalog { default: Option<String> },
    /// Nullable column + default for new rows + backfill (+ NOT NULL).
    Backfill(Backfill),
    /// NOT NULL without default and no fill given.
    NeedsFill,
}

fn backfill(value: &str, keep_default: bool, why: impl Into<String>, set_default: bool) -> Kind {
    Kind::Backfill(Backfill {
        value: value.to_string(),
        keep_default,
        why: why.into(),
        set_default,
    })
}

fn classify(c: &ColumnDef, fill: Option<&str>, fill_reads_row: bool) -> Kind {
    if c.serial || c.identity.is_some() {
        return backfill(
            "",
            true,
            "serial and identity columns would otherwise be filled by a table rewrite",
            true,
        );
    }
    if let Some(g) = &c.generated {
        return backfill(
            g,
            true,
            "a stored generated column would otherwise be computed by a table rewrite",
            true,
        );
    }
    match (&c.default, fill) {
        (Some(d), _) => match volatility(d) {
            Volatility::Constant => Kind::Catalog {
                default: Some(d.clone()),
            },
            Volatility::Volatile(f) => backfill(
                d,
                true,
                format!("the default calls {f}, which differs per row and would rewrite the table"),
                true,
            ),
        },
        (None, _) if !c.not_null => Kind::Catalog { default: None },
        (None, Some(f)) if fill_reads_row => {
            backfill(f, true, "the fill value is computed from each row", false)
        }
        (None, Some(f)) => match volatility(f) {
            Volatility::Constant => Kind::Catalog {
                default: Some(f.to_string()),
            },
            Volatility::Volatile(_) => backfill(f, false, "the fill value differs per row", true),
        },
        (None, None) => Kind::NeedsFill,
    }
}

#[cfg(test)]
mod tests {
    use crate::planner::kit::testing;

    const SCHEMA: &str = "CREATE TABLE t (id bigint PRIMARY KEY, a text);";

    #[test]
    fn a_constant_default_is_one_catalog_step() {
        let out = testing::plan(
            SCHEMA,
            "ALTER TABLE t ADD COLUMN b text NOT NULL DEFAULT 'x';",
            crate::planner::recipes::plan,
        );
        insta::assert_snapshot!(out, @r#"
        0 add-column [expand ddl AddColumnConstantDefault] Add column public.t.b text
          do: ALTER TABLE "public"."t" ADD COLUMN "b" text NOT NULL DEFAULT 'x'
          undo: ALTER TABLE "public"."t" DROP COLUMN IF EXISTS "b"
          on: public.t
        "#);
    }

    #[test]
    fn a_volatile_default_is_backfilled() {
        let out = testing::plan(
            SCHEMA,
            "ALTER TABLE t ADD COLUMN b timestamptz NOT NULL DEFAULT clock_timestamp();",
            crate::planner::recipes::plan,
        );
        insta::assert_snapshot!(out, @r#"
        0 add-column [expand ddl AddColumnNullable] Add column public.t.b as nullable, with its default for new rows
          do: ALTER TABLE "public"."t" ADD COLUMN "b" timestamp with time zone
          do: ALTER TABLE "public"."t" ALTER COLUMN "b" SET DEFAULT clock_timestamp()
          undo: ALTER TABLE "public"."t" DROP COLUMN IF EXISTS "b"
          on: public.t
        1 backfill [backfill backfill BatchUpdate] Backfill public.t.b for existing rows
          do: UPDATE "public"."t" SET "b" = clock_timestamp() WHERE ("id") > ($1) AND ("id") <= ($2) AND ("b" IS NULL)
          on: public.t
          after: 0
        2 verify-b-filled [backfill verify Read] Verify no row of public.t has b NULL
          do: SELECT "id" FROM "public"."t" WHERE ("id") > ($1) AND ("id") <= ($2) AND ("b" IS NULL) ORDER BY "id" LIMIT 10
          on: public.t
          after: 1
        3 check-b-not-null [backfill ddl AddCheckNotValid] Add CHECK (b IS NOT NULL) NOT VALID on public.t
          do: ALTER TABLE "public"."t" ADD CONSTRAINT "t_b_not_null" CHECK ("b" IS NOT NULL) NOT VALID
          undo: ALTER TABLE "public"."t" DROP CONSTRAINT IF EXISTS "t_b_not_null"
          on: public.t
          after: 2
        4 validate-b-not-null [backfill ddl ValidateConstraint] Validate that public.t.b has no NULL
          do: ALTER TABLE "public"."t" VALIDATE CONSTRAINT "t_b_not_null"
          on: public.t
          after: 3
        5 set-b-not-null [backfill ddl SetNotNullProven] SET NOT NULL on public.t.b (proven by the check), drop the check
          do: ALTER TABLE "public"."t" ALTER COLUMN "b" SET NOT NULL
          do: ALTER TABLE "public"."t" DROP CONSTRAINT IF EXISTS "t_b_not_null"
          undo: ALTER TABLE "public"."t" ADD CONSTRAINT "t_b_not_null" CHECK ("b" IS NOT NULL) NOT VALID
          undo: ALTER TABLE "public"."t" ALTER COLUMN "b" DROP NOT NULL
          on: public.t
          after: 4
        "#);
    }

    #[test]
    fn a_constant_fill_default_stays_until_contract() {
        let out = testing::plan(
            SCHEMA,
            "-- bellows:fill 'USD'\nALTER TABLE t ADD COLUMN c char(3) NOT NULL;",
            crate::planner::recipes::plan,
        );
        insta::assert_snapshot!(out, @r#"
        0 add-column [expand ddl AddColumnConstantDefault] Add column public.t.c character(3)
          do: ALTER TABLE "public"."t" ADD COLUMN "c" character(3) NOT NULL DEFAULT 'USD'
          undo: ALTER TABLE "public"."t" DROP COLUMN IF EXISTS "c"
          on: public.t
        1 gate [contract gate Nothing] Confirm every application writes public.t.c itself
          after: 0
        2 drop-fill-default [contract ddl SetDefault] Drop the fill default of public.t.c
          do: ALTER TABLE "public"."t" ALTER COLUMN "c" DROP DEFAULT
          undo: ALTER TABLE "public"."t" ALTER COLUMN "c" SET DEFAULT 'USD'
          on: public.t
          after: 1
        "#);
    }

    #[test]
    fn a_fill_that_reads_the_row_is_a_trigger_until_contract() {
        let out = testing::plan(
            SCHEMA,
            "-- bellows:fill 'x' || a\nALTER TABLE t ADD COLUMN code text NOT NULL;",
            crate::planner::recipes::plan,
        );
        insta::assert_snapshot!(out, @r#"
        0 add-column [expand ddl AddColumnNullable] Add column public.t.code as a plain nullable column
          do: ALTER TABLE "public"."t" ADD COLUMN "code" text
          undo: ALTER TABLE "public"."t" DROP COLUMN IF EXISTS "code"
          on: public.t
        1 fill-trigger [dual_write trigger CreateTrigger] Fill code with 'x' || (NEW."a") on every write that leaves it NULL, until contract
          do: CREATE FUNCTION "public"."bellows_fill_t_code_fn"() RETURNS trigger LANGUAGE plpgsql AS $bellows$
              BEGIN
                NEW."code" := 'x' || (NEW."a");
                RETURN NEW;
              END
              $bellows$
          do: CREATE TRIGGER "bellows_fill_code_trg" BEFORE INSERT OR UPDATE ON "public"."t" FOR EACH ROW WHEN (NEW."code" IS NULL) EXECUTE FUNCTION "public"."bellows_fill_t_code_fn"()
          undo: DROP TRIGGER IF EXISTS "bellows_fill_code_trg" ON "public"."t"
          undo: DROP FUNCTION IF EXISTS "public"."bellows_fill_t_code_fn"()
          on: public.t
          after: 0
        2 backfill [backfill backfill BatchUpdate] Backfill public.t.code for existing rows
          do: UPDATE "public"."t" SET "code" = 'x' || a WHERE ("id") > ($1) AND ("id") <= ($2) AND ("code" IS NULL)
          on: public.t
          after: 1
        3 verify-code-filled [backfill verify Read] Verify no row of public.t has code NULL
          do: SELECT "id" FROM "public"."t" WHERE ("id") > ($1) AND ("id") <= ($2) AND ("code" IS NULL) ORDER BY "id" LIMIT 10
          on: public.t
          after: 2
        4 check-code-not-null [backfill ddl AddCheckNotValid] Add CHECK (code IS NOT NULL) NOT VALID on public.t
          do: ALTER TABLE "public"."t" ADD CONSTRAINT "t_code_not_null" CHECK ("code" IS NOT NULL) NOT VALID
          undo: ALTER TABLE "public"."t" DROP CONSTRAINT IF EXISTS "t_code_not_null"
          on: public.t
          after: 3
        5 validate-code-not-null [backfill ddl ValidateConstraint] Validate that public.t.code has no NULL
          do: ALTER TABLE "public"."t" VALIDATE CONSTRAINT "t_code_not_null"
          on: public.t
          after: 4
        6 set-code-not-null [backfill ddl SetNotNullProven] SET NOT NULL on public.t.code (proven by the check), drop the check
          do: ALTER TABLE "public"."t" ALTER COLUMN "code" SET NOT NULL
          do: ALTER TABLE "public"."t" DROP CONSTRAINT IF EXISTS "t_code_not_null"
          undo: ALTER TABLE "public"."t" ADD CONSTRAINT "t_code_not_null" CHECK ("code" IS NOT NULL) NOT VALID
          undo: ALTER TABLE "public"."t" ALTER COLUMN "code" DROP NOT NULL
          on: public.t
          after: 5
        7 gate [contract gate Nothing] Confirm every application writes public.t.code itself
          after: 6
        8 drop-fill-trigger [contract trigger DropTrigger] Stop filling public.t.code: drop the fill trigger
          do: DROP TRIGGER IF EXISTS "bellows_fill_code_trg" ON "public"."t"
          do: DROP FUNCTION IF EXISTS "public"."bellows_fill_t_code_fn"()
          undo: CREATE FUNCTION "public"."bellows_fill_t_code_fn"() RETURNS trigger LANGUAGE plpgsql AS $bellows$
                BEGIN
                  NEW."code" := 'x' || (NEW."a");
                  RETURN NEW;
                END
                $bellows$
          undo: CREATE TRIGGER "bellows_fill_code_trg" BEFORE INSERT OR UPDATE ON "public"."t" FOR EACH ROW WHEN (NEW."code" IS NULL) EXECUTE FUNCTION "public"."bellows_fill_t_code_fn"()
          on: public.t
          after: 7
        "#);
    }

    #[test]
    fn inline_constraints_follow_the_column() {
        let out = testing::plan(
            SCHEMA,
            "ALTER TABLE t ADD COLUMN p bigint REFERENCES t (id) CHECK (p > 0);",
            crate::planner::recipes::plan,
        );
        insta::assert_snapshot!(out, @r#"
        0 add-column [expand ddl AddColumnNullable] Add column public.t.p bigint
          do: ALTER TABLE "public"."t" ADD COLUMN "p" bigint
          undo: ALTER TABLE "public"."t" DROP COLUMN IF EXISTS "p"
          on: public.t
        1 index-t_p_idx [expand ddl_concurrent CreateIndexConcurrently] Build index t_p_idx on the referencing columns (p) concurrently
          do: CREATE INDEX CONCURRENTLY "t_p_idx" ON "public"."t" USING btree ("p")
          undo: DROP INDEX CONCURRENTLY IF EXISTS "public"."t_p_idx"
          on: public.t
          after: 0
        2 add-fk-t_p_fkey [expand ddl AddForeignKeyNotValid] Add FOREIGN KEY t_p_fkey NOT VALID on public.t → public.t
          do: ALTER TABLE "public"."t" ADD CONSTRAINT "t_p_fkey" FOREIGN KEY ("p") REFERENCES "public"."t" ("id") NOT VALID
          undo: ALTER TABLE "public"."t" DROP CONSTRAINT IF EXISTS "t_p_fkey"
          on: public.t
          after: 1
        3 validate-t_p_fkey [backfill ddl ValidateConstraint] Validate FOREIGN KEY t_p_fkey on existing rows
          do: ALTER TABLE "public"."t" VALIDATE CONSTRAINT "t_p_fkey"
          on: public.t
          after: 2
        4 add-check-t_p_check [expand ddl AddCheckNotValid] Add CHECK t_p_check NOT VALID on public.t
          do: ALTER TABLE "public"."t" ADD CONSTRAINT "t_p_check" CHECK (p > 0) NOT VALID
          undo: ALTER TABLE "public"."t" DROP CONSTRAINT IF EXISTS "t_p_check"
          on: public.t
          after: 0
        5 validate-t_p_check [backfill ddl ValidateConstraint] Validate CHECK t_p_check on existing rows
          do: ALTER TABLE "public"."t" VALIDATE CONSTRAINT "t_p_check"
          on: public.t
          after: 4
        "#);
    }
}
