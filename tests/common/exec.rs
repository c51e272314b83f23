//! Running the real executor from tests and collecting its events.

#![allow(dead_code)]

use bellows::catalog::Catalog;
use bellows::executor::{self, Event, ExecError, Outcome, RunSettings};
use bellows::plan::Plan;

/// Settings that keep tests quick: short lock timeout, fast first retry.
pub fn quick() -> RunSettings {
    RunSettings {
        lock_timeout: std::time::Duration::from_millis(500),
        retry_initial: std::time::Duration::from_millis(100),
        retry_max: std::time::Duration::from_secs(2),
        yes: true,
        operator: "test".into(),
        // Every executor test re-derives its plan, as `bellows run` does.
        replan: Some(bellows::cli::replan::replan),
        ..RunSettings::default()
    }
}

/// Run the executor headless; returns its result and every event it sent.
pub async fn run(
    url: &str,
    plan: &Plan,
    set: &RunSettings,
) -> (Result<Outcome, ExecError>, Vec<Event>) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let (_ctl, crx) = tokio::sync::mpsc::unbounded_channel();
    let collector = tokio::spawn(async move {
        let mut v = Vec::new();
        while let Some(e) = rx.recv().await {
            v.push(e);
        }
        v
    });
    let target = bellows::env::Target::parse(url).expect("a database URL");
    let r = executor::run(plan, &target, set, false, tx, crx).await;
    let events = collector.await.unwrap_or_default();
    (r, events)
}

/// Roll back with the executor; returns the outcome and events.
pub async fn rollback(
    url: &str,
    plan: &Plan,
    set: &RunSettings,
) -> (
    Result<executor::rollback::RollbackOutcome, ExecError>,
    Vec<Event>,
) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let collector = tokio::spawn(async move {
        let mut v = Vec::new();
        while let Some(e) = rx.recv().await {
            v.push(e);
        }
        v
    });
    let target = bellows::env::Target::parse(url).expect("a database URL");
    let r = executor::rollback::rollback(plan, &target, set, tx).await;
    let events = collector.await.unwrap_or_default();
    (r, events)
}

/// The schema at `url` without bellows' own state schema, row estimates or version.
pub async fn app_shape(url: &str) -> Catalog {
    let mut c = super::shape(url).await;
    c.tables.retain(|k, _| k.schema != "bellows");
    c.sequences.retain(|k, _| k.schema != "bellows");
    c.schemas.remove("bellows");
    c
}

/// Scalar query helper.
pub async fn scalar_i64(url: &str, sql: &str) -> i64 {
    use sqlx::Connection;
    let mut c = sqlx::PgConnection::connect(url).await.expect("connect");
    sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(&mut c)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}
