//! Lock truth: every claim of the knowledge base (`src/safety/forms.rs`) checked on a real
//! server — the lock mode held on the table, the duration class (rewrite, build, scan,
//! brief), and whether the form runs in a transaction block — and the book page
//! `book/src/lock-truth.md` that records it, which must not go stale.

mod truth;

use bellows::pgtemp::TempCluster;
use bellows::safety::{DdlForm, Duration, LockClaim, LockMode, claim};

use truth::fixtures::{Fixture, fixture};
use truth::observation::Observation;
use truth::observe::observe;

/// Set to `1` to (re)write the book page instead of comparing it.
const UPDATE_ENV: &str = "BELLOWS_UPDATE_BOOK";

/// Where the observation disagrees with the claim, one message each.
fn disagreements(form: DdlForm, fx: &Fixture, c: &LockClaim, o: &Observation) -> Vec<String> {
    let mut out = Vec::new();
    if c.mode == LockMode::None {
        // No lock worth noting: the form may lock only what it creates itself, which no
        // other session can see before commit; every relation that existed before must be
        // left alone.
        if o.preexisting_max != LockMode::None {
            out.push(format!(
                "{form:?}: claimed no lock, but it took {} on a relation that existed before ({:?})",
                o.preexisting_max, o.others
            ));
        }
    } else if o.target_mode != c.mode {
        out.push(format!(
            "{form:?}: claimed {} on {}, observed {} (other relations: {:?})",
            c.mode, fx.target, o.target_mode, o.others
        ));
    }
    let seen = o.duration();
    let duration_ok =
        seen == c.duration || (c.duration == Duration::Brief && seen == Duration::None);
    if !duration_ok {
        out.push(format!(
            "{form:?}: claimed duration {}, observed {}",
            c.duration,
            o.detail()
        ));
    }
    if o.transactional != c.transactional {
        out.push(format!(
            "{form:?}: claimed transactional = {}, but inside a transaction block it {}",
            c.transactional,
            if o.transactional {
                "ran"
            } else {
                "was refused (25001)"
            }
        ));
    }
    if o.error.as_deref() != fx.fails_with {
        out.push(format!(
            "{form:?}: expected {}, got {}",
            fx.fails_with
                .map(|s| format!("SQLSTATE {s}"))
                .unwrap_or_else(|| "success".into()),
            o.error
                .as_deref()
                .map(|s| format!("SQLSTATE {s}"))
                .unwrap_or_else(|| "success".into()),
        ));
    }
    out
}

#[test]
fn every_claim_holds_on_a_real_server_and_the_book_says_so() {
    let cluster = match TempCluster::builder().setting("autovacuum", "off").start() {
        Ok(c) => c,
        Err(e) => panic!(
            "this test needs a real PostgreSQL server: {e}\n(run `bash scripts/test.sh`, which installs it)"
        ),
    };
    let major = cluster.server_version();
    assert!(
        major >= 15,
        "lock truth reads statistics flushed with pg_stat_force_next_flush(), which needs PostgreSQL 15+ (found {major})"
    );
    cluster
        .create_database("lock_truth")
        .expect("create database");
    let url = cluster.url("lock_truth");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");

    let mut failures = Vec::new();
    let mut seen = Vec::new();
    for (i, &form) in DdlForm::ALL.iter().enumerate() {
        let fx = fixture(form);
        let c = claim(form, major);
        match rt.block_on(observe(&url, &format!("form_{i}"), &fx, c.transactional)) {
            Ok(o) => {
                failures.extend(disagreements(form, &fx, &c, &o));
                seen.push((fx, c, o));
            }
            Err(e) => failures.push(format!("{form:?}: {e}")),
        }
    }

    let rows: Vec<truth::book::Row> = seen
        .iter()
        .map(|(fixture, claim, seen)| truth::book::Row {
            fixture,
            claim,
            seen,
        })
        .collect();
    let page = truth::book::render(major, &rows);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(truth::book::PATH);
    if std::env::var(UPDATE_ENV).as_deref() == Ok("1") {
        std::fs::write(&path, &page).expect("write the book page");
    } else {
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current != page {
            failures.push(format!(
                "{} is stale: run {UPDATE_ENV}=1 cargo test --test lock_truth",
                truth::book::PATH
            ));
        }
    }
    assert!(failures.is_empty(), "lock truth:\n{}", failures.join("\n"));
}
