//! Tables without a primary key: a backfill walks a unique index on NOT NULL columns instead
//! (each row has exactly one key, so keyset batches neither skip nor repeat a row). A table
//! with no such key is walked by ranges of physical pages (`ctid`, PostgreSQL 14+; refused
//! before, saying what to add): see `no_key_at_all` below.

mod common;

use bellows::planner::{Options, plan};

const SCHEMA: &str = "
CREATE TABLE legacy_users (
    uid bigint NOT NULL,
    tenant int NOT NULL,
    email text,
    nickname text
);
CREATE UNIQUE INDEX legacy_users_tenant_uid ON legacy_users (tenant, uid);
CREATE UNIQUE INDEX legacy_users_email ON legacy_users (email);
CREATE TABLE audit_lines (at timestamptz NOT NULL, line text);
";

const ROWS: &str = "
INSERT INTO legacy_users
SELECT g, g % 7, 'user' || g || '@example.com', CASE WHEN g % 3 = 0 THEN NULL ELSE 'n' || g END
FROM generate_series(1, 5000) g;
";

#[test]
fn backfills_walk_a_unique_not_null_key_when_there_is_no_primary_key() {
    let dir = std::env::temp_dir().join(format!("bellows-nopk-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let schema = dir.join("schema.sql");
    let rows = dir.join("rows.sql");
    std::fs::write(&schema, SCHEMA).expect("write");
    std::fs::write(&rows, ROWS).expect("write");
    let (schema, rows) = (schema.display().to_string(), rows.display().to_string());
    let cat = bellows::catalog::load_file(&schema).expect("schema loads");

    let table = &cat.tables[&bellows::sql::QName::public("legacy_users")];
    assert_eq!(
        table.batch_key(),
        ["tenant", "uid"],
        "the nullable email index is not a key"
    );

    let renamed = plan(
        "c.sql",
        "ALTER TABLE legacy_users RENAME COLUMN nickname TO display_name;",
        &cat,
        &Options::default(),
    )
    .expect("plans without a primary key");
    let backfill = renamed
        .steps
        .iter()
        .find_map(|s| s.backfill.as_ref())
        .expect("a backfill");
    assert_eq!(backfill.key, ["tenant", "uid"]);

    let changes = vec![
        (
            "rename.sql".to_string(),
            "ALTER TABLE legacy_users RENAME COLUMN nickname TO display_name;".to_string(),
        ),
        (
            "retype.sql".to_string(),
            "ALTER TABLE legacy_users ALTER COLUMN uid TYPE numeric(20);".to_string(),
        ),
        (
            "not-null.sql".to_string(),
            "-- bellows:fill 'anonymous'\nALTER TABLE legacy_users ALTER COLUMN nickname SET NOT NULL;".to_string(),
        ),
    ];
    let cluster = common::cluster();
    let failures = common::exercise(&cluster, "nopk", &[&schema, &rows], &cat, &changes);
    assert!(failures.is_empty(), "{failures:#?}");

    // Every row was carried: the renamed column holds exactly what the old one held.
    let out = cluster
        .psql(
            "nopk_up0",
            "SELECT count(*), count(display_name), count(*) FILTER (WHERE display_name = 'n' || uid) FROM legacy_users",
        )
        .expect("query");
    assert_eq!(out.trim(), "5000|3334|3334");
    let out = cluster
        .psql("nopk_up2", "SELECT count(*) FILTER (WHERE nickname = 'anonymous'), count(*) FILTER (WHERE nickname IS NULL) FROM legacy_users")
        .expect("query");
    assert_eq!(out.trim(), "1666|0");

    // No key at all, before PostgreSQL 14 (no TID range scans): refused, saying what to add.
    let err = plan(
        "c.sql",
        "ALTER TABLE audit_lines RENAME COLUMN line TO text_line;",
        &cat,
        &Options {
            pg_version: 13,
            ..Options::default()
        },
    )
    .expect_err("refused")
    .to_string();
    assert!(
        err.contains("no primary key and no unique index on NOT NULL columns"),
        "{err}"
    );
    assert!(err.contains("needs PostgreSQL 14+"), "{err}");
    assert!(
        err.contains("add a primary key or a unique index on NOT NULL columns first"),
        "{err}"
    );
}

#[path = "no_primary_key/no_key_at_all.rs"]
mod no_key_at_all;
