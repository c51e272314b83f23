//! `-- bellows:versioned-views`: a column renamed without copying a row. New code runs with
//! `search_path = app_v2, public` and uses the new name through an updatable view while old
//! code keeps the old name on the table; after the gate the column is renamed in place and
//! new code falls through to the table. Row-level security holds through the view for a
//! non-owner role; rollback restores the schema exactly.

mod common;

use bellows::plan::Phase;
use bellows::planner::{self, Options};

const SCHEMA: &str = "tests/fixtures/versioned-schema.sql";
const CHANGE: &str =
    "-- bellows:versioned-views app_v2\nALTER TABLE accounts RENAME COLUMN email TO email_address;";

#[test]
fn a_rename_through_versioned_views_copies_nothing_and_keeps_old_and_new_code_working() {
    let cluster = common::cluster();
    let catalog = bellows::catalog::load_file(SCHEMA).expect("schema");
    let failures = common::exercise(
        &cluster,
        "vv",
        &[SCHEMA],
        &catalog,
        &[("versioned.sql".to_string(), CHANGE.to_string())],
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));

    let plan =
        planner::plan("versioned.sql", CHANGE, &catalog, &Options::default()).expect("plans");
    let url = common::fresh_db(&cluster, "vv_live", &[SCHEMA]);
    let q = |sql: &str| {
        cluster
            .psql("vv_live", sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .trim()
            .to_string()
    };
    let filenode = q("SELECT pg_relation_filenode('accounts')");
    let rt = common::rt();
    rt.block_on(common::run_plan(&url, &plan, Some(Phase::Contract)))
        .expect("up to contract");
    // Old code, on the table.
    assert_eq!(q("SELECT email FROM accounts WHERE id = 1"), "a@one.test");
    q("INSERT INTO accounts (id, org, email) VALUES (10, 1, 'old@code.test')");
    // New code, through the view: reads, writes, defaults and RETURNING.
    let new = "SET search_path = app_v2, public;";
    assert_eq!(
        q(&format!(
            "{new} SELECT email_address FROM accounts WHERE id = 10"
        )),
        "old@code.test"
    );
    assert_eq!(
        q(&format!(
            "{new} INSERT INTO accounts (id, org, email_address) VALUES (11, 2, 'new@code.test') RETURNING created_at IS NOT NULL"
        )),
        "t"
    );
    q(&format!(
        "{new} UPDATE accounts SET email_address = 'b2@two.test' WHERE id = 2"
    ));
    assert_eq!(q("SELECT email FROM accounts WHERE id = 2"), "b2@two.test");
    // A non-owner role sees its organization's rows only (1, 3 and 10 of 5), through the
    // view too.
    let as_app = "SET ROLE vv_app; SET helpdesk.org = '1';";
    assert_eq!(
        q(&format!("{as_app} {new} SELECT count(*) FROM accounts")),
        "3"
    );
    assert_eq!(q(&format!("{as_app} SELECT count(*) FROM accounts")), "3");
    // Contract: in place, no copy.
    rt.block_on(async {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&url).await.expect("connect");
        for s in plan.steps.iter().filter(|s| s.phase >= Phase::Contract) {
            common::run_step(&mut conn, s).await.expect("contract");
        }
    });
    assert_eq!(
        q("SELECT pg_relation_filenode('accounts')"),
        filenode,
        "no rewrite"
    );
    assert_eq!(
        q(&format!(
            "{new} SELECT email_address FROM accounts WHERE id = 11"
        )),
        "new@code.test"
    );
    assert_eq!(
        q(&format!("{as_app} {new} SELECT count(*) FROM accounts")),
        "3"
    );
    assert_eq!(
        q("SELECT count(*) FROM pg_views WHERE schemaname = 'app_v2'"),
        "0"
    );
    assert_eq!(
        q(
            "SELECT count(*) FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attnum > 0 AND NOT attisdropped"
        ),
        "4",
        "no column was added"
    );
}

#[test]
fn the_executor_runs_a_versioned_rename_to_the_end_and_back() {
    use common::exec;
    let cluster = common::cluster();
    let catalog = bellows::catalog::load_file(SCHEMA).expect("schema");
    let plan =
        planner::plan("versioned.sql", CHANGE, &catalog, &Options::default()).expect("plans");
    let url = common::fresh_db(&cluster, "vv_exec", &[SCHEMA]);
    let rt = common::rt();
    let set = exec::quick();
    let (r, _) = rt.block_on(exec::run(&url, &plan, &set));
    r.expect("runs to the end");
    let q = |sql: &str| {
        cluster
            .psql("vv_exec", sql)
            .expect("psql")
            .trim()
            .to_string()
    };
    assert_eq!(
        q("SELECT email_address FROM accounts WHERE id = 1"),
        "a@one.test"
    );
    let (r, _) = rt.block_on(exec::rollback(&url, &plan, &set));
    r.expect("rolls back");
    assert_eq!(q("SELECT email FROM accounts WHERE id = 1"), "a@one.test");
    assert_eq!(
        q("SELECT count(*) FROM pg_views WHERE schemaname = 'app_v2'"),
        "0"
    );
}
