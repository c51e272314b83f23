//! Row-level-security policies follow a column the shadow-column engine moves. Before, the
//! switch-over left each policy on the old column, `DROP COLUMN` failed on it after the
//! irreversible step, and inserts that no longer wrote the old column were rejected. Here, on a
//! real server with RLS on and non-owner roles, the rows each role sees and may write are the
//! same before the change, after every phase, after contract, and after a rollback.

mod common;

use bellows::plan::{Phase, Plan};
use bellows::sql::QName;

const SCHEMA: &str = "
CREATE TABLE notes (
    id bigint PRIMARY KEY,
    owner text NOT NULL,
    level integer NOT NULL DEFAULT 1,
    body text
);
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON notes FOR ALL TO writer_a, writer_b
    USING (notes.owner = current_user) WITH CHECK (owner = current_user);
CREATE POLICY low_levels ON notes AS RESTRICTIVE FOR SELECT TO writer_a, writer_b USING (level < 5);
GRANT SELECT, INSERT, UPDATE ON notes TO writer_a, writer_b;
INSERT INTO notes (id, owner, level, body) VALUES
    (1, 'writer_a', 1, 'a1'), (2, 'writer_a', 7, 'a-hidden'), (3, 'writer_b', 2, 'b1'),
    (4, 'writer_b', 3, 'b2'), (5, 'writer_a', 4, 'a2');
";

struct Db<'a> {
    cluster: &'a bellows::pgtemp::TempCluster,
    name: String,
    next_id: std::cell::Cell<i64>,
}

impl Db<'_> {
    fn as_role(&self, role: &str, sql: &str) -> Result<String, String> {
        self.cluster
            .psql(&self.name, &format!("SET ROLE {role}; {sql}"))
            .map_err(|e| e.to_string())
    }

    /// The ids a role sees.
    fn visible(&self, role: &str) -> String {
        self.as_role(
            role,
            "SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '') FROM notes",
        )
        .expect("reads")
    }

    /// A role inserts a row of its own through `owner_col` (accepted) and one claiming to be
    /// the other writer (rejected by WITH CHECK). Returns the accepted id.
    fn insert_checks(&self, role: &str, owner_col: &str, when: &str) -> i64 {
        let id = self.next_id.get();
        self.next_id.set(id + 2);
        self.as_role(
            role,
            &format!("INSERT INTO notes (id, {owner_col}, body) VALUES ({id}, '{role}', 'new')"),
        )
        .unwrap_or_else(|e| {
            panic!("{when}: {role} cannot insert its own row through {owner_col}: {e}")
        });
        let forged = self.as_role(
            role,
            &format!(
                "INSERT INTO notes (id, {owner_col}, body) VALUES ({}, 'someone_else', 'forged')",
                id + 1
            ),
        );
        assert!(
            forged.is_err(),
            "{when}: {role} inserted a row for someone else through {owner_col}"
        );
        id
    }

    fn policies(&self) -> String {
        self.cluster
            .psql(
                &self.name,
                "SELECT policyname, permissive, cmd, roles::text, qual, with_check FROM pg_policies WHERE tablename = 'notes' ORDER BY 1",
            )
            .expect("pg_policies")
    }
}

fn setup<'a>(cluster: &'a bellows::pgtemp::TempCluster, file: &str, name: &str) -> Db<'a> {
    let _ = common::fresh_db(cluster, name, &[file]);
    Db {
        cluster,
        name: name.into(),
        next_id: std::cell::Cell::new(100),
    }
}

fn schema_file(tag: &str) -> (std::path::PathBuf, String) {
    let dir = std::env::temp_dir().join(format!("bellows-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("schema.sql");
    std::fs::write(&file, SCHEMA).expect("write");
    let f = file.display().to_string();
    (dir, f)
}

/// Run the plan's steps of `phase`.
fn run_phase(url: &str, plan: &Plan, phase: Phase) {
    let steps: Vec<_> = plan
        .steps
        .iter()
        .filter(|s| s.phase == phase)
        .cloned()
        .collect();
    let rt = common::rt();
    rt.block_on(async {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
        for s in &steps {
            common::run_step(&mut conn, s)
                .await
                .unwrap_or_else(|e| panic!("{phase:?}: {e}"));
        }
    });
}

#[test]
fn a_renamed_column_keeps_every_role_to_its_own_rows_through_every_phase() {
    let cluster = common::cluster();
    cluster
        .psql("postgres", "CREATE ROLE writer_a; CREATE ROLE writer_b;")
        .expect("roles");
    let (dir, file) = schema_file("rls-rename");
    let cat = bellows::catalog::load_file(&file).expect("schema loads");
    assert_eq!(cat.tables[&QName::public("notes")].policies.len(), 2);
    let plan = bellows::planner::plan(
        "rename.sql",
        "ALTER TABLE notes RENAME COLUMN owner TO owner_name;",
        &cat,
        &Default::default(),
    )
    .expect("plans");
    let db = setup(&cluster, &file, "rls_rename");
    let url = cluster.url("rls_rename");
    let policies_before = db.policies();
    assert_eq!(db.visible("writer_a"), "1,5");
    assert_eq!(db.visible("writer_b"), "3,4");

    let mut mine_a = vec![1, 5];
    for phase in Phase::ALL {
        run_phase(&url, &plan, phase);
        let when = format!("after {phase:?}");
        if phase < Phase::Contract {
            // Old code writes the old column; new code (from dual write on) the new one.
            mine_a.push(db.insert_checks("writer_a", "owner", &when));
            if phase >= Phase::DualWrite {
                mine_a.push(db.insert_checks("writer_a", "owner_name", &when));
            }
            assert_eq!(db.policies(), policies_before, "{when}: policies untouched");
        } else {
            mine_a.push(db.insert_checks("writer_a", "owner_name", &when));
            // The old column is gone and the policies read the new one.
            let p = db.policies();
            assert!(p.contains("owner_name") && !p.contains("(owner ="), "{p}");
        }
        let want: Vec<String> = mine_a.iter().map(i64::to_string).collect();
        assert_eq!(db.visible("writer_a"), want.join(","), "{when}");
        assert_eq!(db.visible("writer_b"), "3,4", "{when}");
    }
    // The restrictive policy still hides level 7, and writer_b cannot update writer_a's rows.
    assert_eq!(
        db.as_role(
            "writer_b",
            "UPDATE notes SET body = 'x' WHERE id = 1 RETURNING id"
        )
        .expect("update runs"),
        ""
    );

    // Up to contract and back: the policies and what each role sees are as they were.
    let back = setup(&cluster, &file, "rls_rename_back");
    let back_url = cluster.url("rls_rename_back");
    let rt = common::rt();
    let done = rt
        .block_on(common::run_plan(&back_url, &plan, Some(Phase::Contract)))
        .expect("runs up to contract");
    rt.block_on(common::rollback(&back_url, &done))
        .expect("rolls back");
    assert_eq!(back.policies(), policies_before);
    assert_eq!(back.visible("writer_a"), "1,5");
    back.insert_checks("writer_a", "owner", "after rollback");

    // The real executor: its contract guard accounts for the policies the switch-over
    // re-creates (it used to stop at the gate, naming them as unplanned dependants). Planned
    // against the live database, as `bellows plan --database-url` does: this hand-written
    // schema spells the policy's expression otherwise than the server prints it.
    let exe = setup(&cluster, &file, "rls_rename_exec");
    let exe_url = cluster.url("rls_rename_exec");
    let live = rt
        .block_on(bellows::catalog::live::introspect_url(&exe_url))
        .expect("introspect");
    let plan = bellows::planner::plan(
        "rename.sql",
        "ALTER TABLE notes RENAME COLUMN owner TO owner_name;",
        &live,
        &Default::default(),
    )
    .expect("plans against the server");
    let (r, _) = rt.block_on(common::exec::run(&exe_url, &plan, &common::exec::quick()));
    r.expect("the executor runs the plan to the end");
    assert!(exe.policies().contains("owner_name"));
    assert_eq!(exe.visible("writer_a"), "1,5");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_retyped_column_keeps_its_policies_through_the_swap() {
    let cluster = common::cluster();
    cluster
        .psql("postgres", "CREATE ROLE writer_a; CREATE ROLE writer_b;")
        .expect("roles");
    let (dir, file) = schema_file("rls-retype");
    let cat = bellows::catalog::load_file(&file).expect("schema loads");
    let plan = bellows::planner::plan(
        "retype.sql",
        "-- bellows:down level::integer\nALTER TABLE notes ALTER COLUMN level TYPE bigint USING level::bigint;",
        &cat,
        &Default::default(),
    )
    .expect("plans");
    let db = setup(&cluster, &file, "rls_retype");
    let url = cluster.url("rls_retype");
    let policies_before = db.policies();
    for phase in Phase::ALL {
        run_phase(&url, &plan, phase);
        let when = format!("after {phase:?}");
        // Level 7 stays hidden by the restrictive policy in every phase.
        assert_eq!(db.visible("writer_a"), "1,5", "{when}");
        assert_eq!(db.visible("writer_b"), "3,4", "{when}");
        assert_eq!(
            db.policies(),
            policies_before,
            "{when}: same policies by name"
        );
    }
    assert_eq!(
        cluster
            .psql("rls_retype", "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'notes'::regclass AND attname = 'level'")
            .expect("type"),
        "bigint"
    );
    let id = db.insert_checks("writer_a", "owner", "after contract");
    assert_eq!(db.visible("writer_a"), format!("1,5,{id}"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_live_catalog_reads_the_same_policies_as_the_file() {
    let cluster = common::cluster();
    cluster
        .psql("postgres", "CREATE ROLE writer_a; CREATE ROLE writer_b;")
        .expect("roles");
    let (dir, file) = schema_file("rls-live");
    let from_file = bellows::catalog::load_file(&file).expect("schema loads");
    let url = common::fresh_db(&cluster, "rls_live", &[file.as_str()]);
    let live = common::rt().block_on(common::shape(&url));
    let name = QName::public("notes");
    let (f, l) = (
        &from_file.tables[&name].policies,
        &live.tables[&name].policies,
    );
    assert_eq!(f.keys().collect::<Vec<_>>(), l.keys().collect::<Vec<_>>());
    for (k, p) in f {
        let q = &l[k];
        assert_eq!(
            (p.kind, p.command, &p.roles),
            (q.kind, q.command, &q.roles),
            "{k}"
        );
        // PostgreSQL re-spells expressions; both must name the same columns.
        for col in ["owner", "level"] {
            assert_eq!(p.mentions(col), q.mentions(col), "{k} {col}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
