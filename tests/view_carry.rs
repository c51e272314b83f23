//! Views over a renamed column are carried through the shadow-column plan. Before, such a
//! rename was refused, leaving no way to rename most columns of schemas with views. Here, on
//! a real server, a view and a view on that view (with a grant to a reader and an option)
//! give their readers the same rows under the same column names after every phase, after
//! contract, and after a rollback; the plan made from the live database does the same.

mod common;

use bellows::plan::{Phase, Plan};

const SCHEMA: &str = "
CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL, name text);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id), total numeric(10,2));
CREATE VIEW customer_emails WITH (security_barrier = true) AS
    SELECT c.id, email, lower(c.email) AS email_lower FROM customers c WHERE email <> '';
CREATE VIEW order_contacts AS
    SELECT o.id AS order_id, e.email, o.total FROM orders o JOIN customer_emails e ON e.id = o.customer_id;
GRANT SELECT ON customer_emails, order_contacts TO report_reader;
INSERT INTO customers VALUES (1, 'Ann@example.com', 'Ann'), (2, 'bo@example.com', 'Bo'), (3, '', 'Nobody');
INSERT INTO orders VALUES (10, 1, 5.00), (11, 2, 7.50), (12, 1, 1.25);
";

const READS: [&str; 2] = [
    "SELECT string_agg(format('%s|%s|%s', id, email, email_lower), ';' ORDER BY id) FROM customer_emails",
    "SELECT string_agg(format('%s|%s|%s', order_id, email, total), ';' ORDER BY order_id) FROM order_contacts",
];

fn reads(cluster: &bellows::pgtemp::TempCluster, db: &str) -> Vec<String> {
    READS
        .iter()
        .map(|q| {
            cluster
                .psql(db, &format!("SET ROLE report_reader; {q}"))
                .unwrap_or_else(|e| panic!("{db}: the reader cannot read through the views: {e}"))
        })
        .collect()
}

fn options(cluster: &bellows::pgtemp::TempCluster, db: &str) -> String {
    cluster
        .psql(db, "SELECT relname || ':' || coalesce(array_to_string(reloptions, ','), '') FROM pg_class WHERE relname IN ('customer_emails', 'order_contacts') ORDER BY 1")
        .expect("options")
}

fn run_phase(url: &str, plan: &Plan, phase: Phase) {
    let steps: Vec<_> = plan
        .steps
        .iter()
        .filter(|s| s.phase == phase)
        .cloned()
        .collect();
    common::rt().block_on(async {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
        for s in &steps {
            common::run_step(&mut conn, s)
                .await
                .unwrap_or_else(|e| panic!("{phase:?}: {e}"));
        }
    });
}

const CHANGE: &str = "ALTER TABLE customers RENAME COLUMN email TO email_address;";

fn check_plan(cluster: &bellows::pgtemp::TempCluster, file: &str, plan: &Plan, db: &str) {
    let url = common::fresh_db(cluster, db, &[file]);
    let want = reads(cluster, db);
    let opts = options(cluster, db);
    assert!(opts.contains("security_barrier=true"), "{opts}");
    for phase in Phase::ALL {
        run_phase(&url, plan, phase);
        assert_eq!(reads(cluster, db), want, "{db}: after {phase:?}");
        assert_eq!(options(cluster, db), opts, "{db}: after {phase:?}");
    }
    // The old column is gone; the view reads the new one under its old output name.
    let def = cluster
        .psql(db, "SELECT pg_get_viewdef('customer_emails'::regclass)")
        .expect("definition");
    assert!(def.contains("email_address AS email"), "{def}");
    // A row written now (only the new column exists) shows through both views.
    cluster
        .psql(db, "INSERT INTO customers (id, email_address) VALUES (4, 'di@example.com'); INSERT INTO orders VALUES (13, 4, 2.00)")
        .expect("insert after contract");
    let after = reads(cluster, db);
    assert!(after[1].ends_with("13|di@example.com|2.00"), "{after:?}");

    // Up to contract and back: same reads, same definitions.
    let back = format!("{db}_back");
    let back_url = common::fresh_db(cluster, &back, &[file]);
    let defs = |d: &str| {
        cluster
            .psql(d, "SELECT string_agg(pg_get_viewdef(oid), ';' ORDER BY relname) FROM pg_class WHERE relname IN ('customer_emails', 'order_contacts')")
            .expect("definitions")
    };
    let defs_before = defs(&back);
    let rt = common::rt();
    let done = rt
        .block_on(common::run_plan(&back_url, plan, Some(Phase::Contract)))
        .expect("runs up to contract");
    rt.block_on(common::rollback(&back_url, &done))
        .expect("rolls back");
    assert_eq!(reads(cluster, &back), want, "{back}: after rollback");
    assert_eq!(defs(&back), defs_before, "{back}: after rollback");
}

#[test]
fn views_over_a_renamed_column_read_the_same_rows_and_names_through_every_phase() {
    let cluster = common::cluster();
    cluster
        .psql("postgres", "CREATE ROLE report_reader")
        .expect("role");
    let dir = std::env::temp_dir().join(format!("bellows-views-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("schema.sql");
    std::fs::write(&file, SCHEMA).expect("write");
    let file = file.display().to_string();

    // Planned from the schema file.
    let cat = bellows::catalog::load_file(&file).expect("schema loads");
    let plan = bellows::planner::plan("rename.sql", CHANGE, &cat, &Default::default())
        .expect("plans from the file");
    check_plan(&cluster, &file, &plan, "views_file");

    // Planned from the live database (pg_get_viewdef's spelling).
    let url = common::fresh_db(&cluster, "views_live_src", &[file.as_str()]);
    let live = common::rt().block_on(common::shape(&url));
    let plan = bellows::planner::plan("rename.sql", CHANGE, &live, &Default::default())
        .expect("plans from the live database");
    check_plan(&cluster, &file, &plan, "views_live");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_view_selecting_star_over_the_column_is_refused_with_what_to_do() {
    let cat = bellows::catalog::load_str(
        "s.sql",
        "CREATE TABLE customers (id bigint PRIMARY KEY, email text);
         CREATE VIEW everything AS SELECT * FROM customers;",
    )
    .expect("schema loads");
    let err = bellows::planner::plan("rename.sql", CHANGE, &cat, &Default::default())
        .expect_err("refused");
    let text = format!("{err} {}", err.hint().unwrap_or(""));
    assert!(
        text.contains("everything") && text.contains("`*`") && text.contains("drop view"),
        "{text}"
    );
}
