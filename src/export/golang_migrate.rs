//! golang-migrate: `<n>_<name>.up.sql` / `.down.sql`. Its PostgreSQL driver sends a file as
//! one query and adds no transaction, so transactional files write BEGIN/COMMIT themselves
//! and a file that must run outside a transaction holds exactly one statement (a
//! multi-statement query is one implicit transaction, where CONCURRENTLY and COMMIT fail).

use super::layout::{self, Part};
use super::{ExportError, File, body};
use crate::plan::Plan;

fn how_to_stop(seq: usize) -> String {
    format!(
        "To stop here: `migrate -path DIR -database URL goto {seq}`; after confirming, `migrate ... up`."
    )
}

fn text(head: &str, part: &Part) -> String {
    if part.transactional {
        format!("{head}\nBEGIN;\n{}COMMIT;\n", body(part))
    } else {
        format!("{head}\n{}", body(part))
    }
}

/// The plan as golang-migrate migrations.
pub fn files(plan: &Plan) -> Result<Vec<File>, ExportError> {
    layout::up_down_files(plan, &how_to_stop, text)
}
