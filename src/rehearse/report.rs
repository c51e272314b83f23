//! What a rehearsal found: per phase time, rows/s, locks and application latency; the
//! checks with their evidence; the rollback of each phase boundary; and the verdict.
//! Serialised as the `--format json` document (fields documented here).

use serde::Serialize;

use crate::plan::Phase;

/// The whole rehearsal.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The plan's name and content hash.
    pub plan: String,
    /// Hex SHA-256 of the plan.
    pub hash: String,
    /// The throwaway server's major version, and the one wanted (the target's), when known.
    pub server: Server,
    /// Synthetic rows per table, and the seed that chose them.
    pub rows: u64,
    /// The seed.
    pub seed: u64,
    /// Tables left without rows, and why (a check over them proves less).
    pub not_filled: Vec<String>,
    /// One entry per phase of the plan, in order.
    pub phases: Vec<PhaseReport>,
    /// The application load that ran beside the plan.
    pub application: Application,
    /// Each check and whether it held.
    pub checks: Vec<Check>,
    /// Each phase boundary before contract: run to it, rolled back, compared.
    pub rollbacks: Vec<Boundary>,
    /// With `--env`: each backfilled table's time at that environment's row count.
    pub extrapolated: Vec<Extrapolated>,
    /// Every check held and every rollback restored the schema.
    pub passed: bool,
}

/// The server the rehearsal ran on.
#[derive(Debug, Clone, Serialize)]
pub struct Server {
    /// Major version used.
    pub major: u32,
    /// Major version of the target, when rehearsing an environment.
    pub wanted: Option<u32>,
}

/// One phase of the full run.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseReport {
    /// The phase.
    pub phase: Phase,
    /// Time its steps took (gate waits left out), milliseconds.
    pub ms: u64,
    /// Rows its backfills changed or read.
    pub rows: i64,
    /// Rows per second of its backfills, when it has any.
    pub rows_per_s: Option<f64>,
    /// Strongest table lock the plan's sessions were seen holding.
    pub strongest_lock: Option<String>,
    /// Longest time one such lock was seen held, milliseconds.
    pub longest_hold_ms: u64,
    /// Slowest application statement while the phase ran, milliseconds.
    pub app_max_latency_ms: f64,
}

/// The application load.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Application {
    /// Statements run.
    pub statements: u64,
    /// Statements that failed.
    pub failed: u64,
    /// The first failures: statement, error and the step under way.
    pub failures: Vec<String>,
    /// Statements the application prepared again after a type change (as drivers do).
    pub reprepared: u64,
}

/// The checks a rehearsal makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// The plan ran to its end.
    PlanRan,
    /// No application statement failed.
    Application,
    /// Every column the plan does not change holds the same data, row for row.
    UnchangedData,
    /// Every backfilled column equals its expression before contract (no row left).
    Backfilled,
    /// Every phase boundary rolled back to the schema it started from.
    Rollback,
}

impl CheckKind {
    /// For people.
    pub fn describe(self) -> &'static str {
        match self {
            CheckKind::PlanRan => "the plan ran to its end",
            CheckKind::Application => "no application statement failed",
            CheckKind::UnchangedData => "unchanged columns hold the same data (checksums)",
            CheckKind::Backfilled => "every backfilled column equals its expression",
            CheckKind::Rollback => "every phase boundary rolls back to the original schema",
        }
    }
}

/// One check.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// Which.
    pub check: CheckKind,
    /// Whether it held.
    pub passed: bool,
    /// What was seen (why it failed, or what it covered).
    pub evidence: Vec<String>,
}

/// The rollback of one phase boundary.
#[derive(Debug, Clone, Serialize)]
pub struct Boundary {
    /// Run through this phase, then rolled back.
    pub after: Phase,
    /// What happened (`outcome` and its fields, flattened into the boundary).
    #[serde(flatten)]
    pub outcome: BoundaryOutcome,
}

/// How one boundary's rollback went.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum BoundaryOutcome {
    /// The catalog after rollback is identical to the one before.
    Identical,
    /// It differs: each difference as `object: what`.
    Differs { differences: Vec<String> },
    /// A step before it says it cannot be undone (planned that way; not verified further).
    Irreversible { step: String, reason: String },
    /// The run or the rollback failed.
    Failed { error: String },
}

/// A backfill's time at the target environment's size.
#[derive(Debug, Clone, Serialize)]
pub struct Extrapolated {
    /// The table.
    pub table: String,
    /// Rows there (the planner's estimate).
    pub rows: i64,
    /// Seconds at the rehearsal's rows per second.
    pub seconds: f64,
}

impl Report {
    /// The report for people.
    pub fn text(&self) -> String {
        let mut o = format!(
            "rehearsal of {} ({})\n",
            self.plan,
            &self.hash[..12.min(self.hash.len())]
        );
        o += &format!(
            "  PostgreSQL {}{}, {} synthetic rows per table, seed {}\n",
            self.server.major,
            match self.server.wanted {
                Some(w) if w != self.server.major => {
                    format!(" (the target runs {w}; its binaries are not installed here)")
                }
                _ => String::new(),
            },
            self.rows,
            self.seed
        );
        for t in &self.not_filled {
            o += &format!("  not filled: {t}\n");
        }
        o += "\nphase        time      rows/s     strongest lock (longest hold)         app max latency\n";
        for p in &self.phases {
            o += &format!(
                "{:<12} {:>7}  {:>10}  {:<37} {:>8.1} ms\n",
                p.phase.name(),
                ms(p.ms),
                p.rows_per_s.map_or("-".into(), |r| format!("{r:.0}")),
                p.strongest_lock
                    .as_ref()
                    .map_or("-".into(), |l| format!("{l} ({})", ms(p.longest_hold_ms))),
                p.app_max_latency_ms
            );
        }
        o += "(locks: what the plan's own sessions were seen holding on tables and indexes, sampled every 10 ms; - none seen)\n";
        if self.application.statements == 0 {
            o += "\napplication: no load (the plan touches no table an application writes)\n";
        } else {
            o += &format!(
                "\napplication: {} statements, {} failed{}\n",
                self.application.statements,
                self.application.failed,
                if self.application.reprepared > 0 {
                    format!(
                        ", {} prepared again after a type change",
                        self.application.reprepared
                    )
                } else {
                    String::new()
                }
            );
        }
        o += "\nchecks:\n";
        for c in &self.checks {
            o += &format!(
                "  {} {}\n",
                if c.passed { "ok    " } else { "FAILED" },
                c.check.describe()
            );
            for e in &c.evidence {
                o += &format!("         {}\n", e.replace('\n', "\n         "));
            }
        }
        if !self.rollbacks.is_empty() {
            o += "\nrollback per phase boundary (a fresh copy each):\n";
        }
        for b in &self.rollbacks {
            let what = match &b.outcome {
                BoundaryOutcome::Identical => "ok     schema identical to the original".to_string(),
                BoundaryOutcome::Differs { differences } => format!(
                    "FAILED schema differs from the original:\n           {}",
                    differences.join("\n           ")
                ),
                BoundaryOutcome::Irreversible { step, reason } => {
                    format!("ok     not undoable past step {step}, as the plan says: {reason}")
                }
                BoundaryOutcome::Failed { error } => format!("FAILED {error}"),
            };
            o += &format!("  after {:<11} {what}\n", b.after.name());
        }
        if !self.extrapolated.is_empty() {
            o += "\nat the environment's size:\n";
        }
        for x in &self.extrapolated {
            o += &format!(
                "  {}: ~{} rows, backfill ~{}\n",
                x.table,
                x.rows,
                ms((x.seconds * 1000.0) as u64)
            );
        }
        o += if self.passed {
            "\nrehearsal passed\n"
        } else {
            "\nrehearsal FAILED\n"
        };
        o
    }
}

/// Milliseconds for people.
fn ms(v: u64) -> String {
    if v < 1000 {
        format!("{v} ms")
    } else if v < 120_000 {
        format!("{:.1} s", v as f64 / 1000.0)
    } else {
        format!("{:.0} min", v as f64 / 60_000.0)
    }
}
