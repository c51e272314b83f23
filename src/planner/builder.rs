//! Turning recipe drafts into plan steps: ids, locks, the zero-downtime rule, dependencies.

use std::collections::{BTreeMap, BTreeSet};

use crate::catalog::{Catalog, CatalogError, Table};
use crate::plan::{Backfill, FORMAT_VERSION, Gate, Lock, Phase, Plan, Step, StepKind, Verify};
use crate::safety::{self, DdlForm, Duration, LockMode};
use crate::sql::{Ddl, QName, SqlError, Statement};

use super::Options;

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
            after: Vec::new(),
            backfill: None,
            verify: None,
            gate: None,
            blocking: false,
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

    /// Must follow draft `i` of the same statement.
    pub fn after(mut self, i: usize) -> Self {
        if !self.after.contains(&i) {
            self.after.push(i);
        }
        self
    }

    /// Must follow all of these drafts.
    pub fn after_all(mut self, is: impl IntoIterator<Item = usize>) -> Self {
        for i in is {
            self = self.after(i);
        }
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
}

/// What a recipe sees.
pub struct Ctx<'a> {
    /// File name, for messages.
    pub path: &'a str,
    /// The schema as earlier statements leave it.
    pub cat: &'a Catalog,
    /// Settings.
    pub opts: &'a Options,
    /// The statement being planned.
    pub st: &'a Statement,
    /// Tables created earlier in this plan (no one uses them yet).
    pub new_tables: &'a BTreeSet<QName>,
}

impl Ctx<'_> {
    /// A refusal located at the statement.
    pub fn refuse(&self, message: impl Into<String>, hint: impl Into<String>) -> SqlError {
        SqlError::new(self.path, self.st.loc, message).with_hint(hint)
    }

    /// The table, or an error that says it is unknown.
    pub fn table(&self, name: &QName) -> Result<&Table, SqlError> {
        self.cat.table(name).ok_or_else(|| {
            let known: Vec<String> = self.cat.tables.keys().take(8).map(|t| t.display()).collect();
            self.refuse(
                format!("unknown table {}", name.display()),
                if known.is_empty() {
                    "the schema has no tables: pass --schema FILE or --database-url for the database this change is for".to_string()
                } else {
                    format!("check the name and the schema source; known tables include {}", known.join(", "))
                },
            )
        })
    }

    /// The column, or an error that says it is unknown.
    pub fn column<'t>(
        &self,
        table: &'t Table,
        col: &str,
    ) -> Result<&'t crate::catalog::Column, SqlError> {
        table.column(col).ok_or_else(|| {
            self.refuse(
                format!("unknown column {}.{}", table.name.display(), col),
                format!(
                    "{} has columns {}",
                    table.name.display(),
                    table
                        .columns
                        .iter()
                        .map(|c| c.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })
    }

    /// Is the table created by this plan (so no application uses it yet)?
    pub fn is_new(&self, table: &QName) -> bool {
        self.new_tables.contains(table)
    }

    /// Primary key columns for batching, or a refusal.
    pub fn batch_key(&self, table: &Table) -> Result<Vec<String>, SqlError> {
        let key = table.primary_key_columns();
        if key.is_empty() {
            return Err(self.refuse(
                format!(
                    "{} has no primary key, and bellows backfills in primary-key order",
                    table.name.display()
                ),
                "add a primary key first (bellows plans that safely too), then plan this change",
            ));
        }
        Ok(key)
    }

    /// Is `name` free for a new index or constraint in the table's schema?
    pub fn name_free(&self, schema: &str, name: &str, also_taken: &BTreeSet<String>) -> bool {
        !self.cat.name_taken(schema, name) && !also_taken.contains(name)
    }
}

/// Accumulates steps statement by statement.
pub struct Builder {
    path: String,
    original: Catalog,
    cat: Catalog,
    opts: Options,
    steps: Vec<Step>,
    /// Name → indices of the steps that touch it, in order.
    by_name: std::collections::HashMap<QName, Vec<usize>>,
    /// Ids in use.
    ids: std::collections::HashSet<String>,
    new_tables: BTreeSet<QName>,
    touched_existing: BTreeSet<QName>,
    warnings: Vec<String>,
    min_version: u32,
}

impl Builder {
    /// Start planning against `catalog`.
    pub fn new(path: &str, catalog: Catalog, opts: Options) -> Self {
        Self {
            path: path.to_string(),
            original: catalog.clone(),
            cat: catalog,
            opts,
            steps: Vec::new(),
            by_name: Default::default(),
            ids: Default::default(),
            new_tables: BTreeSet::new(),
            touched_existing: BTreeSet::new(),
            warnings: Vec::new(),
            min_version: 11,
        }
    }

    /// Plan statement number `n`.
    pub fn statement(&mut self, n: usize, st: &Statement) -> Result<(), SqlError> {
        let ctx = Ctx {
            path: &self.path,
            cat: &self.cat,
            opts: &self.opts,
            st,
            new_tables: &self.new_tables,
        };
        let out = super::recipes::plan(&ctx)?;
        for w in out.warnings {
            self.warnings
                .push(format!("statement {n} (line {}): {w}", st.loc.line));
        }
        self.add(n, st, out.drafts)?;
        self.advance(st)
    }

    fn add(&mut self, n: usize, st: &Statement, drafts: Vec<Draft>) -> Result<(), SqlError> {
        let mut ids: Vec<String> = Vec::new();
        let first_new = self.steps.len();
        for d in &drafts {
            let mut id = format!("{n}.{}", d.slug);
            let mut k = 2;
            while self.ids.contains(&id) || ids.contains(&id) {
                id = format!("{n}.{}-{k}", d.slug);
                k += 1;
            }
            ids.push(id);
        }
        for (i, d) in drafts.into_iter().enumerate() {
            let claim = safety::claim(d.form, self.opts.pg_version);
            let on_existing: Vec<&QName> = d
                .tables
                .iter()
                .filter(|t| !self.new_tables.contains(*t))
                .collect();
            let (mode, duration) = (claim.mode, claim.duration);
            if d.min_version > self.opts.pg_version {
                return Err(SqlError::new(
                    &self.path,
                    st.loc,
                    format!(
                        "a safe plan for this change needs PostgreSQL {}+ ({}), and the target is PostgreSQL {}",
                        d.min_version,
                        d.summary,
                        self.opts.pg_version
                    ),
                )
                .with_hint("upgrade the server first, or plan against the real server version with --database-url"));
            }
            let mut blocking = false;
            if !on_existing.is_empty() && !safety::zero_downtime_ok(mode, duration) {
                if d.blocking {
                    blocking = true;
                } else {
                    return Err(SqlError::new(
                        &self.path,
                        st.loc,
                        format!(
                            "internal error: step `{}` would hold {mode} for a {duration} on {}",
                            ids[i],
                            on_existing
                                .iter()
                                .map(|t| t.display())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                    .with_hint("this is a bug in bellows; please report it with the change file"));
                }
            }
            for t in &on_existing {
                if self.original.tables.contains_key(*t) {
                    self.touched_existing.insert((*t).clone());
                }
            }
            self.min_version = self.min_version.max(d.min_version);
            let mut depends_on: Vec<String> = d
                .after
                .iter()
                .filter_map(|&j| ids.get(j).cloned())
                .collect();
            let local_same_phase = d.after.iter().any(|&j| {
                self.steps
                    .get(first_new + j)
                    .is_some_and(|s| s.phase == d.phase)
            });
            let mut touches: Vec<QName> = d.tables.clone();
            touches.extend(d.touches.iter().cloned());
            if !local_same_phase {
                for t in &touches {
                    let earlier = self.by_name.get(t).into_iter().flatten().rev();
                    if let Some(&prev) = earlier
                        .filter(|&&p| p < first_new)
                        .find(|&&p| self.steps[p].phase <= d.phase)
                    {
                        let id = self.steps[prev].id.clone();
                        if !depends_on.contains(&id) {
                            depends_on.push(id);
                        }
                    }
                }
            }
            let why = match (&d.why, &d.note) {
                (Some(w), _) => w.clone(),
                (None, Some(n)) => format!("{}. {}", capitalize(claim.why), n),
                (None, None) => format!("{}.", capitalize(claim.why)),
            };
            let (rollback_sql, irreversible_reason) = match d.rollback {
                Rollback::Sql(s) => (Some(s), None),
                Rollback::Nothing => (Some(Vec::new()), None),
                Rollback::Irreversible(r) => (None, Some(r)),
            };
            self.steps.push(Step {
                id: ids[i].clone(),
                phase: d.phase,
                kind: d.kind,
                summary: d.summary,
                why,
                sql: d.sql,
                rollback_sql,
                irreversible_reason,
                transactional: claim.transactional
                    && !matches!(d.kind, StepKind::DdlConcurrent | StepKind::Gate),
                lock: Lock {
                    mode: if d.tables.is_empty() {
                        LockMode::None
                    } else {
                        mode
                    },
                    tables: d.tables.iter().map(|t| t.display()).collect(),
                    duration: if d.tables.is_empty() && mode == LockMode::None {
                        Duration::None
                    } else {
                        duration
                    },
                },
                depends_on,
                statement: n,
                blocking,
                backfill: d.backfill,
                verify: d.verify,
                gate: d.gate,
            });
            let index = self.steps.len() - 1;
            self.ids.insert(self.steps[index].id.clone());
            for t in touches {
                let list = self.by_name.entry(t).or_default();
                if list.last() != Some(&index) {
                    list.push(index);
                }
            }
        }
        Ok(())
    }

    /// Move the catalog past the statement.
    fn advance(&mut self, st: &Statement) -> Result<(), SqlError> {
        if let Ddl::CreateTable(t) = &st.ddl {
            self.new_tables.insert(t.name.clone());
        }
        if let Ddl::AlterTable { table, actions } = &st.ddl {
            for a in actions {
                if let crate::sql::ddl::AlterAction::RenameTable { to } = a
                    && self.new_tables.contains(table)
                {
                    self.new_tables.insert(table.sibling(to.clone()));
                }
            }
        }
        self.cat.apply(&st.ddl).map_err(|e| match e {
            CatalogError::Mismatch(m) => SqlError::new(&self.path, st.loc, m).with_hint(
                "the change does not fit the schema; check names against the schema source",
            ),
            CatalogError::Sql(s) => s,
            other => SqlError::new(&self.path, st.loc, other.to_string()),
        })
    }

    /// The finished, ordered and sealed plan.
    pub fn finish(self, path: &str, text: &str) -> Plan {
        let order = crate::plan::graph::order(&self.steps)
            .unwrap_or_else(|_| (0..self.steps.len()).collect());
        let steps: Vec<Step> = order.into_iter().map(|i| self.steps[i].clone()).collect();
        let phases = Phase::ALL
            .into_iter()
            .filter(|p| steps.iter().any(|s| s.phase == *p))
            .collect();
        let fingerprint: BTreeMap<String, crate::plan::TableFingerprint> = self
            .touched_existing
            .iter()
            .filter_map(|t| {
                self.original.table(t).map(|tb| {
                    (
                        t.display(),
                        crate::plan::TableFingerprint {
                            digest: tb.fingerprint(),
                            shape: tb.shape(),
                        },
                    )
                })
            })
            .collect();
        let file = std::path::Path::new(path)
            .file_name()
            .map(|f| f.to_string_lossy().to_string())
            .unwrap_or_else(|| path.to_string());
        let name = std::path::Path::new(&file)
            .file_stem()
            .map(|f| f.to_string_lossy().to_string())
            .unwrap_or_else(|| file.clone());
        let mut warnings = self.warnings;
        for t in &self.touched_existing {
            if let Some(rows) = self.original.table(t).and_then(|t| t.row_estimate)
                && rows > 0
            {
                warnings.push(format!("{} has about {rows} rows", t.display()));
            }
        }
        let mut plan = Plan {
            format_version: FORMAT_VERSION,
            name,
            source_file: file,
            source_sql: text.trim_end().to_string() + "\n",
            hash: String::new(),
            pg_version: self.min_version,
            fingerprint,
            phases,
            warnings,
            steps,
        };
        plan.seal();
        plan
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}
