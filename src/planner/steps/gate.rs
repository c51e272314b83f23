//! A gate before destroying data: a person confirms by typing the table's name.

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
