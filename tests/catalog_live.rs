//! Live introspection against real, throwaway PostgreSQL clusters (`bellows::pgtemp`):
//! a database built from a schema file must introspect to the catalog the file loads to.
//!
//! Skipped (with a note) when the PostgreSQL server binaries are not installed.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use bellows::catalog::{self, Catalog, ConstraintKind, Identity, IndexKey, Table, live};
use bellows::pgtemp::{PgTempError, TempCluster};
use bellows::sql::QName;

const ROLES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/schema/setup-roles.sql"
);
const SHOP: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/schema/shop.sql");
const SMALL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/schema/small.sql");

/// Type spellings whose canonical form is easy to get wrong.
const ODD_TYPES: &str = r#"CREATE TABLE public.odd_types (
    a bit, b numeric(5), c bpchar, d "char", e int[][], f interval day to second(3),
    g citext, h pg_catalog.int4, i varchar(3)[], j float(10), k timestamptz(0), l char,
    m decimal(7, 2), n double precision, o time(3) with time zone
)"#;

/// Starts a cluster; fails the test when PostgreSQL is not installed.
fn start() -> Option<TempCluster> {
    match TempCluster::start() {
        Ok(cluster) => Some(cluster),
        // Never skip silently: a missing server must fail the suite.
        Err(e @ PgTempError::BinariesNotFound) => {
            panic!("{e}\n(run `bash scripts/test.sh`, which installs PostgreSQL)")
        }
        Err(err) => panic!("could not start temp cluster: {err}"),
    }
}

/// A fresh database built from `files`, in order.
fn database(cluster: &TempCluster, name: &str, files: &[&str]) -> String {
    cluster.create_database(name).expect("createdb");
    for f in files {
        common::psql_file(cluster, name, f);
    }
    cluster.url(name)
}

fn sql(cluster: &TempCluster, db: &str, text: &str) {
    if let Err(e) = cluster.psql(db, text) {
        panic!("{text}\nfailed: {e}");
    }
}

fn pretty(t: &Table) -> String {
    serde_json::to_string_pretty(t).unwrap_or_else(|e| format!("{t:#?} ({e})"))
}

/// Equality, table by table first so a failure shows both sides of the first table that
/// differs (and the lines only one side has), then every other part of the catalog.
fn assert_same_catalog(live: &Catalog, file: &Catalog) {
    let names = |c: &Catalog| c.tables.keys().map(QName::display).collect::<Vec<_>>();
    assert_eq!(names(live), names(file), "tables (live left, file right)");
    for (name, want) in &file.tables {
        let got = &live.tables[name];
        if got != want {
            let (g, w) = (pretty(got), pretty(want));
            let gl: BTreeSet<&str> = g.lines().collect();
            let wl: BTreeSet<&str> = w.lines().collect();
            panic!(
                "table {name} differs\n\nonly live:\n{}\n\nonly file:\n{}\n\n--- live ---\n{g}\n--- file ---\n{w}",
                gl.difference(&wl).copied().collect::<Vec<_>>().join("\n"),
                wl.difference(&gl).copied().collect::<Vec<_>>().join("\n"),
            );
        }
    }
    assert_eq!(
        live.schemas, file.schemas,
        "schemas (live left, file right)"
    );
    for (name, want) in &file.views {
        // PostgreSQL re-spells a view's query; everything else must match exactly, and both
        // sides must know the query.
        let got = live.views.get(name).map(|v| bellows::catalog::View {
            definition: want.definition.clone(),
            ..v.clone()
        });
        assert_eq!(
            got.as_ref(),
            Some(want),
            "view {name} (live left, file right)"
        );
        assert!(live.views[name].definition.is_some() && want.definition.is_some());
    }
    assert_eq!(live.views.len(), file.views.len(), "views");
    assert_eq!(
        live.sequences, file.sequences,
        "sequences (live left, file right)"
    );
    assert_eq!(live.enums, file.enums, "enums (live left, file right)");
    assert_eq!(
        live.domains, file.domains,
        "domains (live left, file right)"
    );
    assert_eq!(
        live.functions, file.functions,
        "functions (live left, file right)"
    );
    // Everything else, with the views' query texts (compared above) left out, and what a
    // file cannot know: the server's full version and the extensions' versions.
    let without_queries = |c: &Catalog| {
        let mut c = c.clone();
        for v in c.views.values_mut() {
            v.definition = None;
        }
        c.server_version_num = None;
        for version in c.extensions.values_mut() {
            version.clear();
        }
        c
    };
    assert_eq!(without_queries(live), without_queries(file));
}

#[tokio::test]
async fn pg_dump_introspects_to_the_catalog_its_file_loads_to() {
    let Some(cluster) = start() else { return };
    common::psql_file(&cluster, "postgres", ROLES);
    let url = database(&cluster, "shop", &[SHOP]);

    let mut live = live::introspect_url(&url).await.expect("introspect shop");
    assert_eq!(live.server_version, Some(cluster.server_version()));
    live.server_version = None;
    for t in live.tables.values_mut() {
        t.row_estimate = None;
    }
    let file = catalog::load_file(SHOP).expect("load shop.sql");
    assert!(file.tables.len() >= 15, "{} tables", file.tables.len());
    // The dump's GRANTs are part of the comparison (the owner's own privileges are not).
    let users = &file.tables[&bellows::sql::QName::public("users")];
    assert_eq!(
        users
            .grants
            .get("app_readonly")
            .map(|p| p.iter().map(String::as_str).collect::<Vec<_>>()),
        Some(vec!["SELECT"])
    );
    assert_same_catalog(&live, &file);
}

#[tokio::test]
async fn hand_written_schema_has_the_same_shape_and_row_estimates() {
    let Some(cluster) = start() else { return };
    let url = database(&cluster, "small", &[SMALL]);
    let file = catalog::load_file(SMALL).expect("load small.sql");

    let mut conn = live::connect(&url).await.expect("connect");
    let live = live::introspect(&mut conn).await.expect("introspect small");
    assert_eq!(live.server_version, Some(cluster.server_version()));

    let keys = |c: &Catalog| c.tables.keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&live), keys(&file));
    for (name, want) in &file.tables {
        let got = &live.tables[name];
        let cols = |t: &Table| {
            t.columns
                .iter()
                .map(|c| (c.name.clone(), c.ty.clone(), c.not_null))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            cols(got),
            cols(want),
            "columns of {name} (live left, file right)"
        );
        let cons = |t: &Table| {
            t.constraints
                .values()
                .map(|c| (c.name.clone(), std::mem::discriminant(&c.kind)))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            cons(got),
            cons(want),
            "constraints of {name} (live left, file right)"
        );
        let ixs = |t: &Table| t.indexes.keys().cloned().collect::<Vec<_>>();
        assert_eq!(
            ixs(got),
            ixs(want),
            "indexes of {name} (live left, file right)"
        );
    }
    assert_eq!(live.sequences, file.sequences);

    let users = QName::public("users");
    let products = QName::public("products");
    if cluster.server_version() >= 14 {
        // Never analyzed: reltuples is -1.
        assert_eq!(live.tables[&users].row_estimate, None);
    }
    sql(
        &cluster,
        "small",
        "INSERT INTO users (email) SELECT 'u' || g || '@example.com' FROM generate_series(1, 250) g",
    );
    sql(&cluster, "small", "ANALYZE users");
    let after = live::introspect(&mut conn).await.expect("introspect again");
    assert_eq!(after.tables[&users].row_estimate, Some(250));
    if cluster.server_version() >= 14 {
        assert_eq!(after.tables[&products].row_estimate, None);
    }
}

#[tokio::test]
async fn live_details_are_read_faithfully() {
    let Some(cluster) = start() else { return };
    let v = cluster.server_version();
    cluster.create_database("edge").expect("createdb");
    sql(&cluster, "edge", "CREATE EXTENSION btree_gist");
    sql(&cluster, "edge", "CREATE EXTENSION citext");
    sql(&cluster, "edge", ODD_TYPES);
    sql(
        &cluster,
        "edge",
        r#"
        CREATE SCHEMA "Sales";
        CREATE TYPE "Sales"."Kind" AS ENUM ('b', 'a');
        CREATE DOMAIN "Sales".qty AS numeric(8,0);
        CREATE TABLE "Sales"."Order Lines" (
            "Id" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            kind "Sales"."Kind" NOT NULL,
            code text,
            qty int NOT NULL DEFAULT 1,
            price numeric(10,2),
            total int GENERATED ALWAYS AS (qty * 2) STORED,
            room int,
            during tstzrange,
            CONSTRAINT "No Overlap" EXCLUDE USING gist (room WITH =, during WITH &&) WHERE (qty > 0)
        );
        CREATE TABLE "Sales".refs (
            line_id bigint REFERENCES "Sales"."Order Lines" ("Id") ON DELETE RESTRICT ON UPDATE SET NULL
        );
        ALTER TABLE "Sales"."Order Lines" ADD CONSTRAINT qty_positive CHECK (qty > 0) NOT VALID;
        CREATE INDEX lines_code ON "Sales"."Order Lines"
            (code text_pattern_ops DESC NULLS LAST, lower(code), room NULLS FIRST) INCLUDE (qty)
            WHERE qty > 1;
        CREATE FUNCTION "Sales".touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
        CREATE TRIGGER touch_qty BEFORE UPDATE OF qty, price ON "Sales"."Order Lines"
            FOR EACH ROW EXECUTE FUNCTION "Sales".touch();
        CREATE VIEW "Sales".counts AS SELECT kind, count(*) AS n FROM "Sales"."Order Lines" GROUP BY kind;
        CREATE VIEW "Sales".constant AS SELECT 1 AS one FROM "Sales".refs;
        "#,
    );
    // Labels sort by enumsortorder, not by creation.
    sql(
        &cluster,
        "edge",
        r#"ALTER TYPE "Sales"."Kind" ADD VALUE 'c' BEFORE 'b'"#,
    );
    if v >= 15 {
        sql(
            &cluster,
            "edge",
            r#"ALTER TABLE "Sales"."Order Lines" ADD CONSTRAINT code_key UNIQUE NULLS NOT DISTINCT (code)"#,
        );
    }

    let cat = live::introspect_url(&cluster.url("edge"))
        .await
        .expect("introspect edge");

    // Types written by hand are spelled as the server spells them.
    let odd = QName::public("odd_types");
    let written = catalog::load_str("odd_types.sql", ODD_TYPES).expect("load odd types");
    let types = |t: &Table| {
        t.columns
            .iter()
            .map(|c| format!("{} {}", c.name, c.ty))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        types(&cat.tables[&odd]),
        types(&written.tables[&odd]),
        "live left, file right"
    );
    let lines = QName::new("Sales", "Order Lines");
    let t = &cat.tables[&lines];

    // Extension objects are left out; user ones are in.
    assert_eq!(
        cat.functions,
        BTreeSet::from([QName::new("Sales", "touch")])
    );
    assert_eq!(
        cat.schemas,
        BTreeSet::from(["Sales".to_string(), "public".to_string()])
    );
    assert_eq!(cat.enums[&QName::new("Sales", "Kind")], ["c", "b", "a"]);
    assert_eq!(cat.domains[&QName::new("Sales", "qty")], "numeric(8,0)");

    let id = t.column("Id").expect("Id");
    assert_eq!(
        (id.identity, id.not_null, id.default.as_deref()),
        (Some(Identity::Always), true, None)
    );
    assert_eq!(t.column("kind").expect("kind").ty, r#""Sales"."Kind""#);
    assert_eq!(t.column("qty").expect("qty").default.as_deref(), Some("1"));
    let total = t.column("total").expect("total");
    assert_eq!(
        (total.default.as_deref(), total.generated.as_deref()),
        (None, Some("qty * 2"))
    );
    assert_eq!(
        cat.sequences[&QName::new("Sales", "Order Lines_Id_seq")].owned_by,
        Some((lines.clone(), "Id".to_string()))
    );

    let pk = &t.constraints["Order Lines_pkey"];
    assert_eq!(
        pk.kind,
        ConstraintKind::PrimaryKey {
            columns: vec!["Id".into()],
            index: Default::default(),
            deferral: Default::default(),
        }
    );
    assert_eq!(
        t.indexes["Order Lines_pkey"].constraint.as_deref(),
        Some("Order Lines_pkey")
    );
    assert_eq!(t.indexes["Order Lines_pkey"].keys[0].expr, r#""Id""#);
    let check = &t.constraints["qty_positive"];
    assert_eq!(
        check.kind,
        ConstraintKind::Check {
            expr: "qty > 0".into()
        }
    );
    assert!(!check.validated);
    let ConstraintKind::Exclude { definition } = &t.constraints["No Overlap"].kind else {
        panic!(
            "not an EXCLUDE constraint: {:?}",
            t.constraints["No Overlap"]
        );
    };
    assert_eq!(
        definition,
        "EXCLUDE USING gist (room WITH =, during WITH &&) WHERE ((qty > 0))"
    );
    assert!(
        !t.indexes.contains_key("No Overlap"),
        "EXCLUDE's index is not listed"
    );
    if v >= 15 {
        assert_eq!(
            t.constraints["code_key"].kind,
            ConstraintKind::Unique {
                columns: vec!["code".into()],
                nulls_not_distinct: true,
                index: Default::default(),
                deferral: Default::default(),
            }
        );
    }
    let fk = &cat.tables[&QName::new("Sales", "refs")].constraints["refs_line_id_fkey"];
    assert_eq!(
        fk.kind,
        ConstraintKind::ForeignKey {
            columns: vec!["line_id".into()],
            ref_table: lines.clone(),
            ref_columns: vec!["Id".into()],
            on_delete: Some("RESTRICT".into()),
            on_update: Some("SET NULL".into()),
            delete_set_columns: Vec::new(),
            match_full: false,
            deferral: Default::default(),
        }
    );

    let ix = &t.indexes["lines_code"];
    assert_eq!(
        (ix.unique, ix.method.as_str(), ix.valid),
        (false, "btree", true)
    );
    assert_eq!(
        ix.keys,
        [
            IndexKey {
                expr: "code".into(),
                column: Some("code".into()),
                opclass: Some("text_pattern_ops".into()),
                desc: true,
                nulls_first: Some(false),
                collation: None,
                statistics: None,
            },
            IndexKey {
                expr: "lower(code)".into(),
                column: None,
                opclass: None,
                desc: false,
                nulls_first: None,
                collation: None,
                statistics: None,
            },
            IndexKey {
                expr: "room".into(),
                column: Some("room".into()),
                opclass: None,
                desc: false,
                nulls_first: Some(true),
                collation: None,
                statistics: None,
            },
        ]
    );
    assert_eq!(ix.include, ["qty"]);
    assert_eq!(ix.predicate.as_deref(), Some("qty > 1"));

    let trg = &t.triggers["touch_qty"];
    assert_eq!(trg.function, QName::new("Sales", "touch"));
    assert_eq!(trg.update_columns, ["qty", "price"]);

    let counts = &cat.views[&QName::new("Sales", "counts")];
    assert!(!counts.materialized);
    assert_eq!(counts.depends.len(), 1);
    assert_eq!(counts.depends[&lines], BTreeSet::from(["kind".to_string()]));
    // A view that uses a table but none of its columns still depends on it.
    let constant = &cat.views[&QName::new("Sales", "constant")];
    assert_eq!(
        constant.depends[&QName::new("Sales", "refs")],
        BTreeSet::new()
    );

    // And pg_dump of this database loads to the very same catalog.
    let dump = cluster.data_dir().with_file_name("edge-dump.sql");
    let pg_dump = cluster.bin_dir().join("pg_dump");
    let out = Command::new(if pg_dump.exists() {
        pg_dump.as_path()
    } else {
        Path::new("pg_dump")
    })
    .args(["--schema-only", "-w", "-h", cluster.host(), "-p"])
    .arg(cluster.port().to_string())
    .args(["-U", cluster.superuser(), "-d", "edge", "-f"])
    .arg(&dump)
    .output()
    .expect("run pg_dump");
    assert!(
        out.status.success(),
        "pg_dump failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let file = catalog::load_file(&dump.to_string_lossy()).expect("load the dump");
    let mut cat = cat;
    cat.server_version = None;
    for t in cat.tables.values_mut() {
        t.row_estimate = None;
    }
    assert_same_catalog(&cat, &file);
}

#[tokio::test]
async fn connection_errors_do_not_leak_the_password() {
    // Port 1 on loopback refuses connections; no server is needed.
    let url = "postgres://app:Sup3rS3cret@127.0.0.1:1/shop?sslmode=disable";
    let err = live::introspect_url(url)
        .await
        .expect_err("nothing listens on port 1");
    let msg = err.to_string();
    assert!(!msg.contains("Sup3rS3cret"), "{msg}");
    assert!(msg.contains("127.0.0.1:1/shop"), "{msg}");

    let err = live::connect("postgres://app:Sup3rS3cret@127.0.0.1:notaport/shop")
        .await
        .expect_err("bad port");
    assert!(!err.to_string().contains("Sup3rS3cret"), "{err}");
}

/// A plan made from a hand-written schema file must not look drifted against the server
/// that schema was loaded into: the fingerprints agree even where expression spelling does not.
#[test]
fn fingerprints_agree_between_a_hand_written_schema_and_the_server() {
    let cluster = start().expect("cluster");
    cluster.create_database("fp").expect("createdb");
    common::psql_file(&cluster, "fp", "examples/schema/small.sql");
    let from_file = bellows::catalog::load_file("examples/schema/small.sql").expect("small.sql");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    let live = rt
        .block_on(bellows::catalog::live::introspect_url(&cluster.url("fp")))
        .expect("introspect");
    for (name, t) in &from_file.tables {
        let l = live
            .tables
            .get(name)
            .unwrap_or_else(|| panic!("{name} missing live"));
        assert_eq!(
            t.fingerprint(),
            l.fingerprint(),
            "{name}: file and server fingerprints differ"
        );
    }
    // And a real change is seen: drop a column on the server.
    cluster
        .psql("fp", "ALTER TABLE orders DROP COLUMN status")
        .expect("alter");
    let changed = rt
        .block_on(bellows::catalog::live::introspect_url(&cluster.url("fp")))
        .expect("introspect");
    let orders: bellows::sql::QName = "public.orders".parse().expect("name");
    assert_ne!(
        from_file.tables[&orders].fingerprint(),
        changed.tables[&orders].fingerprint()
    );
}

/// `pg_dump --schema-only --clean --if-exists` starts with `ALTER TABLE IF EXISTS ... DROP
/// CONSTRAINT IF EXISTS` and `DROP ... IF EXISTS` for every object; loading such a file
/// aborted on the first table that did not exist yet. It now loads to the same catalog as
/// the plain dump.
#[test]
fn a_clean_if_exists_dump_loads_like_the_plain_one() {
    let Some(cluster) = start() else { return };
    common::psql_file(&cluster, "postgres", ROLES);
    let _url = database(&cluster, "clean", &[SHOP]);
    let out = std::process::Command::new(cluster.bin_dir().join("pg_dump"))
        .args(["--schema-only", "--clean", "--if-exists", "--no-password"])
        .args(["-h", cluster.host(), "-p", &cluster.port().to_string()])
        .args(["-U", cluster.superuser(), "clean"])
        .env_remove("PGPASSWORD")
        .output()
        .expect("run pg_dump");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8 dump");
    assert!(
        text.contains("ALTER TABLE IF EXISTS"),
        "the dump has the --clean preamble"
    );
    let clean = catalog::load_str("clean.sql", &text).expect("the --clean dump loads");
    let plain = catalog::load_file(SHOP).expect("shop.sql loads");
    assert_same_catalog(&clean, &plain);
}
