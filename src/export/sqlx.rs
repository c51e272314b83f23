//! sqlx-cli: reversible `<n>_<name>.up.sql` / `.down.sql`. sqlx runs each file in a
//! transaction unless its first line is `-- no-transaction`; such a file is sent as one
//! query, so it holds exactly one statement.

use super::layout::{self, Part};
use super::{ExportError, File, body};
use crate::plan::Plan;

fn how_to_stop(seq: usize) -> String {
    format!(
        "To stop here: `sqlx migrate run --target-version {seq}`; after confirming, `sqlx migrate run`."
    )
}

fn text(head: &str, part: &Part) -> String {
    if part.transactional {
        format!("{head}\n{}", body(part))
    } else {
        format!("-- no-transaction\n{head}\n{}", body(part))
    }
}

/// The plan as sqlx migrations.
pub fn files(plan: &Plan) -> Result<Vec<File>, ExportError> {
    layout::up_down_files(plan, &how_to_stop, text)
}
