//! Old and new application code keep working through constraint changes, on a real server
//! with the real executor: a NOT NULL with a fill lets old code insert without the column
//! until contract; dropping a required column lets new code stop writing it before the gate
//! (and rolling back says which rows stand in the way); a unique build stops on duplicates
//! before it starts, and a build that meets one later shows PostgreSQL's DETAIL.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use bellows::executor::{ExecError, Outcome, RollbackOutcome};
use bellows::plan::{Phase, Plan};
use bellows::planner::{self, Options};
use sqlx::Connection;

const SEED: &str = "CREATE TABLE members (
    id bigserial PRIMARY KEY,
    email text NOT NULL,
    name text,
    display text,
    legacy text NOT NULL
);
INSERT INTO members (email, name, display, legacy)
SELECT 'm' || g || '@example.com',
       CASE WHEN g % 10 = 0 THEN NULL ELSE 'Member ' || g END,
       CASE WHEN g % 20 = 0 THEN 'shown ' || g END,
       'legacy ' || g
FROM generate_series(1, 20000) g;
ANALYZE members;";

/// Application code writing in a loop until stopped ($1 = a growing number).
struct Writer {
    stop: Arc<AtomicBool>,
    ok: Arc<AtomicU64>,
    failed: Arc<std::sync::Mutex<Vec<String>>>,
    handle: tokio::task::JoinHandle<()>,
}

impl Writer {
    async fn start(url: &str, stmts: &[&'static str], first: i64) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let ok = Arc::new(AtomicU64::new(0));
        let failed = Arc::new(std::sync::Mutex::new(Vec::new()));
        let (url, stmts) = (url.to_string(), stmts.to_vec());
        let (s, o, f) = (stop.clone(), ok.clone(), failed.clone());
        let handle = tokio::spawn(async move {
            let mut c = sqlx::PgConnection::connect(&url).await.expect("connect");
            let mut n = first;
            while !s.load(Ordering::Relaxed) {
                n += 1;
                let q = stmts[(n as usize) % stmts.len()];
                match sqlx::query(q).bind(n).execute(&mut c).await {
                    Ok(_) => {
                        o.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) => f.lock().expect("lock").push(format!("{q}: {e}")),
                }
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        });
        Self {
            stop,
            ok,
            failed,
            handle,
        }
    }

    /// Stop; the number of statements that succeeded, and every failure.
    async fn finish(self) -> (u64, Vec<String>) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.handle.await;
        let failed = self.failed.lock().expect("lock").clone();
        (self.ok.load(Ordering::Relaxed), failed)
    }
}

/// A fresh seeded database, its URL, and `change` planned against it.
async fn setup(cluster: &bellows::pgtemp::TempCluster, db: &str, change: &str) -> (String, Plan) {
    cluster.create_database(db).expect("db");
    cluster.psql(db, SEED).expect("seed");
    let url = cluster.url(db);
    let cat = bellows::catalog::live::introspect_url(&url)
        .await
        .expect("introspect");
    let plan = planner::plan("window.sql", change, &cat, &Options::default()).expect("plans");
    (url, plan)
}

/// Run every phase before contract, one by one; panics on a failure.
async fn through_backfill(url: &str, plan: &Plan) {
    let mut set = common::exec::quick();
    for phase in plan.phases.iter().filter(|p| **p != Phase::Contract) {
        set.through = Some(*phase);
        let (r, _) = common::exec::run(url, plan, &set).await;
        assert!(r.is_ok(), "through {}: {r:?}", phase.name());
    }
}

async fn run_all(url: &str, plan: &Plan) {
    let (r, _) = common::exec::run(url, plan, &common::exec::quick()).await;
    assert_eq!(r.as_ref().ok(), Some(&Outcome::Done), "{r:?}");
}

async fn rollback(url: &str, plan: &Plan) -> Result<RollbackOutcome, ExecError> {
    common::exec::rollback(url, plan, &common::exec::quick())
        .await
        .0
}

async fn truth(url: &str, sql: &str) -> bool {
    let mut c = sqlx::PgConnection::connect(url).await.expect("connect");
    sqlx::query_scalar::<_, bool>(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(&mut c)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn exec(url: &str, sql: &str) -> Result<(), String> {
    let mut c = sqlx::PgConnection::connect(url).await.expect("connect");
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&mut c)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn assert_clean(what: &str, ok: u64, failed: &[String]) {
    assert!(
        failed.is_empty(),
        "{what}: {} statements failed, e.g. {}",
        failed.len(),
        failed[0]
    );
    assert!(
        ok >= 20,
        "{what}: the application barely ran ({ok} statements)"
    );
}

/// Old code: name is optional; it inserts without it and sometimes clears it.
const OLD_NAME: &[&str] = &[
    "INSERT INTO members (email, display, legacy) VALUES ('old' || $1 || '@x', CASE WHEN $1 % 2 = 0 THEN 'shown ' || $1 END, 'l')",
    "UPDATE members SET name = NULL WHERE id = 1 + $1 % 20000",
];

const NOT_NULL_NAME: &str = "-- bellows:fill coalesce(display, 'anonymous')\nALTER TABLE members ALTER COLUMN name SET NOT NULL;";

#[test]
fn set_not_null_with_a_fill_fills_what_old_code_writes_until_contract_and_rolls_back() {
    let cluster = common::cluster();
    common::rt().block_on(async {
        // Up to contract under old code, then back: old code never fails, the table is as it was.
        let (url, plan) = setup(&cluster, "nn_back", NOT_NULL_NAME).await;
        let before = common::exec::app_shape(&url).await;
        let old = Writer::start(&url, OLD_NAME, 0).await;
        through_backfill(&url, &plan).await;
        assert!(
            truth(&url, "SELECT attnotnull FROM pg_attribute WHERE attrelid = 'members'::regclass AND attname = 'name'").await,
            "NOT NULL is set before contract"
        );
        // Old code keeps writing NULLs after NOT NULL is in place: the trigger fills them.
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(truth(&url, "SELECT count(*) > 0 FROM members WHERE email LIKE 'old%'").await);
        assert!(
            truth(&url, "SELECT count(*) = 0 FROM members WHERE email LIKE 'old%' AND name IS DISTINCT FROM coalesce(display, 'anonymous')").await,
            "rows old code inserted get the fill, computed from the row"
        );
        let r = rollback(&url, &plan).await;
        assert!(matches!(r, Ok(RollbackOutcome::Done { .. })), "{r:?}");
        let (ok, failed) = old.finish().await;
        assert_clean("old code through the window and the rollback", ok, &failed);
        assert_eq!(before, common::exec::app_shape(&url).await, "rollback restores the table");
        assert!(truth(&url, "SELECT NOT EXISTS (SELECT FROM pg_proc WHERE proname LIKE 'bellows_fill%')").await);

        // All the way: old code until the gate, new code after; the trigger goes in contract.
        let (url, plan) = setup(&cluster, "nn_up", NOT_NULL_NAME).await;
        let old = Writer::start(&url, OLD_NAME, 0).await;
        through_backfill(&url, &plan).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        let (ok, failed) = old.finish().await;
        assert_clean("old code up to the gate", ok, &failed);
        assert!(
            truth(&url, "SELECT EXISTS (SELECT FROM pg_trigger WHERE tgname = 'bellows_fill_name_trg')").await,
            "the fill trigger stays until contract"
        );
        let new = Writer::start(
            &url,
            &["INSERT INTO members (email, name, legacy) VALUES ('new' || $1 || '@x', 'n' || $1, 'l')"],
            1_000_000,
        )
        .await;
        run_all(&url, &plan).await;
        let (ok, failed) = new.finish().await;
        assert_clean("new code through contract", ok, &failed);
        assert!(truth(&url, "SELECT NOT EXISTS (SELECT FROM pg_trigger WHERE tgname = 'bellows_fill_name_trg')").await);
        assert!(truth(&url, "SELECT count(*) = 0 FROM members WHERE name IS NULL").await);
        let e = exec(&url, "INSERT INTO members (email, legacy) VALUES ('late@x', 'l')").await;
        assert!(
            e.as_ref().is_err_and(|e| e.contains("null value")),
            "after contract the column is NOT NULL as declared: {e:?}"
        );
    });
}

#[test]
fn added_not_null_columns_fill_what_old_code_inserts_until_contract() {
    let cluster = common::cluster();
    let old: &[&str] =
        &["INSERT INTO members (email, name, legacy) VALUES ('old' || $1 || '@x', 'n', 'l')"];
    let new: &[&str] = &[
        "INSERT INTO members (email, name, legacy, currency, code) VALUES ('new' || $1 || '@x', 'n', 'l', 'EUR', 'c' || $1)",
    ];
    let change = "-- bellows:fill 'USD'\nALTER TABLE members ADD COLUMN currency char(3) NOT NULL;\n-- bellows:fill 'x' || id\nALTER TABLE members ADD COLUMN code text NOT NULL;";
    common::rt().block_on(async {
        let (url, plan) = setup(&cluster, "addcol", change).await;
        let before = common::exec::app_shape(&url).await;
        let w = Writer::start(&url, old, 0).await;
        through_backfill(&url, &plan).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let (ok, failed) = w.finish().await;
        assert_clean("old code that knows neither column", ok, &failed);
        assert!(
            truth(&url, "SELECT count(*) = 0 FROM members WHERE currency IS DISTINCT FROM 'USD' OR code IS DISTINCT FROM 'x' || id").await,
            "existing rows and the rows old code inserted are filled"
        );
        assert!(
            truth(&url, "SELECT bool_and(attnotnull) FROM pg_attribute WHERE attrelid = 'members'::regclass AND attname IN ('currency', 'code')").await
        );
        // Back from here: both columns gone, the table as it was.
        let (url2, plan2) = setup(&cluster, "addcol_back", change).await;
        through_backfill(&url2, &plan2).await;
        let r = rollback(&url2, &plan2).await;
        assert!(matches!(r, Ok(RollbackOutcome::Done { .. })), "{r:?}");
        assert_eq!(before, common::exec::app_shape(&url2).await);

        let w = Writer::start(&url, new, 1_000_000).await;
        run_all(&url, &plan).await;
        let (ok, failed) = w.finish().await;
        assert_clean("new code through contract", ok, &failed);
        assert!(
            truth(&url, "SELECT count(*) = 0 FROM information_schema.columns WHERE table_name = 'members' AND column_name IN ('currency', 'code') AND column_default IS NOT NULL").await,
            "the columns end as declared, without a default"
        );
        assert!(truth(&url, "SELECT NOT EXISTS (SELECT FROM pg_trigger WHERE tgname LIKE 'bellows_fill%')").await);
    });
}

/// New code: legacy is gone from its inserts.
const NEW_NO_LEGACY: &[&str] = &[
    "INSERT INTO members (email, name) VALUES ('new' || $1 || '@x', 'n' || $1)",
    "UPDATE members SET name = 'u' || $1 WHERE id = 1 + $1 % 20000",
];

#[test]
fn dropping_a_required_column_lets_new_code_stop_writing_it_before_the_gate() {
    let cluster = common::cluster();
    common::rt().block_on(async {
        let drop = "ALTER TABLE members DROP COLUMN legacy;";
        let (url, plan) = setup(&cluster, "drop_null", drop).await;
        let before = common::exec::app_shape(&url).await;
        through_backfill(&url, &plan).await;
        let w = Writer::start(&url, NEW_NO_LEGACY, 0).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let (ok, failed) = w.finish().await;
        assert_clean("new code between expand and the gate", ok, &failed);
        // Rows new code wrote without the column keep NOT NULL from coming back: the
        // rollback stops at that step, unchanged, naming them.
        let r = rollback(&url, &plan).await;
        let msg = format!("{r:?}");
        assert!(
            msg.contains("NOT NULL cannot be put back")
                && msg.contains("DETAIL: rows with (id) = (")
                && msg.contains("HINT: give those rows a value"),
            "{msg}"
        );
        assert!(
            truth(&url, "SELECT NOT attnotnull FROM pg_attribute WHERE attrelid = 'members'::regclass AND attname = 'legacy'").await,
            "the failed rollback step changed nothing"
        );
        exec(&url, "UPDATE members SET legacy = '' WHERE legacy IS NULL").await.expect("fill");
        let r = rollback(&url, &plan).await;
        assert!(matches!(r, Ok(RollbackOutcome::Done { .. })), "{r:?}");
        assert_eq!(before, common::exec::app_shape(&url).await, "NOT NULL is back");

        // With a value: the column stays NOT NULL, new code's rows get the default.
        let with_fill = format!("-- bellows:fill 'gone'\n{drop}");
        let (url, plan) = setup(&cluster, "drop_default", &with_fill).await;
        through_backfill(&url, &plan).await;
        let w = Writer::start(&url, NEW_NO_LEGACY, 0).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let (ok, failed) = w.finish().await;
        assert_clean("new code with the default in place", ok, &failed);
        assert!(truth(&url, "SELECT count(*) > 0 AND bool_and(legacy = 'gone') FROM members WHERE email LIKE 'new%'").await);
        let r = rollback(&url, &plan).await;
        assert!(matches!(r, Ok(RollbackOutcome::Done { .. })), "{r:?}");
        assert_eq!(before, common::exec::app_shape(&url).await, "the default is gone again");

        // And all the way: the column is dropped after the gate while new code writes.
        through_backfill(&url, &plan).await;
        let w = Writer::start(&url, NEW_NO_LEGACY, 5_000_000).await;
        run_all(&url, &plan).await;
        let (ok, failed) = w.finish().await;
        assert_clean("new code through the drop", ok, &failed);
        assert!(truth(&url, "SELECT NOT EXISTS (SELECT FROM information_schema.columns WHERE table_name = 'members' AND column_name = 'legacy')").await);
    });
}

#[test]
fn a_unique_build_stops_on_duplicates_before_it_starts_and_shows_the_servers_detail_after() {
    let cluster = common::cluster();
    common::rt().block_on(async {
        let change = "ALTER TABLE members ADD CONSTRAINT members_email_key UNIQUE (email);";
        // Duplicates before the plan: the pre-check names them, nothing is built.
        let (url, plan) = setup(&cluster, "uniq_pre", change).await;
        exec(
            &url,
            "UPDATE members SET email = 'twice@example.com' WHERE id IN (7, 8)",
        )
        .await
        .expect("dup");
        let (r, events) = common::exec::run(&url, &plan, &common::exec::quick()).await;
        let msg = r.expect_err("the pre-check stops the plan").to_string();
        assert!(
            msg.contains("no-duplicates failed")
                && msg.contains("DETAIL: Key (email)=(twice@example.com) occurs 2 times.")
                && msg.contains("HINT: change or delete the duplicate rows"),
            "{msg}"
        );
        assert!(
            events
                .iter()
                .any(|e| format!("{e:?}").contains("occurs 2 times")),
            "the operator's event stream carries the keys"
        );
        assert!(truth(&url, "SELECT to_regclass('members_email_key') IS NULL").await);

        // A duplicate written after the pre-check: the build fails with PostgreSQL's DETAIL,
        // the invalid index is gone, and a rollback leaves the table as it was.
        let (url, plan) = setup(&cluster, "uniq_late", change).await;
        let before = common::exec::app_shape(&url).await;
        let mut set = common::exec::quick();
        set.max_steps = Some(1);
        let (r, _) = common::exec::run(&url, &plan, &set).await;
        assert_eq!(r.as_ref().ok(), Some(&Outcome::StepsDone), "{r:?}");
        exec(
            &url,
            "UPDATE members SET email = 'late@example.com' WHERE id IN (3, 4)",
        )
        .await
        .expect("dup");
        let (r, _) = common::exec::run(&url, &plan, &common::exec::quick()).await;
        let msg = r.expect_err("the build meets the duplicate").to_string();
        assert!(
            msg.contains("build-unique-index failed")
                && msg.contains("DETAIL: Key (email)=(late@example.com) is duplicated."),
            "{msg}"
        );
        assert!(
            truth(&url, "SELECT to_regclass('members_email_key') IS NULL").await,
            "the invalid index the failed build left is dropped"
        );
        let r = rollback(&url, &plan).await;
        assert!(matches!(r, Ok(RollbackOutcome::Done { .. })), "{r:?}");
        assert_eq!(before, common::exec::app_shape(&url).await);
    });
}
