//! The application a rehearsal runs beside the plan, derived from the schema: for each table
//! the plan touches, inserts of new synthetic rows, reads of its columns by name, and updates
//! of the columns the plan changes (so the sync triggers see writes). Old code (the schema
//! before the plan) runs until the first gate, new code (the schema after it) from then on,
//! as a deploy would. Every statement is timed against the phase under way; a failure is
//! kept with the step it happened in.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::Connection;

use super::report::Application;
use crate::catalog::{Catalog, Parent, Table};
use crate::plan::Phase;
use crate::sql::{QName, quote_ident as q};
use crate::synth;

/// Characters of a failed statement shown.
const SHOW_SQL: usize = 160;
/// Different failures kept word for word (the rest are counted).
const KEEP_FAILURES: usize = 5;
/// Rows a read or an update picks among (the first rows of a table).
const PICK_AMONG: u64 = 1000;

/// The statements of one version of the application for one table.
#[derive(Debug, Clone)]
struct TableWork {
    /// The table (for inserts).
    name: QName,
    /// How this code names it: qualified, or bare when a search_path finds it (versioned
    /// views put a view of the same name first).
    named: String,
    /// The key a pick matches on: primary key columns, or `tableoid, ctid`.
    key: String,
    /// Which catalog its inserts come from.
    new_code: bool,
    /// Reads every column it knows by name.
    select: String,
    /// `SET ...` of the columns the plan changes (none: no update).
    update: Option<String>,
}

impl TableWork {
    /// The update of the `n`-th pick among the table's first rows.
    fn update(&self, n: u64, rows: u64) -> Option<String> {
        let (t, key) = (&self.named, &self.key);
        let k = n % rows.clamp(1, PICK_AMONG);
        self.update.as_ref().map(|set| {
            format!(
                "UPDATE {t} SET {set} WHERE ({key}) = (SELECT {key} FROM {t} OFFSET {k} LIMIT 1)"
            )
        })
    }
}

/// Both versions of the application.
#[derive(Debug, Clone)]
pub struct Workload {
    old: Vec<TableWork>,
    new: Vec<TableWork>,
    /// What old code's inserts are made from.
    before: Catalog,
    /// What new code's inserts are made from.
    after: Catalog,
    synth: synth::Settings,
    /// `SET search_path` new code runs first (versioned views), if any.
    pub new_code_setup: Option<String>,
}

impl Workload {
    /// The load for `tables` (the plan's, holding rows) between the schema before and after
    /// the plan; old code's inserts satisfy what the plan adds too (the seed catalog), and
    /// every insert numbers its row after the `synth.rows` already there.
    pub fn new(
        tables: &[QName],
        p: &super::base::Prepared,
        s: synth::Settings,
        search_path: &[String],
    ) -> Self {
        let (before, after) = (&p.before, &p.after);
        let of = |cat: &Catalog, other: &Catalog, new_code: bool| -> Vec<TableWork> {
            let mut names: Vec<&QName> = tables
                .iter()
                .filter(|n| cat.tables.contains_key(n))
                .collect();
            if new_code {
                // Tables the plan creates or renames into: new code uses them.
                names.extend(cat.tables.keys().filter(|n| !other.tables.contains_key(n)));
            }
            names
                .into_iter()
                .filter_map(|n| cat.tables.get(n))
                .filter(|t| !matches!(t.parent, Some(Parent::Partition { .. })))
                .map(|t| {
                    let bare = new_code && search_path.contains(&t.name.schema);
                    work(t, other.tables.get(&t.name), new_code, bare)
                })
                .collect()
        };
        Self {
            old: of(before, after, false),
            new: of(after, before, true),
            before: p.seed.clone(),
            after: after.clone(),
            synth: s,
            new_code_setup: (!search_path.is_empty()).then(|| {
                format!(
                    "SET search_path TO {}",
                    search_path
                        .iter()
                        .map(|x| q(x))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }),
        }
    }

    /// No table to load (the plan touches none the application uses).
    pub fn is_empty(&self) -> bool {
        self.old.is_empty() && self.new.is_empty()
    }
}

/// One table's statements; `other` is the same table on the other side of the plan.
fn work(t: &Table, other: Option<&Table>, new_code: bool, bare: bool) -> TableWork {
    let named = if bare { q(&t.name.name) } else { t.name.sql() };
    let pk = t.primary_key_columns();
    let key = if pk.is_empty() {
        "tableoid, ctid".to_string()
    } else {
        pk.iter().map(|c| q(c)).collect::<Vec<_>>().join(", ")
    };
    let cols: Vec<String> = t.columns.iter().map(|c| q(&c.name)).collect();
    let changed: Vec<String> = t
        .columns
        .iter()
        .filter(|c| {
            c.generated.is_none()
                && other.is_some_and(|o| o.column(&c.name).is_none_or(|oc| oc.ty != c.ty))
        })
        .map(|c| q(&c.name))
        .collect();
    TableWork {
        name: t.name.clone(),
        new_code,
        select: format!("SELECT {} FROM {named} LIMIT 5", cols.join(", ")),
        named,
        key,
        update: (!changed.is_empty()).then(|| {
            changed
                .iter()
                .map(|c| format!("{c} = {c}"))
                .collect::<Vec<_>>()
                .join(", ")
        }),
    }
}

/// What the application and the rehearsal share while the plan runs.
#[derive(Debug, Default)]
pub struct Shared {
    /// The new version is deployed.
    pub new_code: AtomicBool,
    /// Stop the load.
    pub stop: AtomicBool,
    /// The phase under way and where in it (`during step X`, `after step X`).
    pub now: Mutex<Option<(Phase, String)>>,
    statements: AtomicU64,
    reprepared: AtomicU64,
    failed: AtomicU64,
    failures: Mutex<Vec<String>>,
    worst_us: Mutex<BTreeMap<Phase, u64>>,
}

impl Shared {
    /// The phase under way.
    pub fn phase(&self) -> Option<Phase> {
        self.now
            .lock()
            .ok()
            .and_then(|n| n.as_ref().map(|(p, _)| *p))
    }

    /// Where the plan is now.
    pub fn at(&self, phase: Phase, what: String) {
        if let Ok(mut now) = self.now.lock() {
            *now = Some((phase, what));
        }
    }

    /// Slowest statement per phase, milliseconds.
    pub fn worst_ms(&self, phase: Phase) -> f64 {
        self.worst_us
            .lock()
            .ok()
            .and_then(|w| w.get(&phase).copied())
            .unwrap_or(0) as f64
            / 1000.0
    }

    /// The application's counters.
    pub fn application(&self) -> Application {
        Application {
            statements: self.statements.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
            failures: self.failures.lock().map(|f| f.clone()).unwrap_or_default(),
            reprepared: self.reprepared.load(Ordering::Relaxed),
        }
    }

    fn failure(&self, sql: &str, error: &str) {
        self.failed.fetch_add(1, Ordering::Relaxed);
        let at = self
            .now
            .lock()
            .ok()
            .and_then(|n| n.clone())
            .map_or("before the first step".to_string(), |(p, s)| {
                format!("{s} ({})", p.name())
            });
        let shown: String = if sql.chars().count() > SHOW_SQL {
            sql.chars().take(SHOW_SQL).collect::<String>() + " ..."
        } else {
            sql.to_string()
        };
        if let Ok(mut f) = self.failures.lock()
            && f.len() < KEEP_FAILURES
            && !f.iter().any(|x| x.contains(error))
        {
            f.push(format!("{at}: {error}\n  in: {shown}"));
        }
    }

    fn timed(&self, took: Duration) {
        self.statements.fetch_add(1, Ordering::Relaxed);
        if let (Some(p), Ok(mut w)) = (self.phase(), self.worst_us.lock()) {
            let e = w.entry(p).or_default();
            *e = (*e).max(took.as_micros() as u64);
        }
    }
}

/// Run the application against `url` until told to stop.
pub async fn run(url: String, work: Arc<Workload>, shared: Arc<Shared>) {
    let Ok(mut c) = sqlx::PgConnection::connect(&url).await else {
        shared.failure("connect", "the application cannot connect");
        return;
    };
    let mut n: u64 = 0;
    let mut deployed = false;
    while !shared.stop.load(Ordering::Relaxed) {
        n += 1;
        let new_code = shared.new_code.load(Ordering::Relaxed);
        if new_code && !deployed {
            deployed = true;
            if let Some(setup) = &work.new_code_setup {
                statement(&mut c, setup, &shared).await;
            }
        }
        let side = if new_code { &work.new } else { &work.old };
        if side.is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        }
        let t = &side[(n as usize / 3) % side.len()];
        let sql = match n % 3 {
            0 => insert(&work, t, n),
            1 => t.update(n / 3, work.synth.rows),
            _ => Some(t.select.clone()),
        };
        if let Some(sql) = sql {
            statement(&mut c, &sql, &shared).await;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let _ = c.close().await;
}

/// A new synthetic row numbered after the seeded ones.
fn insert(work: &Workload, t: &TableWork, n: u64) -> Option<String> {
    let cat = if t.new_code {
        &work.after
    } else {
        &work.before
    };
    let g = work.synth.rows + n;
    match synth::rows_of(cat, &t.name, &work.synth, g..=g)? {
        synth::TablePlan::Insert { sql, .. } => Some(sql.replacen(&t.name.sql(), &t.named, 1)),
        synth::TablePlan::Skipped { .. } => None,
    }
}

/// Run one statement, timing it; prepared once more after "cached plan must not change
/// result type", as drivers such as pgjdbc do.
async fn statement(c: &mut sqlx::PgConnection, sql: &str, shared: &Shared) {
    let t = Instant::now();
    let mut r = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&mut *c)
        .await;
    if let Err(e) = &r
        && e.to_string()
            .contains("cached plan must not change result type")
    {
        shared.reprepared.fetch_add(1, Ordering::Relaxed);
        let _ = c.clear_cached_statements().await;
        r = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&mut *c)
            .await;
    }
    shared.timed(t.elapsed());
    if let Err(e) = r {
        shared.failure(sql, &e.to_string());
    }
}
