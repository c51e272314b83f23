//! ALTER TYPE ... ADD VALUE: instant, and irreversible (PostgreSQL cannot remove a label).

use crate::plan::{Phase, StepKind};
use crate::planner::kit::{Ctx, Draft, Drafts};
use crate::safety::DdlForm;
use crate::sql::{Ddl, SqlError};

/// ALTER TYPE ... ADD VALUE.
pub fn plan(ctx: &Ctx) -> Result<Drafts, SqlError> {
    if let Ddl::AddEnumValue {
        name,
        value,
        if_not_exists,
        ..
    } = &ctx.st.ddl
    {
        let Some(labels) = ctx.cat().enums.get(name) else {
            return Err(ctx.refuse(
                format!("unknown enum type {}", name.display()),
                "check the type name against the schema source",
            ));
        };
        if labels.contains(value) {
            if *if_not_exists {
                return Ok(Drafts::nothing(format!(
                    "{} already has the label '{value}'; nothing to do",
                    name.display()
                )));
            }
            return Err(ctx.refuse(
                format!("{} already has the label '{value}'", name.display()),
                "use ADD VALUE IF NOT EXISTS, or choose another label",
            ));
        }
    }
    Ok(Drafts::one(
        Draft::new(
            "add-enum-value",
            Phase::Expand,
            StepKind::Ddl,
            DdlForm::AddEnumValue,
            "Add an enum label",
        )
        .sql([ctx.st.text.clone()])
        .irreversible(
            "PostgreSQL cannot remove a label from an enum type; an unused label is harmless",
        )
        .note("Roll back the code that uses the label instead; the label itself stays."),
    ))
}

#[cfg(test)]
mod tests {
    use crate::planner::kit::testing;

    #[test]
    fn an_existing_label_with_if_not_exists_is_nothing_to_do() {
        let out = testing::plan(
            "CREATE TYPE mood AS ENUM ('ok');",
            "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'ok';",
            crate::planner::recipes::plan,
        );
        insta::assert_snapshot!(out, @"warning: public.mood already has the label 'ok'; nothing to do");
    }
}
