//! Renames of objects that running code may name: a constraint (`ON CONFLICT ON CONSTRAINT`,
//! error handling that matches constraint names), an index that backs one, and an enum
//! label (values written and compared). These come after a gate in contract, since old code
//! breaks at the rename and there is no way to answer to both names. A plain index is named
//! by no query, so its rename is one step in expand. Each is undone by renaming back.

use crate::plan::{Phase, StepKind};
use crate::planner::kit::{Ctx, Draft, Drafts};
use crate::planner::sqlgen::annotate as sg;
use crate::planner::steps::gate;
use crate::safety::DdlForm;
use crate::sql::{QName, SqlError};

/// A gate, then `rename` after it, both in contract.
fn gated(
    gate_summary: String,
    gate_text: String,
    confirm: &str,
    on: &QName,
    rename: Draft,
) -> Drafts {
    let mut out = Drafts::default();
    let g = out.push(gate::before_data_loss(gate_summary, gate_text, confirm, on));
    out.push(rename.in_phase(Phase::Contract).after(g));
    out
}

/// `ALTER TABLE t RENAME CONSTRAINT a TO b`.
pub fn constraint(ctx: &Ctx, table: &QName, from: &str, to: &str) -> Result<Drafts, SqlError> {
    let t = ctx.table(table)?;
    if !t.constraints.contains_key(from) {
        let known: Vec<&str> = t.constraints.keys().map(String::as_str).collect();
        return Err(ctx.refuse(
            format!("unknown constraint {from} on {}", table.display()),
            format!("{} has constraints {}", table.display(), known.join(", ")),
        ));
    }
    let index = t
        .indexes
        .values()
        .find(|i| i.constraint.as_deref() == Some(from));
    let taken = t.constraints.contains_key(to)
        || (index.is_some() && ctx.cat().relation_exists(&table.sibling(to)));
    if taken {
        return Err(ctx.refuse(
            format!(
                "{to} is already taken on {} (a constraint, or a relation for the key's index)",
                table.display()
            ),
            "choose another name, or rename or drop the other object first in this change",
        ));
    }
    let with_index = if index.is_some() {
        format!(" PostgreSQL renames its index {from} with it.")
    } else {
        String::new()
    };
    let rename = Draft::new(
        "rename-constraint",
        Phase::Contract,
        StepKind::Ddl,
        DdlForm::RenameConstraint,
        format!("Rename constraint {from} of {} to {to}", table.display()),
    )
    .sql([sg::rename_constraint(table, from, to)])
    .rollback([sg::rename_constraint(table, to, from)])
    .note(format!(
        "In contract, after the gate: code that names the constraint {from} (ON CONFLICT ON CONSTRAINT, error handling that matches its name) fails once it is renamed, and no name answers to both.{with_index}"
    ))
    .on(table)
    .touching(&table.sibling(to));
    Ok(gated(
        format!(
            "No running code names constraint {from} of {}",
            table.display()
        ),
        format!(
            "Confirm that no deployed code names the constraint {from} of {} (ON CONFLICT ON CONSTRAINT {from}, error handling that matches the name): it is renamed to {to} next, and code that names {to} works only after that.",
            table.display()
        ),
        from,
        table,
        rename,
    ))
}

/// `ALTER INDEX i RENAME TO b`: gated like a constraint when the index backs one.
pub fn index(ctx: &Ctx, index: &QName, to: &str, if_exists: bool) -> Result<Drafts, SqlError> {
    let Some(t) = ctx.cat().index_table(index) else {
        if if_exists {
            return Ok(Drafts::nothing(format!(
                "index {} does not exist; ALTER INDEX IF EXISTS does nothing",
                index.display()
            )));
        }
        return Err(ctx.refuse(
            format!("unknown index {}", index.display()),
            "check the index name against the schema source",
        ));
    };
    let new = index.sibling(to);
    if ctx.cat().name_taken(&index.schema, to) {
        return Err(ctx.refuse(
            format!(
                "{} is already taken (a relation, constraint or trigger of that schema)",
                new.display()
            ),
            "choose another name, or rename or drop the other object first in this change",
        ));
    }
    let backs = t
        .indexes
        .get(&index.name)
        .and_then(|i| i.constraint.clone());
    let rename = Draft::new(
        "rename-index",
        Phase::Expand,
        StepKind::Ddl,
        DdlForm::RenameIndex,
        format!("Rename index {} to {to}", index.display()),
    )
    .sql([sg::rename_index(index, to)])
    .rollback([sg::rename_index(&new, &index.name)])
    .on(index)
    .touching(&t.name)
    .dropping(index)
    .creating(&new);
    let Some(c) = backs else {
        return Ok(Drafts::one(rename.note(
            "Queries do not name indexes, so running code goes on; only scripts, hints and monitoring that name the index see the new name.",
        )));
    };
    Ok(gated(
        format!("No running code names constraint {c} of {}", t.name.display()),
        format!(
            "Confirm that no deployed code names the constraint {c} of {} (ON CONFLICT ON CONSTRAINT {c}, error handling that matches the name): its index is renamed to {to} next, which renames the constraint too.",
            t.name.display()
        ),
        &c,
        &t.name,
        rename.note(format!(
            "In contract, after the gate: the index backs constraint {c}, which PostgreSQL renames with it, and code that names the constraint fails once it is renamed."
        )),
    ))
}

/// `ALTER TYPE e RENAME VALUE 'a' TO 'b'`.
pub fn enum_value(ctx: &Ctx, ty: &QName, from: &str, to: &str) -> Result<Drafts, SqlError> {
    let Some(labels) = ctx.cat().enums.get(ty) else {
        return Err(ctx.refuse(
            format!("unknown enum type {}", ty.display()),
            "check the type name against the schema source",
        ));
    };
    if !labels.iter().any(|l| l == from) {
        return Err(ctx.refuse(
            format!("{} has no label '{from}'", ty.display()),
            format!("its labels are {}", labels.join(", ")),
        ));
    }
    if labels.iter().any(|l| l == to) {
        return Err(ctx.refuse(
            format!("{} already has the label '{to}'", ty.display()),
            "choose another label",
        ));
    }
    let rename = Draft::new(
        "rename-enum-value",
        Phase::Contract,
        StepKind::Ddl,
        DdlForm::RenameEnumValue,
        format!("Rename label '{from}' of {} to '{to}'", ty.display()),
    )
    .sql([sg::rename_enum_value(ty, from, to)])
    .rollback([sg::rename_enum_value(ty, to, from)])
    .note(format!(
        "In contract, after the gate: every stored '{from}' reads as '{to}' at once, so code that writes or compares '{from}' breaks, and code that uses '{to}' works only after this step."
    ))
    .touching(ty);
    Ok(gated(
        format!(
            "No running code uses the label '{from}' of {}",
            ty.display()
        ),
        format!(
            "Confirm that no deployed code writes or compares the label '{from}' of {}: it is renamed to '{to}' next, and every stored value follows.",
            ty.display()
        ),
        from,
        ty,
        rename,
    ))
}

#[cfg(test)]
mod tests {
    use crate::planner::kit::testing::plan;
    use crate::planner::recipes::plan as recipes;

    const SCHEMA: &str =
        "CREATE TABLE t (id bigint PRIMARY KEY, a int CONSTRAINT t_a_check CHECK (a > 0));
        CREATE INDEX t_a_idx ON t (a);
        CREATE TYPE mood AS ENUM ('calm', 'glad');";

    #[test]
    fn a_plain_index_is_renamed_in_expand_and_a_key_after_a_gate() {
        insta::assert_snapshot!(plan(SCHEMA, "ALTER INDEX t_a_idx RENAME TO t_a_ix;", recipes), @r#"
        0 rename-index [expand ddl RenameIndex] Rename index public.t_a_idx to t_a_ix
          do: ALTER INDEX "public"."t_a_idx" RENAME TO "t_a_ix"
          undo: ALTER INDEX "public"."t_a_ix" RENAME TO "t_a_idx"
          on: public.t_a_idx
        "#);
        insta::assert_snapshot!(plan(SCHEMA, "ALTER INDEX t_pkey RENAME TO t_pk;", recipes), @r#"
        0 gate [contract gate Nothing] No running code names constraint t_pkey of public.t
        1 rename-index [contract ddl RenameIndex] Rename index public.t_pkey to t_pk
          do: ALTER INDEX "public"."t_pkey" RENAME TO "t_pk"
          undo: ALTER INDEX "public"."t_pk" RENAME TO "t_pkey"
          on: public.t_pkey
          after: 0
        "#);
        insta::assert_snapshot!(plan(SCHEMA, "ALTER TABLE t RENAME CONSTRAINT t_a_check TO t_a_positive;", recipes), @r#"
        0 gate [contract gate Nothing] No running code names constraint t_a_check of public.t
        1 rename-constraint [contract ddl RenameConstraint] Rename constraint t_a_check of public.t to t_a_positive
          do: ALTER TABLE "public"."t" RENAME CONSTRAINT "t_a_check" TO "t_a_positive"
          undo: ALTER TABLE "public"."t" RENAME CONSTRAINT "t_a_positive" TO "t_a_check"
          on: public.t
          after: 0
        "#);
    }

    #[test]
    fn a_renamed_index_is_known_by_its_new_name_to_later_statements() {
        insta::assert_snapshot!(plan(SCHEMA, "ALTER INDEX t_a_idx RENAME TO t_a_ix; DROP INDEX t_a_ix;", recipes), @r#"
        0 drop-index [contract ddl_concurrent DropIndexConcurrently] Drop index public.t_a_ix concurrently
          do: DROP INDEX CONCURRENTLY IF EXISTS "public"."t_a_ix"
          undo: CREATE INDEX CONCURRENTLY "t_a_ix" ON "public"."t" USING btree ("a")
          on: public.t
        "#);
    }

    #[test]
    fn renames_onto_taken_names_or_from_missing_ones_are_refused() {
        insta::assert_snapshot!(plan(SCHEMA, "ALTER INDEX t_a_idx RENAME TO t_pkey;", recipes), @"
        refused: public.t_pkey is already taken (a relation, constraint or trigger of that schema)
        hint: choose another name, or rename or drop the other object first in this change
        ");
        insta::assert_snapshot!(plan(SCHEMA, "ALTER TABLE t RENAME CONSTRAINT nope TO b;", recipes), @"
        refused: unknown constraint nope on public.t
        hint: public.t has constraints t_a_check, t_pkey
        ");
        insta::assert_snapshot!(plan(SCHEMA, "ALTER TYPE mood RENAME VALUE 'calm' TO 'glad';", recipes), @"
        refused: public.mood already has the label 'glad'
        hint: choose another label
        ");
    }

    #[test]
    fn an_enum_label_is_renamed_after_a_gate() {
        insta::assert_snapshot!(plan(SCHEMA, "ALTER TYPE mood RENAME VALUE 'calm' TO 'still';", recipes), @r#"
        0 gate [contract gate Nothing] No running code uses the label 'calm' of public.mood
        1 rename-enum-value [contract ddl RenameEnumValue] Rename label 'calm' of public.mood to 'still'
          do: ALTER TYPE "public"."mood" RENAME VALUE 'calm' TO 'still'
          undo: ALTER TYPE "public"."mood" RENAME VALUE 'still' TO 'calm'
          after: 0
        "#);
    }
}
