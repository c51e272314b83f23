//! Schema files as production dumps write them: partitioned tables (`PARTITION BY`, `ATTACH
//! PARTITION`, indexes `ON ONLY` the parent with the partitions' indexes attached),
//! inheritance (`INHERITS`), triggers whose functions take literal arguments, text search
//! configurations and a `--clean --if-exists` preamble. Every statement is read or reported
//! with its line; the file and the server it was loaded into describe the same tables; and a
//! plan that touches a table a skipped statement names is refused, naming that statement.

mod common;

use bellows::catalog::{self, Parent};
use bellows::sql::QName;

const DUMP: &str = "tests/fixtures/partitioned-dump.sql";

fn q(name: &str) -> QName {
    QName::public(name)
}

#[test]
fn a_partitioned_dump_is_read_whole_and_matches_the_server() {
    let file = catalog::load_file(DUMP).expect("the dump loads");

    // Only the rewrite rule is not read; it is reported with its line and what it names.
    let unread: Vec<String> = file.unread.iter().map(|u| u.to_string()).collect();
    assert_eq!(file.unread.len(), 1, "{unread:#?}");
    let rule = &file.unread[0];
    assert_eq!(rule.line, 154);
    assert!(
        rule.statement.starts_with("CREATE RULE audit_no_delete"),
        "{rule}"
    );
    assert_eq!(rule.names, vec![q("audit")]);

    // Partitioning, inheritance and index attachments as PostgreSQL has them.
    let events = &file.tables[&q("events")];
    assert_eq!(events.partition_key.as_deref(), Some("RANGE(at)"));
    assert!(matches!(
        &file.tables[&q("events_2025")].parent,
        Some(Parent::Partition { table, bound }) if *table == q("events") && bound.starts_with("FOR VALUES FROM")
    ));
    assert!(matches!(
        &file.tables[&q("events_default")].parent,
        Some(Parent::Partition { bound, .. }) if bound == "DEFAULT"
    ));
    assert_eq!(
        file.tables[&q("events_2025")].index_parents["events_2025_account_at_idx"],
        q("events_account_at_idx")
    );
    let child = &file.tables[&q("audit_2025")];
    let names: Vec<&str> = child.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["id", "actor", "happened_at"], "inherited columns");
    assert!(child.constraints.contains_key("audit_actor_check"));
    assert!(
        file.tables[&q("notes")]
            .triggers
            .contains_key("notes_search_update")
    );

    // The server the dump is loaded into reads back to the same tables.
    let cluster = common::cluster();
    let url = common::fresh_db(&cluster, "ledger", &[DUMP]);
    let live = common::rt()
        .block_on(catalog::live::introspect_url(&url))
        .expect("introspect");
    assert!(live.unread.is_empty());
    for (name, t) in &file.tables {
        let l = &live.tables[name];
        assert_eq!(t.shape(), l.shape(), "{name}: file and server differ");
        assert_eq!(
            t.parent.as_ref().map(Parent::tables),
            l.parent.as_ref().map(Parent::tables),
            "{name}"
        );
        assert_eq!(t.index_parents, l.index_parents, "{name}");
        assert_eq!(t.is_partitioned(), l.is_partitioned(), "{name}");
    }
    assert_eq!(
        live.tables[&q("events")].partition_key.as_deref(),
        Some("RANGE (at)")
    );
}

#[test]
fn a_plan_touching_a_table_a_skipped_statement_names_is_refused_with_its_line() {
    let file = catalog::load_file(DUMP).expect("the dump loads");
    let opts = bellows::planner::Options::default();
    let err = bellows::planner::plan(
        "change.sql",
        "ALTER TABLE audit ADD COLUMN reason text;",
        &file,
        &opts,
    )
    .expect_err("refused");
    let msg = err.to_string();
    assert!(msg.contains("change.sql:1:1"), "{msg}");
    assert!(msg.contains("partitioned-dump.sql:154"), "{msg}");
    assert!(msg.contains("CREATE RULE audit_no_delete"), "{msg}");
    assert!(msg.contains("--database-url"), "{msg}");

    // A table no skipped statement names plans as usual.
    bellows::planner::plan(
        "change.sql",
        "ALTER TABLE notes ADD COLUMN title text;",
        &file,
        &opts,
    )
    .expect("notes is fully described");
}

#[test]
fn the_cli_reports_every_skipped_statement_with_its_line() {
    let dir = std::env::temp_dir().join(format!("bellows-unread-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let change = dir.join("change.sql");
    std::fs::write(&change, "ALTER TABLE notes ADD COLUMN title text;\n").expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bellows"))
        .args(["plan", "--schema", DUMP, "--out"])
        .arg(dir.join("plan.toml"))
        .arg(&change)
        .output()
        .expect("run bellows");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("1 statement of the schema file not read"),
        "{stderr}"
    );
    assert!(
        stderr.contains("tests/fixtures/partitioned-dump.sql:154: `CREATE RULE audit_no_delete"),
        "{stderr}"
    );
}

/// PostgreSQL refuses `CREATE INDEX CONCURRENTLY` on a partitioned table (verified on 15:
/// "cannot create index on partitioned table concurrently"). The plan builds the parent's
/// own index `ON ONLY`, each partition's index concurrently, then attaches them; the
/// parent's index ends valid with every partition's index attached, and rollback leaves
/// the schema as it was.
#[test]
fn an_index_on_a_partitioned_table_is_built_and_rolled_back_on_the_server() {
    let cluster = common::cluster();
    let rows = std::env::temp_dir().join(format!("bellows-ledger-rows-{}.sql", std::process::id()));
    std::fs::write(
        &rows,
        "INSERT INTO public.events SELECT g, g % 50, 'debit', g, timestamptz '2025-01-01' + g * interval '1 hour' FROM generate_series(1, 20000) g;\n",
    )
    .expect("rows");
    let rows = rows.display().to_string();
    let file = catalog::load_file(DUMP).expect("the dump loads");
    let changes = vec![
        (
            "kind.sql".to_string(),
            "CREATE INDEX events_kind_idx ON events (kind);".to_string(),
        ),
        (
            "unique.sql".to_string(),
            "CREATE UNIQUE INDEX events_id_at_key ON events (id, at);".to_string(),
        ),
    ];
    let failures = common::exercise(&cluster, "part", &[DUMP, rows.as_str()], &file, &changes);
    assert!(failures.is_empty(), "{failures:#?}");

    // In the database the plans ran up in, the parent's index is valid and every partition
    // has its own attached copy.
    for (i, index) in ["events_kind_idx", "events_id_at_key"].iter().enumerate() {
        let out = cluster
            .psql(
                &format!("part_up{i}"),
                &format!(
                    "SELECT i.indisvalid, (SELECT count(*) FROM pg_inherits h WHERE h.inhparent = i.indexrelid) \
                     FROM pg_index i WHERE i.indexrelid = 'public.{index}'::regclass"
                ),
            )
            .expect("query");
        assert_eq!(
            out.trim(),
            "t|2",
            "{index}: valid with both partitions attached"
        );
    }
}

/// Changes whose steps PostgreSQL rejects on a partitioned table are refused before anything
/// runs, naming the step, instead of failing halfway on the server.
#[test]
fn steps_postgresql_rejects_on_partitioned_tables_are_refused_at_planning() {
    let file = catalog::load_file(DUMP).expect("the dump loads");
    let opts = bellows::planner::Options::default();
    let err = bellows::planner::plan(
        "change.sql",
        "DROP INDEX events_account_at_idx;",
        &file,
        &opts,
    )
    .expect_err("refused")
    .to_string();
    assert!(err.contains("public.events is partitioned"), "{err}");
    assert!(err.contains("drop an index concurrently"), "{err}");
    // What the shadow column cannot do on partitioned and inherited tables.
    for (change, why) in [
        (
            "ALTER TABLE events RENAME COLUMN at TO happened_at;",
            "partition key",
        ),
        (
            "ALTER TABLE events RENAME COLUMN id TO event_id;",
            "constraint events_pkey",
        ),
        (
            "ALTER TABLE events_2025 RENAME COLUMN kind TO event_kind;",
            "partition or child of public.events",
        ),
        (
            "ALTER TABLE audit RENAME COLUMN actor TO actor_name;",
            "inheritance children",
        ),
    ] {
        let err = bellows::planner::plan("change.sql", change, &file, &opts)
            .expect_err("refused")
            .to_string();
        assert!(err.contains(why), "{change}: {err}");
    }
    // The partitions themselves are ordinary tables.
    bellows::planner::plan(
        "change.sql",
        "CREATE INDEX events_2025_kind_idx ON events_2025 (kind);",
        &file,
        &opts,
    )
    .expect("a partition's own index plans as usual");
}

/// Renaming a column of a partitioned table: the shadow column, its backfill through the
/// parent, and the copy of the index on it built the partitioned way; up through contract and
/// rolled back on a real server.
#[test]
fn a_column_of_a_partitioned_table_is_renamed_and_rolled_back_on_the_server() {
    let cluster = common::cluster();
    let rows =
        std::env::temp_dir().join(format!("bellows-ledger-rows2-{}.sql", std::process::id()));
    std::fs::write(
        &rows,
        "INSERT INTO public.events SELECT g, g % 50, 'credit', g, timestamptz '2024-06-01' + g * interval '1 hour' FROM generate_series(1, 20000) g;\n",
    )
    .expect("rows");
    let rows = rows.display().to_string();
    let file = catalog::load_file(DUMP).expect("the dump loads");
    let change = "ALTER TABLE events RENAME COLUMN account_id TO owner_account_id;";
    let plan =
        bellows::planner::plan("change.sql", change, &file, &Default::default()).expect("plans");
    let attach = plan
        .steps
        .iter()
        .find(|s| s.id == "1.attach-partition-indexes")
        .expect("the copy is attached");
    assert_eq!(
        attach.phase,
        bellows::plan::Phase::Backfill,
        "built before the gate"
    );
    let failures = common::exercise(
        &cluster,
        "prename",
        &[DUMP, rows.as_str()],
        &file,
        &[("rename.sql".to_string(), change.to_string())],
    );
    assert!(failures.is_empty(), "{failures:#?}");
    let out = cluster
        .psql(
            "prename_up0",
            "SELECT count(*), count(*) FILTER (WHERE owner_account_id = id % 50) FROM events",
        )
        .expect("query");
    assert_eq!(
        out.trim(),
        "20000|20000",
        "every row carried, in both partitions"
    );
    let out = cluster
        .psql(
            "prename_up0",
            "SELECT pg_get_indexdef(i.indexrelid), i.indisvalid, \
                    (SELECT count(*) FROM pg_inherits h WHERE h.inhparent = i.indexrelid) \
             FROM pg_index i WHERE i.indrelid = 'public.events'::regclass AND NOT i.indisprimary",
        )
        .expect("query");
    assert_eq!(
        out.trim(),
        "CREATE INDEX events_account_at_idx_owner_account_id ON ONLY public.events USING btree (owner_account_id, at)|t|2",
        "the copy is valid and attached in both partitions"
    );
}

/// A foreign key on a partitioned table (PostgreSQL 15 refuses NOT VALID there, observed):
/// added NOT VALID and validated on each partition, then on the partitioned table, which
/// attaches the partitions' keys; up and rolled back on a real server.
#[test]
fn a_foreign_key_on_a_partitioned_table_is_added_partition_by_partition_on_the_server() {
    let cluster = common::cluster();
    let rows =
        std::env::temp_dir().join(format!("bellows-ledger-rows3-{}.sql", std::process::id()));
    std::fs::write(
        &rows,
        "INSERT INTO public.notes (id, body) SELECT g, 'account ' || g FROM generate_series(0, 49) g;\n\
         INSERT INTO public.events SELECT g, g % 50, 'credit', g, timestamptz '2024-06-01' + g * interval '1 hour' FROM generate_series(1, 20000) g;\n",
    )
    .expect("rows");
    let rows = rows.display().to_string();
    let file = catalog::load_file(DUMP).expect("the dump loads");
    let change = "ALTER TABLE events ADD CONSTRAINT events_account_fk FOREIGN KEY (account_id) REFERENCES notes (id);";
    let failures = common::exercise(
        &cluster,
        "pfk",
        &[DUMP, rows.as_str()],
        &file,
        &[("fk.sql".to_string(), change.to_string())],
    );
    assert!(failures.is_empty(), "{failures:#?}");
    let out = cluster
        .psql(
            "pfk_up0",
            "SELECT conrelid::regclass, convalidated, conparentid <> 0 FROM pg_constraint \
             WHERE conname = 'events_account_fk' ORDER BY conrelid::regclass::text",
        )
        .expect("query");
    assert_eq!(
        out.trim(),
        "events|t|f\nevents_2025|t|t\nevents_default|t|t",
        "one validated key on the partitioned table, the partitions' attached to it"
    );
    let err = cluster
        .psql(
            "pfk_up0",
            "INSERT INTO events VALUES (99999, 77, 'debit', 1, '2025-03-01')",
        )
        .expect_err("the key holds");
    assert!(format!("{err:?}").contains("events_account_fk"), "{err:?}");
}

#[test]
fn the_production_shaped_dump_is_read_whole_and_matches_the_server() {
    let file = catalog::load_file("examples/schema/production.sql").expect("the dump loads");
    let unread: Vec<String> = file.unread.iter().map(|u| u.to_string()).collect();
    assert!(unread.is_empty(), "{unread:#?}");
    let cluster = common::cluster();
    let url = common::fresh_db(
        &cluster,
        "production",
        &[
            "examples/schema/production-roles.sql",
            "examples/schema/production.sql",
        ],
    );
    let live = common::rt()
        .block_on(catalog::live::introspect_url(&url))
        .expect("introspect");
    assert!(live.unread.is_empty());
    let mut differ = Vec::new();
    for (name, t) in &file.tables {
        let Some(l) = live.tables.get(name) else {
            differ.push(format!("{name}: not on the server"));
            continue;
        };
        if t.shape() != l.shape() {
            differ.push(format!(
                "{name}:\n file   {:?}\n server {:?}",
                t.shape(),
                l.shape()
            ));
        }
        if t.index_parents != l.index_parents
            || t.grants != l.grants
            || t.policies.len() != l.policies.len()
        {
            differ.push(format!(
                "{name}: index attachments, grants or policies differ"
            ));
        }
    }
    assert_eq!(file.tables.len(), live.tables.len());
    assert_eq!(
        file.views.keys().collect::<Vec<_>>(),
        live.views.keys().collect::<Vec<_>>()
    );
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}

#[test]
fn the_executor_accepts_a_plan_from_the_production_dump_on_the_server_loaded_from_it() {
    // A foreign key on a partitioned table is cloned by PostgreSQL onto every partition,
    // and one referencing a partitioned table gets hidden per-partition twins: the file's
    // catalog and the server's must agree, or the executor would call it drift.
    let catalog = catalog::load_file("examples/schema/production.sql").expect("the dump loads");
    let text =
        std::fs::read_to_string("examples/production/04-foreign-key-on-partitioned-table.sql")
            .expect("example");
    let plan =
        bellows::planner::plan("04.sql", &text, &catalog, &Default::default()).expect("plans");
    let cluster = common::cluster();
    let url = common::fresh_db(
        &cluster,
        "production_exec",
        common::examples::PRODUCTION_FILES,
    );
    let (r, _) = common::rt().block_on(common::exec::run(&url, &plan, &common::exec::quick()));
    r.expect("runs to the end with no drift");
    let n = cluster
        .psql("production_exec", "SELECT count(*) FROM pg_constraint WHERE conname = 'tickets_assignee_fkey' AND convalidated")
        .expect("psql");
    assert_eq!(n.trim(), "4", "the parent's key and each partition's");
}
