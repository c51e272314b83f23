//! sqlx-cli: reversible `<n>_<name>.up.sql` / `.down.sql`. sqlx runs each file in a
//! transaction unless its first line is `-- no-transaction`; such a file is sent as one
//! query, so it holds exactly one statement.

use super::layout::{self, Part};
use super::{ExportError, File, body, header};
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
    let mut files = Vec::new();
    for m in layout::migrations(plan, true, &how_to_stop)? {
        let head = header(plan, &m);
        let name = format!("{:04}_{}", m.seq, m.slug);
        files.push(File {
            path: format!("{name}.up.sql").into(),
            contents: text(&head, &m.up),
        });
        files.push(File {
            path: format!("{name}.down.sql").into(),
            contents: text(&head, &m.down),
        });
    }
    Ok(files)
}
