//! Flyway: `V<n>__<desc>.sql` and undo `U<n>__<desc>.sql` (versions compare numerically),
//! and for a file that must run outside a transaction a script config file beside it,
//! `<file>.conf`, holding `executeInTransaction=false` (Flyway 6.1+). Flyway runs each file
//! in a transaction unless told so, and splits it into statements itself.

use super::layout::{self, Part};
use super::{ExportError, File, body, header};
use crate::plan::Plan;

fn how_to_stop(seq: usize) -> String {
    format!("To stop here: `flyway migrate -target={seq}`; after confirming, `flyway migrate`.")
}

fn push(files: &mut Vec<File>, name: String, head: &str, part: &Part) {
    if !part.transactional {
        files.push(File {
            path: format!("{name}.conf").into(),
            contents: "executeInTransaction=false\n".into(),
        });
    }
    files.push(File {
        path: name.into(),
        contents: format!("{head}\n{}", body(part)),
    });
}

/// The plan as Flyway migrations.
pub fn files(plan: &Plan) -> Result<Vec<File>, ExportError> {
    let mut files = Vec::new();
    for m in layout::migrations(plan, false, &how_to_stop)? {
        let head = header(plan, &m);
        push(
            &mut files,
            format!("V{}__{}.sql", m.seq, m.slug),
            &head,
            &m.up,
        );
        let undo = format!("{head}\n-- Undo of V{}.", m.seq);
        push(
            &mut files,
            format!("U{}__{}.sql", m.seq, m.slug),
            &undo,
            &m.down,
        );
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}
