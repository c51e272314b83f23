//! From steps to migrations: one migration per step (a gate is one of its own), each with an
//! up and a down part, numbered in plan order. Tools that send a file as one query get a
//! non-transactional step split into one statement per file between a settings file and a
//! reset file.

use super::ExportError;
use super::sql::{self, NO_OP};
use crate::plan::{Phase, Plan, Step, StepKind};

/// One direction of a migration: statements in order, run in one transaction or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// Runs inside a transaction (the tool's, or BEGIN/COMMIT the file writes itself).
    pub transactional: bool,
    /// A comment to put before the statements (without `--`).
    pub note: Option<String>,
    /// Statements without their terminating `;`.
    pub statements: Vec<String>,
}

impl Part {
    fn no_op(note: impl Into<String>) -> Self {
        Self {
            transactional: true,
            note: Some(note.into()),
            statements: vec![NO_OP.to_string()],
        }
    }
}

/// One numbered migration.
#[derive(Debug, Clone)]
pub struct Migration<'a> {
    /// 1-based position; the tools' version number.
    pub seq: usize,
    /// The step it comes from.
    pub step: &'a Step,
    /// `<phase>_<step id>[_<role>]`, safe in any tool's file name.
    pub slug: String,
    /// What this file does for its step when it is one of several ("" otherwise).
    pub role: String,
    /// Forward.
    pub up: Part,
    /// Backward.
    pub down: Part,
}

/// `a.b-C` → `a_b_C`: letters and digits kept, runs of anything else become one `_`.
pub fn slug(text: &str) -> String {
    let mut s = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c);
        } else if !s.ends_with('_') {
            s.push('_');
        }
    }
    s.trim_matches('_').to_string()
}

/// The phase a gate closes: that of the step before it.
pub fn closed_phase(plan: &Plan, gate: &Step) -> Phase {
    let at = plan.steps.iter().position(|s| s.id == gate.id).unwrap_or(0);
    plan.steps[..at]
        .last()
        .map(|s| s.phase)
        .unwrap_or(gate.phase)
}

fn up_part(
    plan: &Plan,
    step: &Step,
    stop_hint: &dyn Fn(usize) -> String,
    seq: usize,
) -> Result<Part, ExportError> {
    let missing = |what: &str| ExportError::Missing {
        step: step.id.clone(),
        what: what.to_string(),
    };
    Ok(match step.kind {
        StepKind::Gate => Part {
            transactional: true,
            note: Some(sql::gate_note(
                step,
                closed_phase(plan, step).name(),
                &stop_hint(seq),
            )),
            statements: vec![NO_OP.to_string()],
        },
        StepKind::Backfill => {
            let b = step.backfill.as_ref().ok_or_else(|| missing("backfill"))?;
            Part {
                transactional: false,
                note: Some(format!(
                    "Batches of {} rows in key order, one COMMIT each: this file must run outside a transaction.",
                    b.batch.size.max(1)
                )),
                statements: vec![sql::backfill_loop(step, b)?],
            }
        }
        StepKind::Verify => {
            let v = step.verify.as_ref().ok_or_else(|| missing("verify"))?;
            Part {
                transactional: true,
                note: Some(format!("Proves: {}", v.expectation)),
                statements: vec![sql::verify_block(step, v)?],
            }
        }
        _ => Part {
            transactional: step.transactional,
            note: None,
            statements: step.sql.clone(),
        },
    })
}

fn down_part(step: &Step) -> Part {
    match &step.rollback_sql {
        None => Part {
            transactional: true,
            note: Some(format!(
                "Step {} cannot be undone: {}\nThis fails on purpose, so nobody silently \"undoes\" it.",
                step.id,
                step.irreversible_reason
                    .as_deref()
                    .unwrap_or("the plan has no rollback for it")
            )),
            statements: vec![sql::refuse_undo(step)],
        },
        Some(r) if r.is_empty() => Part::no_op(format!("Step {} has nothing to undo.", step.id)),
        Some(r) => Part {
            transactional: !r.iter().any(|q| q.to_uppercase().contains("CONCURRENTLY")),
            note: None,
            statements: r.clone(),
        },
    }
}

/// Add the timeout settings to a part that runs statements in one file.
fn with_settings(step: &Step, mut p: Part) -> Part {
    let (before, after) = if p.transactional {
        (sql::local_settings(step), Vec::new())
    } else {
        (sql::session_settings(), sql::session_reset())
    };
    let mut all = before;
    all.append(&mut p.statements);
    all.extend(after);
    p.statements = all;
    p
}

/// Every migration of the plan. With `single_statement`, a file that runs outside a
/// transaction holds one statement and its timeouts come from the file before it.
pub fn migrations<'a>(
    plan: &'a Plan,
    single_statement: bool,
    stop_hint: &dyn Fn(usize) -> String,
) -> Result<Vec<Migration<'a>>, ExportError> {
    let mut out: Vec<Migration<'a>> = Vec::new();
    for step in &plan.steps {
        let base = if step.kind == StepKind::Gate {
            format!("{}_gate_{}", step.phase.name(), slug(&step.id))
        } else {
            format!("{}_{}", step.phase.name(), slug(&step.id))
        };
        let seq = out.len() + 1;
        let up = up_part(plan, step, stop_hint, seq)?;
        let mut down = down_part(step);
        if step.rollback_sql.as_ref().is_none_or(|r| r.is_empty()) {
            // Nothing real to run backwards: keep the step's transaction setting, so tools
            // with one setting per migration (Liquibase) can express it.
            down.transactional = up.transactional;
        }
        let split = single_statement && (!up.transactional || !down.transactional);
        if !split {
            out.push(Migration {
                seq,
                step,
                slug: base,
                role: String::new(),
                up: with_settings(step, up),
                down: with_settings(step, down),
            });
            continue;
        }
        let settings = |note: &str, statements: Vec<String>| Part {
            transactional: true,
            note: Some(note.to_string()),
            statements,
        };
        out.push(Migration {
            seq,
            step,
            slug: format!("{base}_settings"),
            role: "timeouts for the files after it".into(),
            up: settings(
                "Session timeouts for the next file, which runs outside a transaction on this same connection.",
                sql::session_settings(),
            ),
            down: settings(
                "Back to the connection's defaults after undoing the next file.",
                sql::session_reset(),
            ),
        });
        let one_each = |p: Part| -> Vec<Part> {
            if p.transactional {
                return vec![with_settings(step, p)];
            }
            let note = "One statement only: this tool sends a file as one query, which PostgreSQL runs as one transaction, where CONCURRENTLY and COMMIT fail. Timeouts come from the settings file next to it.";
            p.statements
                .into_iter()
                .map(|s| Part {
                    transactional: false,
                    note: Some(match &p.note {
                        Some(n) => format!("{n}\n{note}"),
                        None => note.to_string(),
                    }),
                    statements: vec![s],
                })
                .collect()
        };
        let ups = one_each(up);
        let downs = one_each(down);
        let n = ups.len().max(downs.len()).max(1);
        for i in 0..n {
            let up = ups
                .get(i)
                .cloned()
                .unwrap_or_else(|| Part::no_op("Nothing more to do forward."));
            // Down files run newest first: the last file undoes first.
            let down = downs
                .get(n - 1 - i)
                .cloned()
                .unwrap_or_else(|| Part::no_op("Nothing more to undo."));
            out.push(Migration {
                seq: out.len() + 1,
                step,
                slug: if n == 1 {
                    base.clone()
                } else {
                    format!("{base}_part{}", i + 1)
                },
                role: if n == 1 {
                    String::new()
                } else {
                    format!("statement {} of {n}", i + 1)
                },
                up,
                down,
            });
        }
        out.push(Migration {
            seq: out.len() + 1,
            step,
            slug: format!("{base}_reset"),
            role: "timeouts back to the defaults".into(),
            up: settings(
                "Back to the connection's defaults after the file before.",
                sql::session_reset(),
            ),
            down: settings(
                "Session timeouts for undoing the file before, which runs outside a transaction on this same connection.",
                sql::session_settings(),
            ),
        });
    }
    Ok(out)
}

/// `<n>_<name>.up.sql` / `.down.sql` pairs (golang-migrate, sqlx): the tools differ only in
/// how a part becomes a file's text and in how to stop at a gate.
pub fn up_down_files(
    plan: &Plan,
    how_to_stop: &dyn Fn(usize) -> String,
    text: impl Fn(&str, &Part) -> String,
) -> Result<Vec<super::File>, super::ExportError> {
    let mut files = Vec::new();
    for m in migrations(plan, true, how_to_stop)? {
        let head = super::header(plan, &m);
        let name = format!("{:04}_{}", m.seq, m.slug);
        files.push(super::File {
            path: format!("{name}.up.sql").into(),
            contents: text(&head, &m.up),
        });
        files.push(super::File {
            path: format!("{name}.down.sql").into(),
            contents: text(&head, &m.down),
        });
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_safe_in_file_names() {
        assert_eq!(
            slug("1.check-id_bellows_new--x"),
            "1_check_id_bellows_new_x"
        );
        assert_eq!(slug("..a.."), "a");
    }
}
