//! ALTER SEQUENCE on a sequence that exists: `INCREMENT BY`, `AS`, `OWNED BY` and `RESTART`,
//! one brief step in expand (running code draws values as before; only their step, range
//! or owner changes). Undone by the options the catalog had; a RESTART cannot be undone,
//! since the position it leaves is not known when planning.

use crate::catalog::Sequence;
use crate::plan::{Phase, StepKind};
use crate::planner::kit::{Ctx, Draft, Drafts};
use crate::planner::sqlgen::annotate as sg;
use crate::safety::DdlForm;
use crate::sql::ddl::SequenceChange;
use crate::sql::{QName, SqlError};

fn sequence<'a>(ctx: &Ctx<'a>, name: &QName) -> Result<&'a Sequence, SqlError> {
    ctx.cat().sequences.get(name).ok_or_else(|| {
        ctx.refuse(
            format!("unknown sequence {}", name.display()),
            "check the sequence name against the schema source",
        )
    })
}

fn step(name: &QName, summary: String, sql: String) -> Draft {
    Draft::new(
        "alter-sequence",
        Phase::Expand,
        StepKind::Ddl,
        DdlForm::AlterSequence,
        summary,
    )
    .sql([sql])
    .on(name)
}

/// `ALTER SEQUENCE s INCREMENT BY / AS / RESTART / OWNED BY NONE`.
pub fn alter(
    ctx: &Ctx,
    name: &QName,
    changes: &[SequenceChange],
    if_exists: bool,
) -> Result<Drafts, SqlError> {
    if if_exists && !ctx.cat().sequences.contains_key(name) {
        return Ok(Drafts::nothing(format!(
            "sequence {} does not exist; ALTER SEQUENCE IF EXISTS does nothing",
            name.display()
        )));
    }
    let s = sequence(ctx, name)?;
    if changes.contains(&SequenceChange::Increment(0)) {
        return Err(ctx.refuse(
            "INCREMENT BY 0 is not allowed: a sequence must move",
            "choose a positive or negative step",
        ));
    }
    let mut back = Vec::new();
    for c in changes {
        match c {
            SequenceChange::Increment(_) => {
                back.push(SequenceChange::Increment(s.increment.unwrap_or(1)));
            }
            SequenceChange::As(_) => back.push(SequenceChange::As(
                s.data_type.clone().unwrap_or_else(|| "bigint".into()),
            )),
            SequenceChange::Restart(_) | SequenceChange::OwnedByNone => {}
        }
    }
    let d = step(
        name,
        format!("Alter sequence {}", name.display()),
        sg::alter_sequence(name, changes),
    )
    .note(
        "Running code draws values as before; only the step, range or owner of the values changes.",
    );
    let undo_owner = s
        .owned_by
        .as_ref()
        .filter(|_| changes.contains(&SequenceChange::OwnedByNone))
        .map(|o| sg::sequence_owner(name, Some(o)));
    let mut undo: Vec<String> = Vec::new();
    if !back.is_empty() {
        undo.push(sg::alter_sequence(name, &back));
    }
    undo.extend(undo_owner);
    let d = if changes
        .iter()
        .any(|c| matches!(c, SequenceChange::Restart(_)))
    {
        d.irreversible("RESTART moves the sequence to a position bellows cannot restore: the one it leaves is not known when planning")
    } else {
        d.rollback(undo)
    };
    Ok(Drafts::one(d))
}

/// `ALTER SEQUENCE s OWNED BY t.c` on an existing sequence: undone by the owner it had.
pub fn owned_by(ctx: &Ctx, name: &QName, table: &QName, column: &str) -> Result<Drafts, SqlError> {
    let s = sequence(ctx, name)?;
    ctx.column(ctx.table(table)?, column)?;
    let owner = (table.clone(), column.to_string());
    Ok(Drafts::one(
        step(
            name,
            format!("Make {}.{column} the owner of {}", table.display(), name.display()),
            sg::sequence_owner(name, Some(&owner)),
        )
        .rollback([sg::sequence_owner(name, s.owned_by.as_ref())])
        .note("Only records which column owns the sequence (dropping the column drops the sequence); values are drawn as before.")
        .touching(table),
    ))
}

#[cfg(test)]
mod tests {
    use crate::planner::kit::testing::plan;
    use crate::planner::recipes::plan as recipes;

    const SCHEMA: &str = "CREATE TABLE t (id serial PRIMARY KEY, n bigint);
        CREATE SEQUENCE s INCREMENT BY 5;";

    #[test]
    fn increment_and_type_are_put_back() {
        insta::assert_snapshot!(plan(SCHEMA, "ALTER SEQUENCE t_id_seq AS bigint INCREMENT BY 2;", recipes), @r#"
        0 alter-sequence [expand ddl AlterSequence] Alter sequence public.t_id_seq
          do: ALTER SEQUENCE "public"."t_id_seq" AS bigint INCREMENT BY 2
          undo: ALTER SEQUENCE "public"."t_id_seq" AS integer INCREMENT BY 1
          on: public.t_id_seq
        "#);
        insta::assert_snapshot!(plan(SCHEMA, "ALTER SEQUENCE s INCREMENT 1 OWNED BY NONE;", recipes), @r#"
        0 alter-sequence [expand ddl AlterSequence] Alter sequence public.s
          do: ALTER SEQUENCE "public"."s" INCREMENT BY 1 OWNED BY NONE
          undo: ALTER SEQUENCE "public"."s" INCREMENT BY 5
          on: public.s
        "#);
    }

    #[test]
    fn an_owner_is_put_back_and_a_restart_cannot_be_undone() {
        insta::assert_snapshot!(plan(SCHEMA, "ALTER SEQUENCE s OWNED BY t.n;", recipes), @r#"
        0 alter-sequence [expand ddl AlterSequence] Make public.t.n the owner of public.s
          do: ALTER SEQUENCE "public"."s" OWNED BY "public"."t"."n"
          undo: ALTER SEQUENCE "public"."s" OWNED BY NONE
          on: public.s
        "#);
        insta::assert_snapshot!(plan(SCHEMA, "ALTER SEQUENCE s RESTART WITH 100;", recipes), @r#"
        0 alter-sequence [expand ddl AlterSequence] Alter sequence public.s
          do: ALTER SEQUENCE "public"."s" RESTART WITH 100
          irreversible: RESTART moves the sequence to a position bellows cannot restore: the one it leaves is not known when planning
          on: public.s
        "#);
        insta::assert_snapshot!(plan(SCHEMA, "ALTER SEQUENCE nope INCREMENT BY 2;", recipes), @"
        refused: unknown sequence public.nope
        hint: check the sequence name against the schema source
        ");
    }
}
