//! golang-migrate: `<n>_<name>.up.sql` / `.down.sql`. Its PostgreSQL driver sends a file as
//! one query and adds no transaction, so transactional files write BEGIN/COMMIT themselves
//! and a file that must run outside a transaction holds exactly one statement (a
//! multi-statement query is one implicit transaction, where CONCURRENTLY and COMMIT fail).

use super::layout::{self, Part};
use super::{ExportError, File, body, header};
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
