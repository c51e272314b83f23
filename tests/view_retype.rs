//! Views under a type change, and materialized views under a rename or a type change, are
//! rebuilt instead of refused. On a real server: a view chain (a view on a view) with an
//! option, an owner of its own and a rule, a security_invoker view with a column default,
//! an INSTEAD OF trigger, grants to two roles (one with grant option, one on a column) and
//! comments, and a materialized view with a unique index, a grant and a comment, all over
//! one column. For an int→bigint change, a numeric change with USING, a primary-key
//! int→bigint and a rename, planned from the schema file and from the live database: the
//! readers get the same rows after every phase and after a rollback; after the switch-over
//! every view has the same definition text, owner, grants, options, comments, defaults,
//! triggers and rules as before (only the column's type differs), and `REFRESH MATERIALIZED
//! VIEW CONCURRENTLY` works. A grant another role made is made again by that role; one that
//! cannot be made again (a chain of grant options) fails the swap and changes nothing; readers queued behind the swap (a long read holds the views)
//! read the rebuilt views; a renamed table's views and materialized view follow it.

mod common;

use bellows::pgtemp::TempCluster;
use bellows::plan::{Phase, Plan};

const SCHEMA: &str = "
CREATE TABLE accounts (id integer PRIMARY KEY, code integer NOT NULL, label text);
INSERT INTO accounts SELECT g, g % 7, 'account ' || g FROM generate_series(1, 40) g;
CREATE VIEW account_codes WITH (security_barrier = true) AS
    SELECT a.id, a.code, a.label FROM accounts a WHERE a.code > 0;
CREATE VIEW account_summary AS SELECT id, code * 2 AS double_code FROM account_codes;
CREATE VIEW my_accounts WITH (security_invoker = true) AS SELECT id, code FROM accounts;
CREATE MATERIALIZED VIEW code_totals AS SELECT code, count(*) AS n FROM accounts GROUP BY code;
CREATE UNIQUE INDEX code_totals_code ON code_totals (code);
GRANT SELECT ON accounts TO view_owner, reader_b;
ALTER VIEW account_codes OWNER TO view_owner;
GRANT SELECT ON account_codes TO reader_a;
GRANT SELECT ON account_summary TO reader_a, reader_b;
GRANT SELECT ON my_accounts TO reader_b WITH GRANT OPTION;
GRANT SELECT ON code_totals TO reader_a;
COMMENT ON VIEW account_codes IS 'accounts with a code';
COMMENT ON COLUMN account_summary.double_code IS 'twice the code';
COMMENT ON MATERIALIZED VIEW code_totals IS 'accounts per code';
GRANT SELECT (id) ON account_summary TO view_owner;
CREATE FUNCTION summary_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER summary_insert INSTEAD OF INSERT ON account_summary FOR EACH ROW EXECUTE FUNCTION summary_insert();
";

/// Loaded after the schema but not in the file bellows plans from (its parser reads neither
/// CREATE RULE nor ALTER VIEW, and refuses a change to a view the file names in a statement
/// it could not read): the switch-over keeps a rule and a default it does not know about.
const EXTRA: &str =
    "CREATE RULE account_codes_keep AS ON DELETE TO account_codes DO INSTEAD NOTHING;
ALTER VIEW my_accounts ALTER COLUMN code SET DEFAULT 1;";

/// What each reader sees through the views (as that role); numbers as float8, so a value
/// reads the same whatever its type.
const READS: [(&str, &str); 4] = [
    (
        "reader_a",
        "SELECT string_agg(format('%s|%s|%s', id, code::float8, label), ';' ORDER BY id) FROM account_codes",
    ),
    (
        "reader_b",
        "SELECT string_agg(format('%s|%s', id, double_code::float8), ';' ORDER BY id) FROM account_summary",
    ),
    (
        "reader_b",
        "SELECT string_agg(format('%s|%s', id, code::float8), ';' ORDER BY id) FROM my_accounts",
    ),
    (
        "reader_a",
        "SELECT string_agg(format('%s|%s', code::float8, n), ';' ORDER BY code) FROM code_totals",
    ),
];

/// Everything about the views that must not change, one line each.
const META: &str = "SELECT string_agg(format('%s owner=%s acl=%s options=%s comment=%s columns=%s def=%s', \
    c.relname, pg_get_userbyid(c.relowner), c.relacl, c.reloptions, obj_description(c.oid, 'pg_class'), \
    (SELECT string_agg(format('%s:%s:%s:%s', attname, col_description(c.oid, attnum), attacl, \
       (SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = c.oid AND adnum = attnum)), ',' ORDER BY attnum) \
     FROM pg_attribute WHERE attrelid = c.oid AND attnum > 0 AND NOT attisdropped), \
    pg_get_viewdef(c.oid)), E'\\n' ORDER BY c.relname) \
    FROM pg_class c WHERE c.relname IN ('account_codes', 'account_summary', 'my_accounts', 'code_totals') \
    UNION ALL SELECT string_agg(pg_get_triggerdef(oid), ';' ORDER BY tgname) FROM pg_trigger WHERE NOT tgisinternal AND tgname NOT LIKE 'bellows%' \
    UNION ALL SELECT string_agg(rulename || ' ' || definition, ';' ORDER BY rulename) FROM pg_rules WHERE schemaname = 'public' \
    UNION ALL SELECT string_agg(viewname || ' ' || viewowner, ',' ORDER BY viewname) FROM pg_views WHERE schemaname = 'public' \
    UNION ALL SELECT string_agg(indexname || ' ' || indexdef, ',' ORDER BY indexname) FROM pg_indexes WHERE tablename = 'code_totals'";

fn reads(cluster: &TempCluster, db: &str) -> Vec<String> {
    READS
        .iter()
        .map(|(role, q)| {
            cluster
                .psql(db, &format!("SET ROLE {role}; {q}"))
                .unwrap_or_else(|e| panic!("{db}: {role} cannot read through the views: {e}"))
        })
        .collect()
}

fn meta(cluster: &TempCluster, db: &str) -> String {
    cluster.psql(db, META).expect("view metadata")
}

fn column_types(cluster: &TempCluster, db: &str) -> String {
    cluster
        .psql(db, "SELECT string_agg(c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ',' ORDER BY 1) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid WHERE c.relname IN ('account_codes', 'account_summary', 'my_accounts', 'code_totals') AND a.attnum > 0")
        .expect("column types")
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

/// One change, phase by phase in one database and up to contract and back in another;
/// `type_after` is a view column with its type (or name) after the change.
fn check_change(cluster: &TempCluster, file: &Files, plan: &Plan, db: &str, type_after: &str) {
    let url = common::fresh_db(cluster, db, &file.all());
    let want = reads(cluster, db);
    let before = meta(cluster, db);
    for phase in Phase::ALL {
        run_phase(&url, plan, phase);
        assert_eq!(reads(cluster, db), want, "{db}: reads after {phase:?}");
    }
    // PostgreSQL spells the constants compared with a numeric column as numerics, and a
    // rename shows in the queries (under the old output name); nothing else may differ.
    let after = meta(cluster, db)
        .replace("(0)::numeric", "0")
        .replace("(2)::numeric", "2")
        .replace("account_code AS code", "code")
        .replace("a.account_code", "a.code")
        .replace("accounts.account_code", "accounts.code");
    assert_eq!(after, before, "{db}: views after the switch-over");
    let types = column_types(cluster, db);
    assert!(types.contains(type_after), "{db}: {types}");
    // The rebuilt materialized view refreshes concurrently (its unique index came along) and
    // sees rows written after the switch-over.
    let code = if type_after.contains("account_code") {
        "account_code"
    } else {
        "code"
    };
    cluster
        .psql(
            db,
            &format!("INSERT INTO accounts (id, {code}, label) VALUES (1000, 99, 'late'); REFRESH MATERIALIZED VIEW CONCURRENTLY code_totals"),
        )
        .expect("insert and refresh concurrently");
    let totals = cluster
        .psql(
            db,
            "SET ROLE reader_a; SELECT n FROM code_totals WHERE code = 99",
        )
        .expect("read the refreshed view");
    assert_eq!(totals, "1", "{db}");

    let back = format!("{db}_back");
    let back_url = common::fresh_db(cluster, &back, &file.all());
    let rt = common::rt();
    let done = rt
        .block_on(common::run_plan(&back_url, plan, Some(Phase::Contract)))
        .expect("runs up to contract");
    assert_eq!(reads(cluster, &back), want, "{back}: before rollback");
    rt.block_on(common::rollback(&back_url, &done))
        .expect("rolls back");
    assert_eq!(reads(cluster, &back), want, "{back}: after rollback");
    assert_eq!(meta(cluster, &back), before, "{back}: after rollback");
    let leftover = cluster
        .psql(
            &back,
            "SELECT count(*) FROM pg_class WHERE relname LIKE '%bellows%'",
        )
        .expect("leftovers");
    assert_eq!(
        leftover, "0",
        "{back}: objects of bellows left after rollback"
    );
}

const CHANGES: [(&str, &str, &str); 4] = [
    (
        "bigint",
        "ALTER TABLE accounts ALTER COLUMN code TYPE bigint;",
        "account_summary.double_code bigint",
    ),
    (
        "using",
        "-- bellows:down round(code)::integer\nALTER TABLE accounts ALTER COLUMN code TYPE numeric(12,2) USING code::numeric(12,2);",
        "code_totals.code numeric(12,2)",
    ),
    (
        "pk",
        "ALTER TABLE accounts ALTER COLUMN id TYPE bigint;",
        "my_accounts.id bigint",
    ),
    (
        "rename",
        "ALTER TABLE accounts RENAME COLUMN code TO account_code;",
        "account_code",
    ),
];

/// The schema file and the extra one, loaded in this order.
struct Files([String; 2]);

impl Files {
    fn all(&self) -> Vec<&str> {
        self.0.iter().map(String::as_str).collect()
    }
}

/// A cluster with the roles, the schema written to a file of its own (`tag`), and the
/// catalog read from that file.
fn setup(
    tag: &str,
) -> (
    TempCluster,
    std::path::PathBuf,
    Files,
    bellows::catalog::Catalog,
) {
    let cluster = common::cluster();
    cluster
        .psql(
            "postgres",
            "CREATE ROLE reader_a; CREATE ROLE reader_b; CREATE ROLE view_owner",
        )
        .expect("roles");
    let dir = std::env::temp_dir().join(format!("bellows-view-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("schema.sql");
    std::fs::write(&file, SCHEMA).expect("write");
    let extra = dir.join("extra.sql");
    std::fs::write(&extra, EXTRA).expect("write");
    let cat = bellows::catalog::load_file(&file.display().to_string()).expect("schema loads");
    let files = Files([file.display().to_string(), extra.display().to_string()]);
    (cluster, dir, files, cat)
}

#[test]
fn views_and_materialized_views_over_a_moved_column_are_rebuilt_as_they_were() {
    let (cluster, dir, file, cat) = setup("retype");
    let src = common::fresh_db(&cluster, "retype_live_src", &file.all());
    let live = common::rt().block_on(common::shape(&src));
    assert!(
        live.views[&bellows::sql::QName::public("code_totals")]
            .indexes
            .contains_key("code_totals_code"),
        "the live catalog knows the materialized view's index"
    );
    for (tag, change, type_after) in CHANGES {
        let plan = bellows::planner::plan("change.sql", change, &cat, &Default::default())
            .unwrap_or_else(|e| panic!("{tag}: plans from the file: {e}"));
        check_change(&cluster, &file, &plan, &format!("retype_{tag}"), type_after);
        let plan = bellows::planner::plan("change.sql", change, &live, &Default::default())
            .unwrap_or_else(|e| panic!("{tag}: plans from the live database: {e}"));
        check_change(
            &cluster,
            &file,
            &plan,
            &format!("retype_{tag}_live"),
            type_after,
        );
    }

    // The shared harness: all the way up, and up to contract and back to the same schema.
    let changes: Vec<(String, String)> = CHANGES
        .iter()
        .map(|(tag, text, _)| (format!("{tag}.sql"), text.to_string()))
        .collect();
    let failures = common::exercise(&cluster, "retype_ex", &file.all(), &cat, &changes);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_grant_made_by_another_role_is_made_again_by_that_role() {
    let (cluster, dir, file, cat) = setup("grantor");
    let change = "ALTER TABLE accounts ALTER COLUMN code TYPE bigint;";
    let plan =
        bellows::planner::plan("change.sql", change, &cat, &Default::default()).expect("plans");
    let db = "grantor";
    let url = common::fresh_db(&cluster, db, &file.all());
    // reader_b passes its grant on: reader_a's privilege is reader_b's grant.
    cluster
        .psql(
            db,
            "SET ROLE reader_b; GRANT SELECT ON my_accounts TO reader_a",
        )
        .expect("grant by reader_b");
    let want = reads(&cluster, db);
    let before = meta(&cluster, db);
    assert!(before.contains("reader_a=r/reader_b"), "{before}");
    for phase in Phase::ALL {
        run_phase(&url, &plan, phase);
        assert_eq!(reads(&cluster, db), want, "reads after {phase:?}");
    }
    assert_eq!(meta(&cluster, db), before, "views after contract");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_grant_bellows_cannot_make_again_stops_the_swap_and_nothing_changes() {
    let (cluster, dir, file, cat) = setup("chain");
    let change = "ALTER TABLE accounts ALTER COLUMN code TYPE bigint;";
    let plan =
        bellows::planner::plan("change.sql", change, &cat, &Default::default()).expect("plans");
    let db = "chain";
    let url = common::fresh_db(&cluster, db, &file.all());
    // Two roles deep: reader_a's grant needs reader_b's made first, and bellows makes
    // them in name order.
    cluster
        .psql(
            db,
            "SET ROLE reader_b; GRANT SELECT ON my_accounts TO reader_a WITH GRANT OPTION; \
             SET ROLE reader_a; GRANT SELECT ON my_accounts TO view_owner",
        )
        .expect("a chain of grants");
    let want = reads(&cluster, db);
    let before = meta(&cluster, db);
    for phase in [Phase::Expand, Phase::DualWrite, Phase::Backfill] {
        run_phase(&url, &plan, phase);
    }
    let swap = plan
        .steps
        .iter()
        .find(|s| s.id.ends_with("swap"))
        .expect("a swap step");
    let err = common::rt()
        .block_on(async {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&url).await.expect("connect");
            common::run_step(&mut conn, swap).await
        })
        .expect_err("the swap must fail");
    assert!(
        err.contains("bellows: a re-created view cannot be given back what it had, so nothing was changed: permission denied for table my_accounts"),
        "{err}"
    );
    assert_eq!(reads(&cluster, db), want, "reads after the failed swap");
    assert_eq!(meta(&cluster, db), before, "views after the failed swap");
    let columns = cluster
        .psql(db, "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attnum > 0 AND NOT attisdropped")
        .expect("columns");
    assert_eq!(
        columns,
        "id integer,code integer,label text,code_bellows_new bigint"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn views_and_a_materialized_view_over_a_renamed_table_keep_working() {
    let (cluster, dir, file, cat) = setup("rename_table");
    let plan = bellows::planner::plan(
        "change.sql",
        "ALTER TABLE accounts RENAME TO ledger;",
        &cat,
        &Default::default(),
    )
    .expect("plans");
    let db = "rename_table";
    let url = common::fresh_db(&cluster, db, &file.all());
    let want = reads(&cluster, db);
    let before = meta(&cluster, db);
    for phase in Phase::ALL {
        run_phase(&url, &plan, phase);
        assert_eq!(reads(&cluster, db), want, "reads after {phase:?}");
    }
    // They follow the table: only its name in their queries changed.
    assert_eq!(
        meta(&cluster, db).replace("ledger", "accounts"),
        before,
        "views after contract"
    );
    cluster
        .psql(
            db,
            "INSERT INTO ledger VALUES (1000, 99, 'late'); REFRESH MATERIALIZED VIEW CONCURRENTLY code_totals",
        )
        .expect("insert and refresh concurrently");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn readers_queued_behind_the_swap_read_the_rebuilt_views() {
    let (cluster, dir, file, cat) = setup("queue");
    let change = "ALTER TABLE accounts ALTER COLUMN code TYPE bigint;";
    let plan =
        bellows::planner::plan("change.sql", change, &cat, &Default::default()).expect("plans");
    let db = "queue";
    let url = common::fresh_db(&cluster, db, &file.all());
    let want = reads(&cluster, db)[1].clone();
    for phase in [Phase::Expand, Phase::DualWrite, Phase::Backfill] {
        run_phase(&url, &plan, phase);
    }
    let contract: Vec<_> = plan
        .steps
        .iter()
        .filter(|s| s.phase == Phase::Contract)
        .cloned()
        .collect();
    let read = READS[1].1;
    let connect = |url: String| async move {
        use sqlx::Connection;
        let mut c = sqlx::PgConnection::connect(&url).await.expect("connect");
        sqlx::raw_sql("SET ROLE reader_b")
            .execute(&mut c)
            .await
            .expect("set role");
        c
    };
    common::rt().block_on(async {
        // A long read holds the views: the swap waits for it, and new readers queue
        // behind the swap, as on a busy server.
        let mut blocker = connect(url.clone()).await;
        sqlx::raw_sql("BEGIN; SELECT count(*) FROM account_summary")
            .execute(&mut blocker)
            .await
            .expect("long read");
        let swap_url = url.clone();
        let swap = tokio::spawn(async move {
            use sqlx::Connection;
            let mut c = sqlx::PgConnection::connect(&swap_url).await.expect("connect");
            for s in &contract {
                common::run_step(&mut c, s).await?;
            }
            Ok::<(), String>(())
        });
        let mut observer = {
            use sqlx::Connection;
            sqlx::PgConnection::connect(&url).await.expect("connect")
        };
        let mut wait_for = async |n: i64, who: &str| {
            for _ in 0..200 {
                let waiting: i64 = sqlx::query_scalar(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()",
                )
                .fetch_one(&mut observer)
                .await
                .expect("waiting sessions");
                if waiting == n {
                    return;
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            panic!("{who} never waited for the long read");
        };
        wait_for(1, "the swap").await;
        let mut readers = Vec::new();
        for _ in 0..3 {
            let mut c = connect(url.clone()).await;
            readers.push(tokio::spawn(async move {
                sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(read))
                    .fetch_one(&mut c)
                    .await
                    .map_err(|e| e.to_string())
            }));
        }
        wait_for(4, "the readers (behind the swap)").await;
        sqlx::raw_sql("COMMIT")
            .execute(&mut blocker)
            .await
            .expect("end the long read");
        swap.await.expect("swap task").expect("the contract phase runs");
        for r in readers {
            let got = r.await.expect("reader task");
            assert_eq!(got.as_deref(), Ok(want.as_str()), "a queued reader");
        }
    });
    let _ = std::fs::remove_dir_all(&dir);
}
