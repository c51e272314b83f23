//! A step as a recipe describes it, before the builder settles its id, lock and dependencies.

use crate::plan::{Backfill, Gate, Phase, StepKind, Verify};
use crate::safety::DdlForm;
use crate::sql::QName;

/// How a step is undone.
#[derive(Debug, Clone)]
pub enum Rollback {
    /// Run these statements.
    Sql(Vec<String>),
    /// Nothing needs undoing (the step only reads, or a later rollback removes its effect).
    Nothing,
    /// It cannot be undone, and why.
    Irreversible(String),
}

/// A step as a recipe describes it, before ids and locks are settled.
#[derive(Debug, Clone)]
pub struct Draft {
    /// Short name, unique within the statement (`add-column`, `sync-trigger`).
    pub slug: String,
    /// Phase.
    pub phase: Phase,
    /// Kind.
    pub kind: StepKind,
    /// The DDL form that decides the lock.
    pub form: DdlForm,
    /// One line for people.
    pub summary: String,
    /// Extra reasoning, appended to the knowledge base's.
    pub note: Option<String>,
    /// Statements.
    pub sql: Vec<String>,
    /// How to undo it.
    pub rollback: Rollback,
    /// Tables the lock is taken on.
    pub tables: Vec<QName>,
    /// Further names it depends on (for ordering across statements).
    pub touches: Vec<QName>,
    /// Objects it creates (a create never runs before an earlier statement's drop of the name).
    pub creates: Vec<QName>,
    /// Objects it drops.
    pub drops: Vec<QName>,
    /// Indices of earlier drafts of the same statement it must follow.
    pub after: Vec<usize>,
    /// Backfill details.
    pub backfill: Option<Backfill>,
    /// Verification details.
    pub verify: Option<Verify>,
    /// Gate details.
    pub gate: Option<Gate>,
    /// The recipe knowingly plans a blocking step (allowed by the user).
    pub blocking: bool,
    /// A `-- bellows:raw` statement, run verbatim and unmodelled.
    pub raw: bool,
    /// Lowest server version this step needs.
    pub min_version: u32,
    /// Replaces the knowledge base's reasoning when the step is special.
    pub why: Option<String>,
}

impl Draft {
    /// A new draft.
    pub fn new(
        slug: impl Into<String>,
        phase: Phase,
        kind: StepKind,
        form: DdlForm,
        summary: impl Into<String>,
    ) -> Self {
        Self {
            slug: slug.into(),
            phase,
            kind,
            form,
            summary: summary.into(),
            note: None,
            sql: Vec::new(),
            rollback: Rollback::Nothing,
            tables: Vec::new(),
            touches: Vec::new(),
            creates: Vec::new(),
            drops: Vec::new(),
            after: Vec::new(),
            backfill: None,
            verify: None,
            gate: None,
            blocking: false,
            raw: false,
            min_version: 11,
            why: None,
        }
    }

    /// Statements to run.
    pub fn sql(mut self, sql: impl IntoIterator<Item = String>) -> Self {
        self.sql = sql.into_iter().collect();
        self
    }

    /// Statements that undo it.
    pub fn rollback(mut self, sql: impl IntoIterator<Item = String>) -> Self {
        self.rollback = Rollback::Sql(sql.into_iter().collect());
        self
    }

    /// Cannot be undone, because...
    pub fn irreversible(mut self, why: impl Into<String>) -> Self {
        self.rollback = Rollback::Irreversible(why.into());
        self
    }

    /// A data fill whose old values are gone once written; rolling back leaves them.
    pub fn irreversible_data(self) -> Self {
        self.note("Rolling back leaves the filled values in place: they cannot be told apart from values written by the application.")
            .rollback(Vec::<String>::new())
    }

    /// Locks `table`.
    pub fn on(mut self, table: &QName) -> Self {
        if !self.tables.contains(table) {
            self.tables.push(table.clone());
        }
        self
    }

    /// Also orders after other statements' work on `name`.
    pub fn touching(mut self, name: &QName) -> Self {
        self.touches.push(name.clone());
        self
    }

    /// Creates the object `name` (and so touches it).
    pub fn creating(mut self, name: &QName) -> Self {
        self.creates.push(name.clone());
        self.touching(name)
    }

    /// Drops the object `name`.
    pub fn dropping(mut self, name: &QName) -> Self {
        self.drops.push(name.clone());
        self
    }

    /// Must follow draft `i` of the same statement.
    pub fn after(mut self, i: usize) -> Self {
        if !self.after.contains(&i) {
            self.after.push(i);
        }
        self
    }

    /// Must follow draft `i`, if there is one.
    pub fn after_opt(self, i: Option<usize>) -> Self {
        match i {
            Some(i) => self.after(i),
            None => self,
        }
    }

    /// Must follow all of these drafts.
    pub fn after_all(mut self, is: impl IntoIterator<Item = usize>) -> Self {
        for i in is {
            self = self.after(i);
        }
        self
    }

    /// Runs in `phase` instead of the one it was made with.
    pub fn in_phase(mut self, phase: Phase) -> Self {
        self.phase = phase;
        self
    }

    /// Extra reasoning for reviewers.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// Replace the reasoning entirely.
    pub fn why(mut self, why: impl Into<String>) -> Self {
        self.why = Some(why.into());
        self
    }

    /// Needs at least this server major version.
    pub fn needs(mut self, v: u32) -> Self {
        self.min_version = self.min_version.max(v);
        self
    }

    /// Knowingly blocks reads and writes (the user allowed it).
    pub fn blocking(mut self) -> Self {
        self.blocking = true;
        self
    }

    /// Marks a `-- bellows:raw` statement.
    pub fn raw(mut self) -> Self {
        self.raw = true;
        self
    }

    /// Attach verification details.
    pub fn with_verify(mut self, v: Verify) -> Self {
        self.verify = Some(v);
        self
    }

    /// Attach gate details.
    pub fn with_gate(mut self, g: Gate) -> Self {
        self.gate = Some(g);
        self
    }

    /// Attach backfill details.
    pub fn with_backfill(mut self, b: Backfill) -> Self {
        self.backfill = Some(b);
        self
    }
}
