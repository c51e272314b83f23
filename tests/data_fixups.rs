//! Data fix-up directives on a real server: rows repaired before a CHECK validates, orphans
//! nulled or deleted before a FOREIGN KEY validates, duplicates deleted before a unique
//! index is built, and `up` computing a new column for existing rows and for rows old code
//! writes. After the plan every constraint holds and the counts are what the seed put there;
//! after rollback every row is back, byte for byte.

mod common;

use bellows::plan::Phase;
use bellows::planner::{self, Options};

const SCHEMA: &str = "tests/fixtures/fixups-schema.sql";
const SEED: &str = "tests/fixtures/fixups-seed.sql";

/// Every table's rows as one digest, to compare before and after rollback.
const DIGEST: &str = "SELECT md5(string_agg(x, '|' ORDER BY x)) FROM (\
    SELECT 'a' || a::text AS x FROM authors a UNION ALL \
    SELECT 'b' || b::text FROM books b UNION ALL \
    SELECT 'r' || r::text FROM reviews r) s";

fn changes() -> Vec<(String, String)> {
    [
        ("check", "-- bellows:fix-rows price = abs(price)\nALTER TABLE books ADD CONSTRAINT books_price_check CHECK (price >= 0);"),
        ("fk-null", "-- bellows:fix-orphans null\nALTER TABLE books ADD CONSTRAINT books_author_fkey FOREIGN KEY (author_id) REFERENCES authors (id);"),
        ("fk-delete", "-- bellows:fix-orphans delete\nALTER TABLE reviews ADD CONSTRAINT reviews_book_fkey FOREIGN KEY (book_id) REFERENCES books (id);"),
        ("unique", "-- bellows:fix-duplicates keep highest updated_at\nALTER TABLE books ADD CONSTRAINT books_isbn_key UNIQUE (isbn);"),
        ("unique-index", "-- bellows:fix-duplicates keep lowest id\nCREATE UNIQUE INDEX books_slug_idx ON books (slug);"),
        ("up", "-- bellows:up lower(title)\nALTER TABLE books ADD COLUMN title_key text;"),
    ]
    .into_iter()
    .map(|(n, s)| (n.to_string(), s.to_string()))
    .collect()
}

#[test]
fn fix_ups_repair_exactly_the_bad_rows_and_rollback_puts_every_row_back() {
    let cluster = common::cluster();
    let catalog = bellows::catalog::load_file(SCHEMA).expect("schema");
    let failures = common::exercise(&cluster, "fix", &[SCHEMA, SEED], &catalog, &changes());
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    let base = common::fresh_db(&cluster, "fix_base", &[SCHEMA, SEED]);
    let n = |db: &str, sql: &str| cluster.psql(db, sql).expect("psql").trim().to_string();
    let before = n("fix_base", DIGEST);
    let _ = base;
    for i in 0..changes().len() {
        assert_eq!(
            n(&format!("fix_back{i}"), DIGEST),
            before,
            "{}: rollback must put every row back",
            changes()[i].0
        );
    }
    // check: the 40 negative prices became their absolute value, nothing else changed.
    assert_eq!(
        n("fix_up0", "SELECT count(*) FROM books WHERE price < 0"),
        "0"
    );
    assert_eq!(
        n("fix_up0", "SELECT count(*) FROM books WHERE price = 7.5"),
        "40"
    );
    assert_eq!(
        n(
            "fix_up0",
            "SELECT convalidated FROM pg_constraint WHERE conname = 'books_price_check'"
        ),
        "t"
    );
    // fk-null: 25 books of missing authors lost their author, the others kept theirs.
    assert_eq!(
        n(
            "fix_up1",
            "SELECT count(*) FROM books WHERE author_id IS NULL"
        ),
        "25"
    );
    assert_eq!(
        n(
            "fix_up1",
            "SELECT count(*) FROM books WHERE author_id IS NOT NULL"
        ),
        "1975"
    );
    // fk-delete: the 30 reviews of missing books are gone, saved for rollback.
    assert_eq!(n("fix_up2", "SELECT count(*) FROM reviews"), "3000");
    assert_eq!(
        n(
            "fix_up2",
            "SELECT count(*) FROM bellows.saved_reviews_reviews_book_fkey_rows"
        ),
        "30"
    );
    // unique: one row per isbn, the most recently updated one.
    // 1900 rows with an isbn over 760 distinct values, and 100 without one.
    assert_eq!(n("fix_up3", "SELECT count(*) FROM books"), "860");
    assert_eq!(
        n("fix_up3", "SELECT count(*) FROM books WHERE isbn IS NULL"),
        "100",
        "rows without an isbn are not duplicates"
    );
    assert_eq!(
        n(
            "fix_up3",
            "SELECT string_agg(id::text, ',' ORDER BY id) FROM books WHERE isbn = 'isbn-7'"
        ),
        "1607",
        "of 7, 807 and 1607, the last updated stays"
    );
    // unique index: the lowest id of each slug stays.
    assert_eq!(
        n(
            "fix_up4",
            "SELECT count(DISTINCT slug) = count(*) FROM books"
        ),
        "t"
    );
    assert_eq!(
        n("fix_up4", "SELECT min(id) FROM books WHERE slug = 'slug-3'"),
        "3"
    );
    // up: every existing row computed.
    assert_eq!(
        n(
            "fix_up5",
            "SELECT count(*) FROM books WHERE title_key IS DISTINCT FROM lower(title)"
        ),
        "0"
    );
}

#[test]
fn up_keeps_the_new_column_right_for_old_code_until_contract() {
    let cluster = common::cluster();
    let catalog = bellows::catalog::load_file(SCHEMA).expect("schema");
    let text = "-- bellows:up lower(title)\nALTER TABLE books ADD COLUMN title_key text;";
    let plan = planner::plan("up.sql", text, &catalog, &Options::default()).expect("plans");
    let url = common::fresh_db(&cluster, "fix_old_code", &[SCHEMA, SEED]);
    let rt = common::rt();
    rt.block_on(common::run_plan(&url, &plan, Some(Phase::Backfill)))
        .expect("up to the backfill");
    let q = |sql: &str| {
        cluster
            .psql("fix_old_code", sql)
            .expect("psql")
            .trim()
            .to_string()
    };
    // Old code: inserts and updates without the column.
    q(
        "INSERT INTO books (id, title, isbn, slug) VALUES (9001, 'Old Code Book', 'isbn-old', 'slug-old')",
    );
    q("UPDATE books SET title = 'Renamed By Old Code' WHERE id = 5");
    // New code writing the column itself wins.
    q("INSERT INTO books (id, title, title_key) VALUES (9002, 'New', 'chosen')");
    rt.block_on(async {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&url).await.expect("connect");
        for s in plan.steps.iter().filter(|s| s.phase >= Phase::Backfill) {
            common::run_step(&mut conn, s)
                .await
                .expect("the rest of the plan");
        }
    });
    assert_eq!(
        q("SELECT title_key FROM books WHERE id = 9001"),
        "old code book"
    );
    assert_eq!(
        q("SELECT title_key FROM books WHERE id = 5"),
        "renamed by old code"
    );
    assert_eq!(q("SELECT title_key FROM books WHERE id = 9002"), "chosen");
    assert_eq!(
        q(
            "SELECT count(*) FROM books WHERE title_key IS DISTINCT FROM lower(title) AND id <> 9002"
        ),
        "0"
    );
    // After contract the trigger is gone: old code's rows keep the column NULL.
    q("INSERT INTO books (id, title) VALUES (9003, 'After')");
    assert_eq!(
        q("SELECT title_key IS NULL FROM books WHERE id = 9003"),
        "t"
    );
}

#[test]
fn fix_ups_are_refused_where_they_do_not_fit() {
    let catalog = bellows::catalog::load_file(SCHEMA).expect("schema");
    let refused = |text: &str| {
        planner::plan("c.sql", text, &catalog, &Options::default())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    let e = refused(
        "-- bellows:fix-orphans null\nALTER TABLE books ADD CONSTRAINT books_price_check CHECK (price >= 0);",
    );
    assert!(e.contains("does not apply"), "{e}");
    let e = refused(
        "-- bellows:fix-orphans null\nALTER TABLE reviews ADD CONSTRAINT r_fk FOREIGN KEY (book_id) REFERENCES books (id);",
    );
    assert!(
        e.contains("NOT NULL") && e.contains("fix-orphans delete"),
        "{e}"
    );
    let e = refused(
        "-- bellows:fix-rows price = 0\nALTER TABLE books ADD CONSTRAINT c CHECK (price >= 0) NOT VALID;",
    );
    assert!(e.contains("NOT VALID"), "{e}");
    let e = refused(
        "-- bellows:fix-duplicates keep lowest id\nCREATE INDEX books_title_idx ON books (title);",
    );
    assert!(e.contains("not unique"), "{e}");
    let e = refused(
        "-- bellows:up lower(title)\nALTER TABLE books ADD COLUMN t2 text NOT NULL DEFAULT '';",
    );
    assert!(e.contains("nullable"), "{e}");
    let e =
        refused("-- bellows:fix-duplicates keep newest id\nCREATE UNIQUE INDEX i ON books (isbn);");
    assert!(e.contains("keep lowest"), "{e}");
}

#[test]
fn the_executor_reports_how_many_rows_a_fix_up_changed_and_rolls_them_back() {
    use bellows::executor::Event;
    use common::exec;
    let cluster = common::cluster();
    let catalog = bellows::catalog::load_file(SCHEMA).expect("schema");
    let text = "-- bellows:fix-duplicates keep highest updated_at\nALTER TABLE books ADD CONSTRAINT books_isbn_key UNIQUE (isbn);";
    let plan = planner::plan("dedupe.sql", text, &catalog, &Options::default()).expect("plans");
    let url = common::fresh_db(&cluster, "fix_exec", &[SCHEMA, SEED]);
    let q = |sql: &str| {
        cluster
            .psql("fix_exec", sql)
            .expect("psql")
            .trim()
            .to_string()
    };
    let before = q(DIGEST);
    let rt = common::rt();
    let mut set = exec::quick();
    set.batch_size = Some(100);
    let (r, events) = rt.block_on(exec::run(&url, &plan, &set));
    r.expect("the plan runs");
    let changed = events.iter().rev().find_map(|e| match e {
        Event::BatchProgress {
            step, rows_changed, ..
        } if step.ends_with("fix-books_isbn_key") => *rows_changed,
        _ => None,
    });
    assert_eq!(
        changed,
        Some(1140),
        "1900 rows with an isbn, 760 distinct: 1140 deleted"
    );
    assert_eq!(q("SELECT count(*) FROM books"), "860");
    let (r, _) = rt.block_on(exec::rollback(&url, &plan, &set));
    r.expect("rolls back");
    assert_eq!(q(DIGEST), before, "every deleted row is back");
    assert_eq!(
        q("SELECT count(*) FROM pg_constraint WHERE conname = 'books_isbn_key'"),
        "0"
    );
}
