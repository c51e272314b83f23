//! Liquibase formatted SQL: one `changelog.sql` starting `--liquibase formatted sql`, one
//! `--changeset bellows:<step id>` per step, labelled with its phase, run in a transaction
//! unless `runInTransaction:false`. Statements end with a line holding only `/`
//! (`endDelimiter:/`, Oracle-style, which Liquibase matches only at the start of a line), so
//! semicolons inside DO blocks and trigger functions never split a statement; `--rollback`
//! lines carry the undo, delimited the same way.

use super::layout::{self, Part};
use super::{ExportError, File, header, sql};
use crate::plan::Plan;

fn how_to_stop(_seq: usize) -> String {
    "To stop here: `liquibase update --label-filter=\"!contract\"` applies everything before the contract phase; after confirming, `liquibase update`.".into()
}

/// Statements each followed by a `/` line; an error if a statement has a line that is `/`.
fn delimited(step: &str, part: &Part) -> Result<Vec<String>, ExportError> {
    let mut lines = Vec::new();
    if let Some(n) = &part.note {
        lines.extend(sql::comment(n).lines().map(str::to_string));
    }
    for q in &part.statements {
        if q.lines().any(|l| l.trim() == "/") {
            return Err(ExportError::Quoting {
                step: step.to_string(),
                what: "/".into(),
            });
        }
        lines.extend(q.trim_end().lines().map(str::to_string));
        lines.push("/".into());
    }
    Ok(lines)
}

/// The plan as one Liquibase formatted-SQL changelog.
pub fn files(plan: &Plan) -> Result<Vec<File>, ExportError> {
    let mut out = String::from("--liquibase formatted sql\n");
    for m in layout::migrations(plan, false, &how_to_stop)? {
        if m.up.transactional != m.down.transactional {
            return Err(ExportError::Unsupported {
                step: m.step.id.clone(),
                tool: "liquibase",
                why: "its undo and its change differ in needing a transaction, and a changeset has one setting for both".into(),
            });
        }
        out.push_str(&format!(
            "\n--changeset bellows:{} labels:{} runInTransaction:{} splitStatements:true endDelimiter:/ rollbackEndDelimiter:/\n",
            m.step.id,
            m.step.phase.name(),
            m.up.transactional
        ));
        out.push_str(&format!(
            "--comment: {}\n",
            m.step.summary.replace('\n', " ")
        ));
        out.push_str(&header(plan, &m));
        out.push('\n');
        for l in delimited(&m.step.id, &m.up)? {
            out.push_str(&l);
            out.push('\n');
        }
        for l in delimited(&m.step.id, &m.down)? {
            out.push_str("--rollback ");
            out.push_str(&l);
            out.push('\n');
        }
    }
    Ok(vec![File {
        path: "changelog.sql".into(),
        contents: out,
    }])
}
