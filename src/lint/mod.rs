//! The migration linter behind `bellows check`: reads the migrations teams already have
//! ([`layout`] knows Flyway, golang-migrate, sqlx, dbmate, Liquibase and plain files), turns
//! each statement into [`subject::Subject`]s named in the `safety` knowledge base, follows
//! transactions and lock timeouts, and asks every [`rules::Rule`] whether it fires.
//!
//! A [`Linter`] carries the schema from one migration to the next (in the tool's run order),
//! so a CHECK validated in an earlier migration proves a later SET NOT NULL, and a column's
//! type is known when a later migration changes it. It needs `catalog` for that, which is why
//! the linter is a room of its own and not part of `safety`.

pub mod layout;
pub mod rules;
pub mod subject;

use std::collections::BTreeSet;

use crate::catalog::{Catalog, Evolving};
use crate::safety::{Duration, LockMode, claim};
use crate::sql::{Ddl, Loc, QName, SqlError};
use layout::{Unit, Wrap};
use rules::{Cx, Rule};
use subject::Control;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never fails a check by default.
    Note,
    /// Risky; fails a check unless `--fail-on error`.
    Warning,
    /// Blocks reads or writes for longer than an instant, breaks running code, or fails.
    Error,
}

impl Severity {
    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// What the linter is told.
#[derive(Debug, Clone)]
pub struct Settings {
    /// PostgreSQL major version the migrations will run on.
    pub pg_version: u32,
    /// Treat every migration as running inside a transaction the tool opens.
    pub assume_in_transaction: bool,
    /// The rules to check.
    pub rules: BTreeSet<Rule>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            pg_version: 15,
            assume_in_transaction: false,
            rules: Rule::ALL.iter().copied().collect(),
        }
    }
}

/// One problem in one statement.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Finding {
    /// Rule id.
    pub rule: &'static str,
    /// How serious.
    pub severity: Severity,
    /// File.
    pub path: String,
    /// Line (1-based).
    pub line: u32,
    /// Column (1-based).
    pub col: u32,
    /// Which part of the file (`up`, `down`, a changeset id, ...).
    pub unit: String,
    /// The table it is about, when known.
    pub table: Option<String>,
    /// The lock taken (PostgreSQL's name), when the rule is about a lock.
    pub lock: Option<&'static str>,
    /// "reads and writes", "writes" or "nothing".
    pub blocks: &'static str,
    /// none | brief | scan | build | rewrite.
    pub duration: &'static str,
    /// What is wrong here, in a sentence or two.
    pub message: String,
    /// The safe way.
    pub recipe: &'static str,
    /// Whether `bellows plan` on this statement writes the safe recipe as a plan.
    pub planned: bool,
    /// The statement as written.
    pub statement: String,
}

/// Lints migrations in run order, carrying the schema they build from one to the next.
#[derive(Debug)]
pub struct Linter {
    schema: Evolving,
    settings: Settings,
    /// Tables the last forward unit created: its down migration may drop them freely.
    last_created: BTreeSet<QName>,
}

/// Transaction state inside one unit.
#[derive(Default)]
struct Tx {
    in_tx: bool,
    own_tx: bool,
    local_timeout: bool,
    session_timeout: bool,
    /// Blocking locks the transaction holds: table, mode, and the statement that took it.
    held: Vec<(Option<QName>, LockMode, String)>,
}

impl Tx {
    /// An earlier statement whose lock is held while this one waits: one on another table,
    /// or a weaker one on the same table (the upgrade waits while holding it).
    fn earlier(&self, table: Option<&QName>, mode: LockMode) -> Option<&str> {
        if table.is_some()
            && self
                .held
                .iter()
                .any(|(t, m, _)| t.as_ref() == table && *m >= mode)
        {
            return None;
        }
        self.held
            .iter()
            .find(|(t, m, _)| t.as_ref() != table || mode > *m)
            .map(|(_, _, d)| d.as_str())
    }
}

impl Linter {
    /// Start from `cat` (an empty catalog, or the schema the first migration runs on).
    pub fn new(cat: Catalog, settings: Settings) -> Self {
        Self {
            schema: Evolving::new(cat),
            settings,
            last_created: BTreeSet::new(),
        }
    }

    /// Lint a unit that runs in reverse (a down or undo migration): its changes to the
    /// schema are not carried into the next migration.
    pub fn lint_detached(&self, unit: &Unit) -> Result<(Vec<Finding>, usize), SqlError> {
        let mut l = Linter {
            schema: self.schema.clone(),
            settings: self.settings.clone(),
            last_created: BTreeSet::new(),
        };
        let (out, n, _) = l.run_unit(unit, self.last_created.clone())?;
        Ok((out, n))
    }

    /// Lint one unit: its findings and how many statements it has. The schema it leaves is
    /// kept for the next.
    pub fn lint_unit(&mut self, unit: &Unit) -> Result<(Vec<Finding>, usize), SqlError> {
        let (out, n, created) = self.run_unit(unit, BTreeSet::new())?;
        self.last_created = created;
        Ok((out, n))
    }

    /// Lint `unit`, counting `created` as tables new to it; returns the tables it created.
    fn run_unit(
        &mut self,
        unit: &Unit,
        created: BTreeSet<QName>,
    ) -> Result<(Vec<Finding>, usize, BTreeSet<QName>), SqlError> {
        self.schema.begin(created);
        let statements = crate::sql::parse_file(&unit.path, &unit.text, true)?;
        let pg = self.settings.pg_version;
        let real = statements
            .iter()
            .filter(|s| subject::control(s).is_none())
            .count();
        let tool_tx = self.settings.assume_in_transaction
            || unit.wrap == Wrap::Transaction
            || (unit.wrap == Wrap::OneQuery && real > 1);
        let mut tx = Tx {
            in_tx: tool_tx,
            ..Tx::default()
        };
        let mut out = Vec::new();
        for st in &statements {
            for id in &st.directives.ignore {
                if Rule::from_id(id).is_none() {
                    return Err(SqlError::new(
                        &unit.path,
                        st.loc,
                        format!("unknown rule `{id}` in bellows:ignore"),
                    )
                    .with_hint("run `bellows check --list-rules` for the rule ids"));
                }
            }
            match subject::control(st) {
                Some(Control::Begin) => {
                    tx.in_tx = true;
                    tx.own_tx = true;
                    continue;
                }
                Some(Control::End) => {
                    tx.in_tx = tool_tx;
                    tx.own_tx = false;
                    tx.local_timeout = false;
                    tx.held.clear();
                    continue;
                }
                Some(Control::LockTimeout { on, local }) => {
                    if local {
                        tx.local_timeout = on;
                    } else {
                        tx.session_timeout = on;
                    }
                    continue;
                }
                None => {}
            }
            // A statement bellows could not read, or read but has no rule for, is reported:
            // silence must never pass for approval.
            let unjudged = match &st.ddl {
                Ddl::Skipped { what } => Some(what.clone()),
                _ => subject::unjudged(st),
            };
            if let Some(what) = &unjudged {
                let cx = Cx {
                    subject: None,
                    claim: claim(crate::safety::DdlForm::Nothing, pg),
                    existing: false,
                    in_tx: tx.in_tx,
                    own_tx: tx.own_tx,
                    lock_timeout: tx.local_timeout || tx.session_timeout,
                    earlier_blocking: None,
                    unreadable: Some(what),
                };
                self.check(&cx, st, unit, &mut out);
                if matches!(
                    st.ddl,
                    Ddl::Skipped { .. } | Ddl::Unsupported { .. } | Ddl::DropObject { .. }
                ) {
                    continue;
                }
            }
            for s in subject::subjects(st, self.schema.catalog(), pg) {
                let c = claim(s.form, pg);
                let existing = match &s.table {
                    _ if s.form == crate::safety::DdlForm::CreateTable => false,
                    Some(t) => !self.schema.is_new(t),
                    None => true,
                };
                let mode = c.mode;
                let cx = Cx {
                    subject: Some(&s),
                    claim: c,
                    existing,
                    in_tx: tx.in_tx,
                    own_tx: tx.own_tx,
                    lock_timeout: tx.local_timeout || tx.session_timeout,
                    earlier_blocking: tx.earlier(s.table.as_ref(), mode),
                    unreadable: None,
                };
                self.check(&cx, st, unit, &mut out);
                if existing && cx.blocks() {
                    let desc = format!("{} (line {})", s.action, st.loc.line);
                    tx.held.push((s.table.clone(), mode, desc));
                }
            }
            // The schema moves on, remembering the tables and (materialized) views made here
            // as new; a statement about something the files never created is still linted,
            // it just cannot teach the catalog anything.
            let _ = self.schema.apply(&st.ddl);
            if !tx.in_tx {
                tx.held.clear();
            }
        }
        Ok((out, statements.len(), self.schema.created().clone()))
    }

    fn check(&self, cx: &Cx, st: &crate::sql::Statement, unit: &Unit, out: &mut Vec<Finding>) {
        for rule in &self.settings.rules {
            if !rule.fires(cx) || st.directives.ignore.iter().any(|i| i == rule.id()) {
                continue;
            }
            out.push(finding(*rule, cx, st.loc, &st.text, unit));
        }
    }
}

/// The rules whose bad example `bellows plan` turns into a safe plan.
pub fn planned(rule: Rule) -> bool {
    !matches!(
        rule,
        Rule::Truncate
            | Rule::AddExclude
            | Rule::VacuumFull
            | Rule::Cluster
            | Rule::SetLogged
            | Rule::LockTable
            | Rule::ConcurrentlyInTransaction
            | Rule::SeveralBlockingStatements
            | Rule::MissingLockTimeout
            | Rule::UnreadableStatement
    )
}

fn duration_phrase(d: Duration) -> &'static str {
    match d {
        Duration::None => "",
        Duration::Brief => {
            "for an instant once granted (but it queues behind running transactions, and everything queues behind it)"
        }
        Duration::Scan => "while it reads every row",
        Duration::Build => "while it builds the index",
        Duration::Rewrite => "while it rewrites the table and its indexes",
    }
}

/// How much of a statement a finding carries (a generated migration can hold a 1 MB line).
const STATEMENT_SHOWN: usize = 400;

/// `text`, or its first `max` bytes (on a character boundary) and how much was left out.
fn shortened(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{} … ({} more characters)",
        &text[..end],
        text[end..].chars().count()
    )
}

fn finding(rule: Rule, cx: &Cx, loc: Loc, text: &str, unit: &Unit) -> Finding {
    let doc = rule.doc();
    let table = cx
        .subject
        .and_then(|s| s.table.as_ref())
        .map(QName::display);
    let on = table
        .as_deref()
        .map(|t| format!(" on {t}"))
        .unwrap_or_default();
    let mode = cx.claim.mode;
    let action = cx.subject.map(|s| s.action.as_str()).unwrap_or("");
    let message = match rule {
        Rule::UnreadableStatement => format!(
            "bellows could not judge this statement, so it was not checked: {}",
            cx.unreadable.unwrap_or("")
        ),
        Rule::ConcurrentlyInTransaction => format!(
            "{action}{on} cannot run inside a transaction block, and this one runs in {}",
            if cx.own_tx {
                "the transaction the file opens with BEGIN"
            } else if unit.wrap == Wrap::Transaction {
                "the transaction the migration tool wraps around the file"
            } else {
                "one transaction with the file's other statements"
            }
        ),
        Rule::SeveralBlockingStatements => format!(
            "{action}{on} waits for {} while {} keeps its lock in the same transaction: everything queued on that lock waits too",
            mode.name(),
            cx.earlier_blocking.unwrap_or("an earlier statement")
        ),
        Rule::MissingLockTimeout => format!(
            "{action}{on} waits for {} with no lock_timeout: behind one long transaction it holds up every query on the table",
            mode.name()
        ),
        _ => {
            let mut m = format!(
                "{action}{on} takes {}, blocking {}{}{}. {}",
                mode.name(),
                mode.blocks(),
                if duration_phrase(cx.claim.duration).is_empty() {
                    ""
                } else {
                    " "
                },
                duration_phrase(cx.claim.duration),
                capitalize(cx.claim.why)
            );
            if let Some(n) = cx.subject.and_then(|s| s.note.as_deref()) {
                m.push_str(&format!(" ({n})"));
            }
            m
        }
    };
    let lockish = !matches!(rule, Rule::UnreadableStatement) && mode != LockMode::None;
    Finding {
        rule: doc.id,
        severity: doc.severity,
        path: unit.path.clone(),
        line: loc.line,
        col: loc.col,
        unit: unit.label.clone(),
        table,
        lock: lockish.then(|| mode.name()),
        blocks: if lockish { mode.blocks() } else { "nothing" },
        duration: cx.claim.duration.name(),
        message,
        recipe: doc.recipe,
        planned: planned(rule),
        statement: shortened(text.trim(), STATEMENT_SHOWN),
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect::<String>() + ".",
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::shortened;

    #[test]
    fn a_long_statement_is_shortened_on_a_character_boundary() {
        let long = format!(
            "ALTER TABLE t ADD CONSTRAINT c CHECK ({});",
            "é OR ".repeat(200_000)
        );
        let s = shortened(&long, 400);
        assert!(s.len() < 460, "{}", s.len());
        assert!(s.ends_with("more characters)"), "{s}");
        assert_eq!(shortened("SELECT 1", 400), "SELECT 1");
    }
}
