//! `bellows demo`: a throwaway PostgreSQL with 200,000 users, a small application that keeps
//! reading and writing, a planned rename plus type change, and the console on it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sqlx::Connection;

use super::Failure;
use crate::executor::{RunSettings, StepState};
use crate::pgtemp::TempCluster;
use crate::planner::{self, Options};

/// The change the demo plans.
pub const CHANGE: &str =
    "-- The naive change: rename a column the application uses, and widen another.
ALTER TABLE users RENAME COLUMN email TO email_address;
ALTER TABLE users ALTER COLUMN score TYPE bigint;
";

const SCHEMA: &str = "CREATE TABLE users (
    id bigserial PRIMARY KEY,
    email text NOT NULL UNIQUE,
    name text,
    score integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO users (email, name, score)
SELECT 'user' || g || '@example.com', 'User ' || g, g % 1000 FROM generate_series(1, 200000) g;
ANALYZE users;";

/// Counters of the simulated application.
#[derive(Default)]
struct Stats {
    ok: AtomicU64,
    failed: AtomicU64,
    worst_us: AtomicU64,
}

/// The simulated application: old column names until the first gate is reached (the new
/// version "deploys" then, before the operator confirms), re-preparing once after a type
/// swap as pgjdbc does.
async fn application(url: String, stats: Arc<Stats>, stop: Arc<AtomicBool>) {
    let Ok(mut c) = sqlx::PgConnection::connect(&url).await else {
        return;
    };
    let mut n: i64 = 0;
    let mut new_code = false;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        // The new version deploys while the first gate waits (before anyone confirms it).
        if !new_code && n % 10 == 0 {
            new_code = sqlx::query_scalar::<_, bool>("SELECT to_regclass('bellows.steps') IS NOT NULL AND EXISTS (SELECT 1 FROM bellows.steps WHERE step_id LIKE '%gate' AND state IN ($1, $2))")
                .bind(StepState::WaitingAtGate.as_str())
                .bind(StepState::Done.as_str())
                .fetch_one(&mut c)
                .await
                .unwrap_or(new_code);
        }
        let col = if new_code { "email_address" } else { "email" };
        let id = 1 + (n * 7919) % 200_000;
        let sql = match n % 3 {
            0 => format!(
                "INSERT INTO users ({col}, name) VALUES ('new' || $1 || '-' || $2 || '@example.com', 'New')"
            ),
            1 => format!(
                "UPDATE users SET {col} = 'user' || $1 || '@example.com', score = score + 1 WHERE id = $1 AND $2 > 0"
            ),
            _ => format!("SELECT {col}, score FROM users WHERE id = $1 AND $2 > 0"),
        };
        let t = Instant::now();
        let mut r = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .bind(id)
            .bind(n)
            .execute(&mut c)
            .await;
        if let Err(e) = &r
            && e.to_string()
                .contains("cached plan must not change result type")
        {
            let _ = c.clear_cached_statements().await;
            r = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(id)
                .bind(n)
                .execute(&mut c)
                .await;
        }
        match r {
            Ok(_) => {
                stats.ok.fetch_add(1, Ordering::Relaxed);
                stats
                    .worst_us
                    .fetch_max(t.elapsed().as_micros() as u64, Ordering::Relaxed);
            }
            Err(_) => {
                stats.failed.fetch_add(1, Ordering::Relaxed);
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Run the demo.
pub fn run() -> Result<(), Failure> {
    eprintln!("starting a throwaway PostgreSQL...");
    let cluster = TempCluster::start().map_err(|e| Failure::input(e.to_string()))?;
    cluster
        .create_database("demo")
        .map_err(|e| Failure::input(e.to_string()))?;
    eprintln!("loading 200,000 users...");
    cluster
        .psql("demo", SCHEMA)
        .map_err(|e| Failure::input(e.to_string()))?;
    let url = cluster.url("demo");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::input(format!("cannot start the async runtime: {e}")))?;
    let result = rt.block_on(async {
        let cat = crate::catalog::live::introspect_url(&url)
            .await
            .map_err(|e| Failure::input(e.to_string()))?;
        let plan = planner::plan("demo-change.sql", CHANGE, &cat, &Options::default())
            .map_err(|e| Failure::input(e.to_string()))?;
        let stats = Arc::new(Stats::default());
        let stop = Arc::new(AtomicBool::new(false));
        let app = tokio::spawn(application(url.clone(), stats.clone(), stop.clone()));
        let (tx, rx) = tokio::sync::watch::channel(String::new());
        let reporter = {
            let (stats, stop) = (stats.clone(), stop.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let _ = tx.send(format!(
                        "{} ok, {} failed, slowest {:.1} ms",
                        stats.ok.load(Ordering::Relaxed),
                        stats.failed.load(Ordering::Relaxed),
                        stats.worst_us.load(Ordering::Relaxed) as f64 / 1000.0
                    ));
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
            })
        };
        let set = RunSettings {
            operator: "demo".into(),
            replan: Some(super::replan::replan),
            ..RunSettings::default()
        };
        let target = crate::env::Target::parse(&url).map_err(|e| Failure::input(e.to_string()))?;
        let r = crate::tui::run_console_with_load(plan, target, set, Some(rx)).await;
        stop.store(true, Ordering::Relaxed);
        let _ = app.await;
        let _ = reporter.await;
        eprintln!(
            "the application ran {} statements, {} failed, slowest {:.1} ms",
            stats.ok.load(Ordering::Relaxed),
            stats.failed.load(Ordering::Relaxed),
            stats.worst_us.load(Ordering::Relaxed) as f64 / 1000.0
        );
        r.map_err(|e| Failure::input(e.to_string()))
    });
    eprintln!("stopping and removing the throwaway PostgreSQL");
    drop(cluster);
    result
}
