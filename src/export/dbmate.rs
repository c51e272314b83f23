//! dbmate: one `<n>_<name>.sql` per migration with `-- migrate:up` and `-- migrate:down`
//! sections. dbmate runs a section in a transaction unless its marker says
//! `transaction:false`; such a section is sent as one query, so it holds one statement.

use super::layout::{self, Part};
use super::{ExportError, File, body, header};
use crate::plan::Plan;

fn how_to_stop(seq: usize) -> String {
    format!(
        "To stop here: `dbmate up` applies every pending file, so keep the files numbered above {seq:04} out of the migrations directory until the gate is confirmed."
    )
}

fn section(marker: &str, head: &str, part: &Part) -> String {
    let flag = if part.transactional {
        ""
    } else {
        " transaction:false"
    };
    format!("-- migrate:{marker}{flag}\n{head}\n{}", body(part))
}

/// The plan as dbmate migrations.
pub fn files(plan: &Plan) -> Result<Vec<File>, ExportError> {
    let mut files = Vec::new();
    for m in layout::migrations(plan, true, &how_to_stop)? {
        let head = header(plan, &m);
        files.push(File {
            path: format!("{:04}_{}.sql", m.seq, m.slug).into(),
            contents: format!(
                "{}\n{}",
                section("up", &head, &m.up),
                section("down", &format!("-- Undo of {:04}.", m.seq), &m.down)
            ),
        });
    }
    Ok(files)
}
