//! Turning recipe drafts into plan steps: ids, locks from the knowledge base, the
//! zero-downtime rule, dependencies inside and across statements, and the final order.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::Options;
use super::kit::{Ctx, Draft, Rollback};
use crate::catalog::{Catalog, Evolving};
use crate::plan::{FORMAT_VERSION, Lock, Phase, Plan, Step, StepKind, TableFingerprint};
use crate::safety::{self, Duration, LockMode};
use crate::sql::{QName, SqlError, Statement};

/// Accumulates steps statement by statement.
pub struct Builder {
    path: String,
    original: Catalog,
    schema: Evolving,
    opts: Options,
    steps: Vec<Step>,
    /// Name → indices of the steps that touch it, in order.
    by_name: HashMap<QName, Vec<usize>>,
    /// Ids in use.
    ids: HashSet<String>,
    /// Object → the step that drops it (the latest one).
    dropped: HashMap<QName, usize>,
    touched_existing: BTreeSet<QName>,
    warnings: Vec<String>,
    app_search_path: Vec<String>,
    min_version: u32,
}

impl Builder {
    /// Start planning against `catalog`.
    pub fn new(path: &str, catalog: Catalog, opts: Options) -> Self {
        Self {
            path: path.to_string(),
            original: catalog.clone(),
            schema: Evolving::new(catalog),
            opts,
            steps: Vec::new(),
            by_name: HashMap::new(),
            ids: HashSet::new(),
            dropped: HashMap::new(),
            touched_existing: BTreeSet::new(),
            warnings: Vec::new(),
            app_search_path: Vec::new(),
            min_version: 11,
        }
    }

    /// Plan statement number `n`.
    pub fn statement(&mut self, n: usize, st: &Statement) -> Result<(), SqlError> {
        let ctx = Ctx::new(&self.path, &self.schema, &self.opts, st);
        let out = super::recipes::plan(&ctx)?;
        self.refuse_unread(st, &out.drafts)?;
        self.refuse_on_partitioned(st, &out.drafts)?;
        for w in out.warnings {
            self.warnings
                .push(format!("statement {n} (line {}): {w}", st.loc.line));
        }
        for schema in out.app_search_path {
            if !self.app_search_path.contains(&schema) {
                self.app_search_path.push(schema);
            }
        }
        self.add(n, st, out.drafts)?;
        self.schema.advance(&self.path, st.loc, &st.ddl)
    }

    /// A plan never touches an object the schema file could not fully describe: a statement
    /// naming it was skipped, so its indexes, triggers or partitions may be missing here.
    fn refuse_unread(&self, st: &Statement, drafts: &[Draft]) -> Result<(), SqlError> {
        let named = drafts
            .iter()
            .flat_map(|d| d.tables.iter().chain(&d.touches).chain(&d.drops))
            .find_map(|t| Some((t, self.original.unread_naming(t)?)));
        match named {
            None => Ok(()),
            Some((t, u)) => Err(SqlError::new(
                &self.path,
                st.loc,
                format!(
                    "the schema does not fully describe {}: {}:{} names it and was not read ({}): `{}`",
                    t.display(),
                    u.path,
                    u.line,
                    u.reason,
                    u.statement
                ),
            )
            .with_hint(
                "plan against the live database (--database-url reads its catalog directly), \
                 or rewrite that statement in the schema file in a form bellows reads",
            )),
        }
    }

    /// Steps PostgreSQL rejects on a partitioned table (observed on 15): a concurrent index
    /// build or drop, and a NOT VALID foreign key. A plan never reaches the server with one;
    /// the recipes that know partitions plan around them.
    fn refuse_on_partitioned(&self, st: &Statement, drafts: &[Draft]) -> Result<(), SqlError> {
        use crate::safety::DdlForm as F;
        let cat = self.schema.catalog();
        for d in drafts {
            let Some(t) = d.tables.first().and_then(|t| cat.table(t)) else {
                continue;
            };
            if !t.is_partitioned() {
                continue;
            }
            let what = match d.form {
                F::CreateIndexConcurrently => "build an index concurrently",
                F::DropIndexConcurrently => "drop an index concurrently",
                F::AddForeignKeyNotValid => "add a NOT VALID foreign key",
                _ => continue,
            };
            return Err(SqlError::new(
                &self.path,
                st.loc,
                format!(
                    "{} is partitioned, and PostgreSQL cannot {what} on a partitioned table (step `{}`)",
                    t.name.display(),
                    d.slug
                ),
            )
            .with_hint(
                "bellows plans CREATE INDEX on partitioned tables; for this change, plan it on each partition (they are ordinary tables), or run it in a maintenance window",
            ));
        }
        Ok(())
    }

    fn add(&mut self, n: usize, st: &Statement, mut drafts: Vec<Draft>) -> Result<(), SqlError> {
        let ids = self.ids_for(n, &drafts);
        let first_new = self.steps.len();
        self.keep_file_order(&mut drafts);
        for (i, d) in drafts.into_iter().enumerate() {
            let drops = d.drops.clone();
            let NewStep(step, touches) = self.step(n, st, &ids, i, first_new, d)?;
            let index = self.steps.len();
            self.ids.insert(step.id.clone());
            self.steps.push(step);
            for name in drops {
                self.dropped.insert(name, index);
            }
            for t in touches {
                let list = self.by_name.entry(t).or_default();
                if list.last() != Some(&index) {
                    list.push(index);
                }
            }
        }
        Ok(())
    }

    /// A draft that creates an object an earlier statement drops runs in the drop's phase
    /// or later (so after it: `DROP VIEW v; ...; CREATE VIEW v ...` recreates the view only
    /// once the old one is gone), and so do the drafts of its statement that follow it.
    fn keep_file_order(&self, drafts: &mut [Draft]) {
        for i in 0..drafts.len() {
            let dropped = drafts[i]
                .creates
                .iter()
                .filter_map(|c| self.dropped.get(c))
                .map(|&s| self.steps[s].phase);
            let follows = drafts[i]
                .after
                .iter()
                .filter_map(|&j| drafts.get(j))
                .map(|d| d.phase);
            if let Some(p) = dropped.chain(follows).max()
                && p > drafts[i].phase
            {
                drafts[i].phase = p;
            }
        }
    }

    /// `n.slug`, with `-2`, `-3`... where a slug repeats. Linear in the drafts: each slug
    /// resumes its numbering where it stopped (the ids below it are all taken).
    fn ids_for(&self, n: usize, drafts: &[Draft]) -> Vec<String> {
        let mut ids: Vec<String> = Vec::with_capacity(drafts.len());
        let mut local: HashSet<String> = HashSet::with_capacity(drafts.len());
        let mut next: HashMap<&str, usize> = HashMap::new();
        for d in drafts {
            let taken = |id: &String| self.ids.contains(id) || local.contains(id);
            let mut id = format!("{n}.{}", d.slug);
            if taken(&id) {
                let k = next.entry(d.slug.as_str()).or_insert(2);
                id = format!("{n}.{}-{k}", d.slug);
                while taken(&id) {
                    *k += 1;
                    id = format!("{n}.{}-{k}", d.slug);
                }
                *k += 1;
            }
            local.insert(id.clone());
            ids.push(id);
        }
        ids
    }

    /// Draft `i` of statement `n` as a step, with the names it touches.
    fn step(
        &mut self,
        n: usize,
        st: &Statement,
        ids: &[String],
        i: usize,
        first_new: usize,
        d: Draft,
    ) -> Result<NewStep, SqlError> {
        let claim = safety::claim(d.form, self.opts.pg_version);
        let (mode, duration) = (claim.mode, claim.duration);
        self.check_version(st, &d)?;
        let blocking = self.check_zero_downtime(st, &ids[i], &d, mode, duration)?;
        self.min_version = self.min_version.max(d.min_version);
        let mut touches: Vec<QName> = d.tables.clone();
        touches.extend(d.touches.iter().cloned());
        let depends_on = self.depends_on(ids, first_new, &d, &touches);
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
        let step = Step {
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
            raw: d.raw,
            backfill: d.backfill,
            verify: d.verify,
            gate: d.gate,
        };
        Ok(NewStep(step, touches))
    }

    /// Refuse a step that needs a newer server than the target.
    fn check_version(&self, st: &Statement, d: &Draft) -> Result<(), SqlError> {
        if d.min_version <= self.opts.pg_version {
            return Ok(());
        }
        Err(SqlError::new(
            &self.path,
            st.loc,
            format!(
                "a safe plan for this change needs PostgreSQL {}+ ({}), and the target is PostgreSQL {}",
                d.min_version, d.summary, self.opts.pg_version
            ),
        )
        .with_hint("upgrade the server first, or plan against the real server version with --database-url"))
    }

    /// The zero-downtime rule on tables that exist before the change: a long blocking lock
    /// is a bug unless the recipe planned it knowingly (the user allowed blocking steps).
    /// Returns whether the step blocks; records the existing tables it touches.
    fn check_zero_downtime(
        &mut self,
        st: &Statement,
        id: &str,
        d: &Draft,
        mode: LockMode,
        duration: Duration,
    ) -> Result<bool, SqlError> {
        let on_existing: Vec<&QName> = d.tables.iter().filter(|t| !self.schema.is_new(t)).collect();
        let mut blocking = false;
        if !on_existing.is_empty() && !safety::zero_downtime_ok(mode, duration) {
            if !d.blocking {
                let names: Vec<String> = on_existing.iter().map(|t| t.display()).collect();
                return Err(SqlError::new(
                    &self.path,
                    st.loc,
                    format!(
                        "internal error: step `{id}` would hold {mode} for a {duration} on {}",
                        names.join(", ")
                    ),
                )
                .with_hint("this is a bug in bellows; please report it with the change file"));
            }
            blocking = true;
        }
        for t in on_existing {
            if self.original.tables.contains_key(t) {
                self.touched_existing.insert(t.clone());
            }
        }
        Ok(blocking)
    }

    /// Dependencies: the drafts it follows within its statement, and (unless it already
    /// follows one in its own phase) the latest earlier statement's step on each name it
    /// touches, in the same or an earlier phase.
    fn depends_on(
        &self,
        ids: &[String],
        first_new: usize,
        d: &Draft,
        touches: &[QName],
    ) -> Vec<String> {
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
        if local_same_phase {
            return depends_on;
        }
        for t in touches {
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
        depends_on
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
        let fingerprint: BTreeMap<String, TableFingerprint> = self
            .touched_existing
            .iter()
            .filter_map(|t| {
                self.original.table(t).map(|tb| {
                    (
                        t.display(),
                        TableFingerprint {
                            digest: tb.fingerprint(),
                            shape: tb.shape(),
                        },
                    )
                })
            })
            .collect();
        let (file, name) = file_and_name(path);
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
            app_search_path: self.app_search_path,
            steps,
        };
        plan.seal();
        plan
    }
}

/// A step and the names it touches.
struct NewStep(Step, Vec<QName>);

/// The change file's name and the plan name (its stem).
fn file_and_name(path: &str) -> (String, String) {
    let file = std::path::Path::new(path)
        .file_name()
        .map(|f| f.to_string_lossy().to_string())
        .unwrap_or_else(|| path.to_string());
    let name = std::path::Path::new(&file)
        .file_stem()
        .map(|f| f.to_string_lossy().to_string())
        .unwrap_or_else(|| file.clone());
    (file, name)
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use crate::plan::Phase;

    #[test]
    fn a_create_after_a_drop_of_the_same_name_runs_after_it() {
        let cat = crate::catalog::load_str(
            "s.sql",
            "CREATE TABLE t (id bigint PRIMARY KEY, a text);\nCREATE VIEW v AS SELECT id, a FROM t;",
        )
        .expect("schema");
        let plan = crate::planner::plan(
            "c.sql",
            "DROP VIEW v;\nCREATE VIEW v AS SELECT id FROM t;",
            &cat,
            &Default::default(),
        )
        .expect("plans");
        let create = plan
            .steps
            .iter()
            .find(|s| s.id == "2.create")
            .expect("create");
        assert_eq!(create.phase, Phase::Contract);
        assert_eq!(create.depends_on, ["1.drop-view"]);
        let order: Vec<&str> = plan.steps.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(order, ["1.drop-view", "2.create"]);
    }
}
