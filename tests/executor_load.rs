//! Recipes on a 100,000-row table while an application keeps working: old-shape statements
//! until the gate, new-shape after. Zero statements may fail; the data must agree after
//! every phase; the final schema must be as planned.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use bellows::executor::Outcome;
use bellows::plan::Phase;
use bellows::planner::{self, Options};
use sqlx::Connection;

const ROWS: i64 = 100_000;

/// The application's statements before and after the gate.
#[derive(Clone)]
struct App {
    before: Vec<&'static str>,
    after: Vec<&'static str>,
}

/// Workers run the statements in a loop ($1 = a random existing id, $2 = a unique number).
struct Load {
    stop: Arc<AtomicBool>,
    new_shape: Arc<AtomicBool>,
    ok: Arc<AtomicU64>,
    reprepared: Arc<AtomicU64>,
    failed: Arc<std::sync::Mutex<Vec<String>>>,
    handles: Vec<tokio::task::JoinHandle<()>>,
}

impl Load {
    async fn start(url: &str, app: App) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let new_shape = Arc::new(AtomicBool::new(false));
        let ok = Arc::new(AtomicU64::new(0));
        let reprepared = Arc::new(AtomicU64::new(0));
        let failed = Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut handles = Vec::new();
        for w in 0..2u64 {
            let (url, app, stop, new_shape, ok, failed, reprepared) = (
                url.to_string(),
                app.clone(),
                stop.clone(),
                new_shape.clone(),
                ok.clone(),
                failed.clone(),
                reprepared.clone(),
            );
            handles.push(tokio::spawn(async move {
                let mut c = sqlx::PgConnection::connect(&url).await.expect("connect");
                let mut n: i64 = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let stmts = if new_shape.load(Ordering::Relaxed) {
                        &app.after
                    } else {
                        &app.before
                    };
                    let q = stmts[(n as usize) % stmts.len()];
                    let id = 1 + (n * 7919 + w as i64 * 104_729) % ROWS;
                    let unique = (w as i64) * 1_000_000_000 + n;
                    let mut r = sqlx::query(q).bind(id).bind(unique).execute(&mut c).await;
                    // Like pgjdbc, re-prepare once when a column's type changed under a
                    // cached statement (the plan warns about exactly this).
                    if let Err(e) = &r
                        && e.to_string()
                            .contains("cached plan must not change result type")
                    {
                        reprepared.fetch_add(1, Ordering::Relaxed);
                        let _ = c.clear_cached_statements().await;
                        r = sqlx::query(q).bind(id).bind(unique).execute(&mut c).await;
                    }
                    match r {
                        Ok(_) => {
                            ok.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => failed.lock().expect("lock").push(format!("{q}: {e}")),
                    }
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
            }));
        }
        Self {
            stop,
            new_shape,
            ok,
            reprepared,
            failed,
            handles,
        }
    }

    async fn finish(self) -> (u64, u64, Vec<String>) {
        self.stop.store(true, Ordering::Relaxed);
        for h in self.handles {
            let _ = h.await;
        }
        let failed = self.failed.lock().expect("lock").clone();
        (
            self.ok.load(Ordering::Relaxed),
            self.reprepared.load(Ordering::Relaxed),
            failed,
        )
    }
}

const SEED: &str = "CREATE TABLE members (
    id bigserial PRIMARY KEY,
    email text NOT NULL UNIQUE,
    name text,
    score integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO members (email, name, score)
SELECT 'm' || g || '@example.com', CASE WHEN g % 10 = 0 THEN NULL ELSE 'Member ' || g END, g % 500
FROM generate_series(1, 100000) g;
CREATE INDEX members_created_at_idx ON members (created_at);
CREATE TABLE audit (id bigint NOT NULL, member_id bigint, note text);
INSERT INTO audit SELECT g, g, 'note ' || g FROM generate_series(1, 100000) g;
ANALYZE members;
ANALYZE audit;";

struct Case {
    name: &'static str,
    change: &'static str,
    app: App,
    /// Checks after each phase (phase, SQL returning a count of bad rows).
    checks: Vec<(Phase, &'static str)>,
    /// Checks after the whole plan (SQL returning true).
    finally: Vec<&'static str>,
}

fn cases() -> Vec<Case> {
    let plain = App {
        before: vec![
            "INSERT INTO members (email, name, score) VALUES ('new' || $2 || '@x', 'n' || $1, 1)",
            "UPDATE members SET score = score + 1, name = coalesce(name, 'x') WHERE id = $1 AND $2 > 0",
            "SELECT email, name, score FROM members WHERE id = $1 AND $2 > 0",
        ],
        after: vec![],
    };
    let same = |a: &App| App {
        before: a.before.clone(),
        after: a.before.clone(),
    };
    vec![
        Case {
            name: "rename-column",
            change: "ALTER TABLE members RENAME COLUMN email TO email_address;",
            app: App {
                before: vec![
                    "INSERT INTO members (email, name) VALUES ('new' || $2 || '@x', 'n' || $1)",
                    "UPDATE members SET email = 'upd' || $2 || '@x' WHERE id = $1",
                    "SELECT email FROM members WHERE id = $1 AND $2 > 0",
                ],
                after: vec![
                    "INSERT INTO members (email_address, name) VALUES ('new' || $2 || '@y', 'n' || $1)",
                    "UPDATE members SET email_address = 'upd' || $2 || '@y' WHERE id = $1",
                    "SELECT email_address FROM members WHERE id = $1 AND $2 > 0",
                ],
            },
            checks: vec![
                (
                    Phase::DualWrite,
                    "SELECT count(*) FROM members WHERE email_address IS NOT NULL AND email_address <> email",
                ),
                (
                    Phase::Backfill,
                    "SELECT count(*) FROM members WHERE email_address IS DISTINCT FROM email",
                ),
            ],
            finally: vec![
                "SELECT NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'members' AND column_name = 'email')",
                "SELECT attnotnull FROM pg_attribute WHERE attrelid = 'members'::regclass AND attname = 'email_address'",
                "SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = 'members'::regclass AND contype = 'u' AND convalidated)",
            ],
        },
        Case {
            name: "change-type",
            change: "ALTER TABLE members ALTER COLUMN score TYPE bigint;",
            app: same(&plain),
            checks: vec![(
                Phase::Backfill,
                "SELECT count(*) FROM members WHERE score_bellows_new IS DISTINCT FROM score::bigint",
            )],
            finally: vec![
                "SELECT format_type(atttypid, atttypmod) = 'bigint' AND attnotnull FROM pg_attribute WHERE attrelid = 'members'::regclass AND attname = 'score'",
            ],
        },
        Case {
            name: "add-column-volatile-default",
            change: "ALTER TABLE members ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();",
            app: same(&plain),
            checks: vec![(
                Phase::Backfill,
                "SELECT count(*) FROM members WHERE token IS NULL",
            )],
            finally: vec![
                "SELECT attnotnull FROM pg_attribute WHERE attrelid = 'members'::regclass AND attname = 'token'",
            ],
        },
        Case {
            name: "set-not-null-with-fill",
            change: "-- bellows:fill 'anonymous'\nALTER TABLE members ALTER COLUMN name SET NOT NULL;",
            app: same(&plain),
            checks: vec![(
                Phase::Backfill,
                "SELECT count(*) FROM members WHERE name IS NULL",
            )],
            finally: vec![
                "SELECT attnotnull FROM pg_attribute WHERE attrelid = 'members'::regclass AND attname = 'name'",
            ],
        },
        Case {
            name: "index-check-and-unique",
            change: "CREATE INDEX members_score_idx ON members (score);\nALTER TABLE members ADD CONSTRAINT members_score_positive CHECK (score >= 0);\nALTER TABLE members ADD CONSTRAINT members_email_lower UNIQUE (email, name);",
            app: same(&plain),
            checks: vec![],
            finally: vec![
                "SELECT count(*) = 0 FROM pg_index WHERE NOT indisvalid",
                "SELECT bool_and(convalidated) FROM pg_constraint WHERE conrelid = 'members'::regclass",
            ],
        },
        Case {
            name: "add-foreign-key",
            change: "ALTER TABLE members ADD COLUMN referrer_id bigint;\nALTER TABLE members ADD CONSTRAINT members_referrer_fkey FOREIGN KEY (referrer_id) REFERENCES members (id);",
            app: same(&plain),
            checks: vec![],
            finally: vec![
                "SELECT convalidated FROM pg_constraint WHERE conname = 'members_referrer_fkey'",
                "SELECT EXISTS (SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] WHERE i.indrelid = 'members'::regclass AND a.attname = 'referrer_id' AND i.indisvalid)",
            ],
        },
        Case {
            name: "add-primary-key",
            change: "ALTER TABLE audit ADD PRIMARY KEY (id);",
            app: App {
                before: vec![
                    "INSERT INTO audit (id, member_id, note) VALUES (1000000 + $2, $1, 'new')",
                    "UPDATE audit SET note = note || '' WHERE member_id = $1 AND $2 > 0",
                    "SELECT note FROM members m JOIN audit a ON a.member_id = m.id WHERE m.id = $1 AND $2 > 0",
                ],
                after: vec![],
            },
            checks: vec![],
            finally: vec![
                "SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = 'audit'::regclass AND contype = 'p' AND convalidated)",
            ],
        },
        Case {
            name: "rename-table",
            change: "ALTER TABLE members RENAME TO people;",
            app: App {
                before: plain.before.clone(),
                after: vec![
                    "INSERT INTO people (email, name, score) VALUES ('new' || $2 || '@x', 'n' || $1, 1)",
                    "UPDATE people SET score = score + 1 WHERE id = $1 AND $2 > 0",
                    "SELECT email, name, score FROM people WHERE id = $1 AND $2 > 0",
                ],
            },
            checks: vec![],
            finally: vec![
                "SELECT to_regclass('members') IS NULL AND to_regclass('people') IS NOT NULL",
            ],
        },
        Case {
            name: "drop-column",
            change: "ALTER TABLE members DROP COLUMN name;",
            app: App {
                before: vec![
                    "INSERT INTO members (email, score) VALUES ('new' || $2 || '@x', $1)",
                    "UPDATE members SET score = score + 1 WHERE id = $1 AND $2 > 0",
                    "SELECT email, score FROM members WHERE id = $1 AND $2 > 0",
                ],
                after: vec![],
            },
            checks: vec![],
            finally: vec![
                "SELECT NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'members'::regclass AND attname = 'name' AND NOT attisdropped)",
            ],
        },
        Case {
            name: "drop-and-reindex",
            change: "REINDEX INDEX members_created_at_idx;\nDROP INDEX members_created_at_idx;",
            app: same(&plain),
            checks: vec![],
            finally: vec!["SELECT to_regclass('members_created_at_idx') IS NULL"],
        },
        Case {
            name: "identity-generated-serial",
            change: "ALTER TABLE members ADD COLUMN seq bigint GENERATED BY DEFAULT AS IDENTITY;\nALTER TABLE members ADD COLUMN domain text GENERATED ALWAYS AS (split_part(email, '@', 2)) STORED;\nALTER TABLE members ADD COLUMN position serial;",
            app: same(&plain),
            checks: vec![(
                Phase::Backfill,
                "SELECT count(*) FROM members WHERE seq IS NULL OR position IS NULL OR domain IS DISTINCT FROM split_part(email, '@', 2)",
            )],
            finally: vec![
                "SELECT attidentity = 'd' AND attnotnull FROM pg_attribute WHERE attrelid = 'members'::regclass AND attname = 'seq'",
                "SELECT count(*) = 0 FROM members WHERE domain IS DISTINCT FROM split_part(email, '@', 2)",
            ],
        },
        Case {
            name: "defaults-and-nulls",
            change: "ALTER TABLE members ALTER COLUMN score SET DEFAULT 10;\nALTER TABLE members ALTER COLUMN score DROP NOT NULL;\nALTER TABLE members ADD COLUMN tier text NOT NULL DEFAULT 'free';",
            app: same(&plain),
            checks: vec![],
            finally: vec![
                "SELECT NOT attnotnull FROM pg_attribute WHERE attrelid = 'members'::regclass AND attname = 'score'",
            ],
        },
    ]
}

#[test]
fn recipes_on_100k_rows_under_application_load() {
    let cluster = common::cluster();
    let rt = common::rt();
    let mut failures = Vec::new();
    for (i, case) in cases().into_iter().enumerate() {
        cluster.create_database(&format!("load{i}")).expect("db");
        cluster.psql(&format!("load{i}"), SEED).expect("seed");
        let url = cluster.url(&format!("load{i}"));
        rt.block_on(async {
            let cat = bellows::catalog::live::introspect_url(&url)
                .await
                .expect("introspect");
            let plan =
                planner::plan("load.sql", case.change, &cat, &Options::default()).expect("plan");
            let load = Load::start(&url, case.app.clone()).await;
            let mut set = common::exec::quick();
            for phase in plan.phases.iter().filter(|p| **p != Phase::Contract) {
                set.through = Some(*phase);
                let (r, _) = common::exec::run(&url, &plan, &set).await;
                if let Err(e) = r {
                    failures.push(format!("{}: through {}: {e}", case.name, phase.name()));
                    return;
                }
                for (p, sql) in &case.checks {
                    if p == phase {
                        let bad = common::exec::scalar_i64(&url, sql).await;
                        if bad != 0 {
                            failures.push(format!(
                                "{}: after {}: {bad} rows disagree ({sql})",
                                case.name,
                                phase.name()
                            ));
                        }
                    }
                }
            }
            // The gate: every instance now runs the new code.
            if !case.app.after.is_empty() {
                load.new_shape.store(true, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            set.through = None;
            let (r, _) = common::exec::run(&url, &plan, &set).await;
            if r.as_ref().ok() != Some(&Outcome::Done) {
                failures.push(format!("{}: contract: {r:?}", case.name));
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
            let (ok, reprepared, failed) = load.finish().await;
            // Only a type change may make a cached statement re-prepare, once per worker.
            let allowed = if case.name == "change-type" { 2 } else { 0 };
            if reprepared > allowed {
                failures.push(format!(
                    "{}: {reprepared} statements had to be re-prepared",
                    case.name
                ));
            }
            if !failed.is_empty() {
                failures.push(format!(
                    "{}: {} application statements failed, e.g. {}",
                    case.name,
                    failed.len(),
                    failed[0]
                ));
            }
            if ok < 100 {
                failures.push(format!(
                    "{}: the load barely ran ({ok} statements)",
                    case.name
                ));
            }
            for sql in &case.finally {
                let mut c = sqlx::PgConnection::connect(&url).await.expect("connect");
                let good: Option<bool> = sqlx::query_scalar(*sql)
                    .fetch_one(&mut c)
                    .await
                    .unwrap_or(Some(false));
                if good != Some(true) {
                    failures.push(format!("{}: final schema check failed: {sql}", case.name));
                }
            }
        });
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
