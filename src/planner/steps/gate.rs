//! A gate before destroying data: a person confirms by typing the table's name.

use crate::catalog::routines::Mention;
use crate::plan::{Gate, Phase, StepKind};
use crate::planner::kit::Draft;
use crate::safety::DdlForm;
use crate::sql::QName;

/// The gate draft: `summary` in the plan, `text` to confirm, `confirm` to type.
pub fn before_data_loss(summary: String, text: String, confirm: &str, table: &QName) -> Draft {
    Draft::new(
        "gate",
        Phase::Contract,
        StepKind::Gate,
        DdlForm::Nothing,
        summary,
    )
    .touching(table)
    .with_gate(Gate {
        text,
        confirm: confirm.to_string(),
    })
}

/// What a gate adds when functions still name what is about to go: each function and line,
/// and what to do before confirming. Empty when none does.
pub fn functions_to_change(word: &str, use_instead: Option<&str>, mentions: &[Mention]) -> String {
    if mentions.is_empty() {
        return String::new();
    }
    let list = mentions
        .iter()
        .map(|m| m.to_string())
        .collect::<Vec<_>>()
        .join("; ");
    let todo = match use_instead {
        Some(new) => format!("to use `{new}`"),
        None => "to stop using it".to_string(),
    };
    format!(
        " These functions name `{word}` and fail once it is gone: {list}. Change each one {todo} (CREATE OR REPLACE FUNCTION, deployed) before confirming."
    )
}

/// The warning that goes with [`functions_to_change`].
pub fn functions_warning(table: &QName, word: &str, mentions: &[Mention]) -> Option<String> {
    (!mentions.is_empty()).then(|| {
        format!(
            "functions name `{word}` of {}: {}; the contract gate asks to confirm they were changed",
            table.display(),
            mentions
                .iter()
                .map(|m| m.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        )
    })
}
