//! Executor benchmark (prints numbers; not a test). Needs PostgreSQL's server binaries.
//! Run: `cargo bench --bench executor` (set BELLOWS_BENCH_ROWS to change the table size).
//!
//! 1. Backfill of N rows: bellows' batched backfill vs one `UPDATE` of the same rows.
//! 2. A full rename plan on N rows under a steady application load: failed statements and
//!    p50/p99/max latency, against the same load with no migration and during the naive
//!    `ALTER TABLE ... ALTER COLUMN ... TYPE` (a rewrite), for contrast.
//! 3. Peak memory (VmHWM) of the `bellows` process during a backfill, at N/10 and N rows.

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use bellows::executor::{self, Event, RunSettings};
use bellows::pgtemp::TempCluster;
use bellows::planner::{self, Options};
use sqlx::Connection;

fn rows() -> i64 {
    std::env::var("BELLOWS_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

async fn exec(url: &str, sql: &str) {
    let mut c = sqlx::PgConnection::connect(url).await.expect("connect");
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&mut c)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

fn seed(n: i64) -> String {
    format!(
        "DROP SCHEMA IF EXISTS bellows CASCADE; DROP SCHEMA public CASCADE; CREATE SCHEMA public;
         CREATE TABLE t (id bigint PRIMARY KEY, a integer NOT NULL, b text NOT NULL);
         INSERT INTO t SELECT g, g % 100000, 'row ' || g FROM generate_series(1, {n}) g;
         ANALYZE t;"
    )
}

async fn run_plan(url: &str, change: &str, set: &RunSettings) -> Vec<(Instant, Event)> {
    let cat = bellows::catalog::live::introspect_url(url)
        .await
        .expect("introspect");
    let plan = planner::plan("bench.sql", change, &cat, &Options::default()).expect("plan");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let (_ctl, crx) = tokio::sync::mpsc::unbounded_channel();
    let collector = tokio::spawn(async move {
        let mut v = Vec::new();
        while let Some(e) = rx.recv().await {
            v.push((Instant::now(), e));
        }
        v
    });
    let target = bellows::env::Target::parse(url).expect("a database URL");
    executor::run(&plan, &target, set, false, tx, crx)
        .await
        .expect("run");
    collector.await.expect("events")
}

/// One application statement: when it started, how long it took (ms), whether it wrote.
type Sample = (Instant, f64, bool);

/// Samples and failures of a steady closed-loop load until `stop`.
async fn load(url: String, stop: Arc<AtomicBool>, column: &'static str) -> (Vec<Sample>, usize) {
    let mut c = sqlx::PgConnection::connect(&url).await.expect("connect");
    let (mut samples, mut failed) = (Vec::new(), 0);
    let mut n: i64 = 0;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let id = 1 + (n * 7919) % rows();
        let t = Instant::now();
        let r = if n % 2 == 0 {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {column} FROM t WHERE id = $1"
            )))
            .bind(id)
            .fetch_optional(&mut c)
            .await
            .map(|_| ())
        } else {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE t SET {column} = {column} || '' WHERE id = $1"
            )))
            .bind(id)
            .execute(&mut c)
            .await
            .map(|_| ())
        };
        match r {
            Ok(()) => {
                samples.push((t, t.elapsed().as_secs_f64() * 1000.0, n % 2 != 0));
            }
            Err(e) if e.to_string().contains("cached plan") => {
                let _ = c.clear_cached_statements().await;
            }
            Err(_) => failed += 1,
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    (samples, failed)
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

/// When slow statements started, relative to the end of the batch before them.
fn slow_vs_batches(samples: &[Sample], events: &[(Instant, Event)]) {
    let ends: Vec<Instant> = events
        .iter()
        .filter(|(_, e)| matches!(e, Event::BatchProgress { .. }))
        .map(|(t, _)| *t)
        .collect();
    let mut hist = [0u32; 12];
    for s in samples.iter().filter(|s| s.1 > 1.0) {
        if let Some(end) = ends.iter().rev().find(|e| **e <= s.0) {
            let ms = (s.0 - *end).as_millis() as usize / 10;
            hist[ms.min(11)] += 1;
        }
    }
    println!("      slow statements by ms after the last batch commit (10 ms buckets): {hist:?}");
}

/// What the other active sessions were waiting on, sampled every millisecond.
async fn sample_waits(
    url: String,
    stop: Arc<AtomicBool>,
) -> std::collections::HashMap<String, u64> {
    let mut c = sqlx::PgConnection::connect(&url).await.expect("connect");
    let mut m = std::collections::HashMap::new();
    while !stop.load(Ordering::Relaxed) {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT CASE WHEN backend_type = 'client backend' THEN application_name ELSE backend_type END, coalesce(wait_event_type, 'CPU'), coalesce(wait_event, '-') FROM pg_stat_activity WHERE (state = 'active' OR backend_type <> 'client backend') AND pid <> pg_backend_pid()",
        )
        .fetch_all(&mut c)
        .await
        .unwrap_or_default();
        for (app, t, e) in rows {
            let app = if app.starts_with("bellows") {
                "bellows".to_string()
            } else if app.is_empty() {
                "app".to_string()
            } else {
                app
            };
            *m.entry(format!("{app:<8} {t}/{e}")).or_insert(0) += 1;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    m
}

/// Where the slow statements were: the statements that started during each step.
fn by_step(samples: &[Sample], events: &[(Instant, Event)]) {
    let mut open: Vec<(String, Instant)> = Vec::new();
    for (at, e) in events {
        match e {
            Event::StepStarted { step, .. } => open.push((step.clone(), *at)),
            Event::StepFinished { step, .. } => {
                if let Some(i) = open.iter().position(|(s, _)| s == step) {
                    let (_, from) = open.remove(i);
                    let mut lat: Vec<f64> = samples
                        .iter()
                        .filter(|s| s.0 >= from && s.0 < *at)
                        .map(|s| s.1)
                        .collect();
                    let slow = lat.iter().filter(|ms| **ms > 1.0).count();
                    println!(
                        "      {step:<28} {:>6} ms  statements {:>6}  over 1 ms {slow:>4}  p99 {:>6.2} ms  max {:>7.2} ms",
                        (*at - from).as_millis(),
                        lat.len(),
                        pct(&mut lat, 0.99),
                        pct(&mut lat, 1.0)
                    );
                }
            }
            _ => {}
        }
    }
}

fn report(name: &str, lat: &mut [f64], failed: usize) {
    println!(
        "  {name:<34} statements {:>7}  failed {failed:>3}  p50 {:>7.2} ms  p99 {:>8.2} ms  max {:>9.2} ms",
        lat.len(),
        pct(lat, 0.50),
        pct(lat, 0.99),
        pct(lat, 1.0)
    );
}

/// Peak resident memory of a `bellows run` child process (kB).
fn peak_memory(url: &str, plan_path: &str) -> u64 {
    let exe = std::env::var("CARGO_BIN_EXE_bellows")
        .ok()
        .unwrap_or_else(|| "target/release/bellows".into());
    let mut child = Command::new(exe)
        .args(["run", plan_path, "--yes", "--through", "backfill"])
        .env("DATABASE_URL", url)
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("start bellows (build it first: cargo build --release)");
    let mut peak = 0;
    loop {
        if let Ok(s) = std::fs::read_to_string(format!("/proc/{}/status", child.id())) {
            for l in s.lines() {
                if let Some(v) = l.strip_prefix("VmHWM:") {
                    peak = peak.max(
                        v.trim()
                            .trim_end_matches("kB")
                            .trim()
                            .parse::<u64>()
                            .unwrap_or(0),
                    );
                }
            }
        }
        if child.try_wait().ok().flatten().is_some() {
            return peak;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn main() {
    let n = rows();
    let cluster = TempCluster::builder()
        .setting("shared_buffers", "512MB")
        .setting("max_wal_size", "4GB")
        .start()
        .expect("PostgreSQL server binaries are needed for this benchmark");
    cluster.create_database("bench").expect("db");
    let url = cluster.url("bench");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let target = std::env::var("BELLOWS_BENCH_TARGET_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok());
    let set = RunSettings {
        yes: true,
        operator: "bench".into(),
        batch_target: target.map(Duration::from_millis),
        batch_pause: std::env::var("BELLOWS_BENCH_PAUSE_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .map(Duration::from_millis),
        ..RunSettings::default()
    };
    println!(
        "executor benchmark, {n} rows, PostgreSQL {}, batch target {} ms",
        cluster.server_version(),
        target.unwrap_or(bellows::plan::BatchSettings::default().target_ms as u64)
    );

    rt.block_on(async {
        let only = std::env::var("BELLOWS_BENCH_ONLY").unwrap_or_default();
        // 1. Backfill throughput, three times each (median reported).
        let mut singles = Vec::new();
        let mut batched = Vec::new();
        let mut batches: Vec<u64> = Vec::new();
        for _ in 0..(if only.is_empty() || only == "backfill" { 3 } else { 0 }) {
            // Same starting point for both: the shadow column and its sync trigger in place.
            exec(&url, &seed(n)).await;
            run_plan(&url, "ALTER TABLE t ALTER COLUMN a TYPE bigint;", &RunSettings { through: Some(bellows::plan::Phase::DualWrite), ..set.clone() }).await;
            let t = Instant::now();
            exec(&url, "UPDATE t SET a_bellows_new = (a)::BIGINT WHERE a_bellows_new IS DISTINCT FROM (a)::BIGINT").await;
            singles.push(t.elapsed().as_secs_f64());
            exec(&url, &seed(n)).await;
            let events = run_plan(&url, "ALTER TABLE t ALTER COLUMN a TYPE bigint;", &RunSettings { through: Some(bellows::plan::Phase::Backfill), ..set.clone() }).await;
            let start = events.iter().find(|(_, e)| matches!(e, Event::StepStarted { step, .. } if step == "1.backfill")).map(|(t, _)| *t);
            let end = events.iter().find(|(_, e)| matches!(e, Event::StepFinished { step, .. } if step == "1.backfill")).map(|(t, _)| *t);
            batched.push(end.zip(start).map(|(e, s)| e - s).unwrap_or_default().as_secs_f64());
            batches.extend(events.iter().filter_map(|(_, e)| match e {
                Event::BatchProgress { step, last_batch_ms, .. } if step == "1.backfill" => Some(*last_batch_ms),
                _ => None,
            }));
        }
        if !singles.is_empty() {
        let (single, took) = (pct(&mut singles, 0.5), pct(&mut batched, 0.5));
        let (rs, rb) = (n as f64 / single, n as f64 / took);
        println!("backfill of {n} rows (sync trigger installed in both cases; median of 3):");
        println!("  single UPDATE                      {single:>8.2} s  {rs:>10.0} rows/s");
        println!("  bellows batched backfill           {took:>8.2} s  {rb:>10.0} rows/s  = {:.0}% of the single statement", 100.0 * rb / rs);
        let t_ms = target.unwrap_or(bellows::plan::BatchSettings::default().target_ms as u64);
        let over = batches.iter().filter(|ms| **ms > 2 * t_ms).count();
        println!("  batches {} (3 runs)  longest {} ms  over 2x the {t_ms} ms target: {over}", batches.len(), batches.iter().max().copied().unwrap_or(0));
        }

        // 2. Application latency: no migration, the rename plan, the naive rewrite.
        println!("application load (2 connections, 1 ms think time) on {n} rows:");
        exec(&url, &seed(n)).await;
        for (name, what) in [("no migration (baseline)", 0), ("bellows rename plan, whole run", 1), ("naive ALTER COLUMN TYPE (rewrite)", 2)] {
            exec(&url, &seed(n)).await;
            let stop = Arc::new(AtomicBool::new(false));
            let col: &'static str = "b";
            // The application is another program: its clients run on threads of their own, not
            // on the executor's runtime.
            let workers: Vec<_> = (0..2)
                .map(|_| {
                    let (url, stop) = (url.clone(), stop.clone());
                    std::thread::spawn(move || {
                        tokio::runtime::Builder::new_current_thread()
                            .enable_all()
                            .build()
                            .expect("runtime")
                            .block_on(load(url, stop, col))
                    })
                })
                .collect();
            tokio::time::sleep(Duration::from_millis(500)).await;
                                    let waits = std::env::var_os("BELLOWS_BENCH_WAITS").is_some().then(|| tokio::spawn(sample_waits(url.clone(), stop.clone())));
            let mut events = Vec::new();
            match what {
                0 => tokio::time::sleep(Duration::from_secs(10)).await,
                1 => {
                    // The application keeps using `b` until the gate: stop the plan there.
                    let through = RunSettings { through: Some(bellows::plan::Phase::Backfill), ..set.clone() };
                    events = run_plan(&url, "ALTER TABLE t RENAME COLUMN b TO body;", &through).await;
                }
                _ => exec(&url, "ALTER TABLE t ALTER COLUMN a TYPE bigint").await,
            }
            stop.store(true, Ordering::Relaxed);
                        let mut samples = Vec::new();
            let mut failed = 0;
            for w in workers {
                let (s, f) = w.join().expect("worker");
                samples.extend(s);
                failed += f;
            }
            let mut lat: Vec<f64> = samples.iter().map(|s| s.1).collect();
            let mut writes: Vec<f64> = samples.iter().filter(|s| s.2).map(|s| s.1).collect();
            report(name, &mut lat, failed);
            println!("    of which UPDATEs: p99 {:.2} ms, max {:.2} ms", pct(&mut writes, 0.99), pct(&mut writes, 1.0));
                        if let Some(w) = waits {
                let mut v: Vec<_> = w.await.expect("sampler").into_iter().collect();
                v.sort_by_key(|e| std::cmp::Reverse(e.1));
                for (k, n) in v.iter().take(12) {
                    println!("      wait sample {n:>6}  {k}");
                }
            }
                        if std::env::var_os("BELLOWS_BENCH_STEPS").is_some() {
                slow_vs_batches(&samples, &events);
                by_step(&samples, &events);
            }
        }
    });

    // 3. Peak memory of the executor process, small and large table.
    println!("executor peak memory (VmHWM of the bellows process) during a backfill:");
    for size in [n / 10, n] {
        rt.block_on(exec(&url, &seed(size)));
        let cat = rt
            .block_on(bellows::catalog::live::introspect_url(&url))
            .expect("introspect");
        let plan = planner::plan(
            "mem.sql",
            "ALTER TABLE t ALTER COLUMN a TYPE bigint;",
            &cat,
            &Options::default(),
        )
        .expect("plan");
        let path = std::env::temp_dir().join(format!("bellows-mem-{size}.toml"));
        std::fs::write(&path, plan.to_toml()).expect("write plan");
        let kb = peak_memory(&url, &path.to_string_lossy());
        println!("  {size:>9} rows: {:.1} MB", kb as f64 / 1024.0);
    }
}
