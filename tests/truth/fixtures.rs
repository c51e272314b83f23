//! One fixture per DDL form: what it needs besides the base table, and the statement the
//! form stands for (for the executor's forms, the statement the executor runs).

use bellows::safety::DdlForm;

/// Rows in the base table `t`: enough that a scan, a rewrite or a build must read them all.
pub const ROWS: i64 = 3000;

/// The table every fixture starts from, in a schema of its own that is first on the
/// `search_path`; ANALYZE so the planner sees real sizes, as on a live server.
pub fn base_setup() -> String {
    format!(
        "CREATE TABLE t (id bigint PRIMARY KEY, a int, b varchar(20), c int);\n\
         INSERT INTO t SELECT g, g % 100, 'row ' || g, g FROM generate_series(1, {ROWS}) g;\n\
         ANALYZE t;"
    )
}

/// A bind parameter of a statement.
#[derive(Debug, Clone)]
pub enum Bind {
    Int(i64),
    Text(&'static str),
}

/// One statement, with bind parameters when it has `$n` placeholders.
#[derive(Debug, Clone)]
pub struct Stmt {
    pub sql: String,
    pub binds: Vec<Bind>,
}

/// What to build and run for one form.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// Human name, as in the book.
    pub name: &'static str,
    /// SQL run after [`base_setup`], before anything is measured.
    pub setup: String,
    /// The statements of the form, run in order (empty for a form that runs nothing).
    pub statements: Vec<Stmt>,
    /// The relation the claim is about.
    pub target: &'static str,
    /// SQLSTATE the form must fail with on a table with rows, if it cannot succeed there.
    pub fails_with: Option<&'static str>,
}

fn one(sql: &str) -> Vec<Stmt> {
    vec![Stmt {
        sql: sql.to_string(),
        binds: Vec::new(),
    }]
}

/// A range-partitioned table `pt` with one partition `pt_1` holding every row.
fn partitioned() -> String {
    format!(
        "CREATE TABLE pt (id bigint NOT NULL, a int) PARTITION BY RANGE (id);\n\
         CREATE TABLE pt_1 PARTITION OF pt FOR VALUES FROM (1) TO ({});\n\
         INSERT INTO pt SELECT g, g % 100 + 1 FROM generate_series(1, {ROWS}) g;\n\
         ANALYZE pt_1;",
        ROWS + 1
    )
}

/// A referenced table `p` holding every value of `t.c`.
fn parent() -> String {
    format!(
        "CREATE TABLE p (id bigint PRIMARY KEY);\n\
         INSERT INTO p SELECT g FROM generate_series(1, {ROWS}) g;\n\
         ANALYZE p;"
    )
}

const FOREIGN_KEY: &str = "ALTER TABLE t ADD CONSTRAINT t_c_fkey FOREIGN KEY (c) REFERENCES p (id)";

const INDEX_A: &str = "CREATE INDEX t_a_idx ON t (a);";

const TRIGGER_FUNCTION: &str = "CREATE FUNCTION t_touch() RETURNS trigger LANGUAGE plpgsql \
    AS $$ BEGIN RETURN NEW; END $$;";

const TRIGGER: &str =
    "CREATE TRIGGER t_touch BEFORE INSERT OR UPDATE ON t FOR EACH ROW EXECUTE FUNCTION t_touch()";

/// The fixture for `form`. The match is exhaustive on purpose: a new form does not compile
/// until it has a fixture here.
pub fn fixture(form: DdlForm) -> Fixture {
    use DdlForm as F;
    let f = |name, setup: &str, sql: &str, target| Fixture {
        name,
        setup: setup.to_string(),
        statements: one(sql),
        target,
        fails_with: None,
    };
    match form {
        F::CreateTable => f(
            "CREATE TABLE",
            "",
            "CREATE TABLE t_new (id bigint PRIMARY KEY, note text)",
            "t_new",
        ),
        F::AddColumnNullable => f(
            "ADD COLUMN, nullable, no default",
            "",
            "ALTER TABLE t ADD COLUMN d text",
            "t",
        ),
        F::AddColumnConstantDefault => f(
            "ADD COLUMN with a constant default (NOT NULL too)",
            "",
            "ALTER TABLE t ADD COLUMN d int NOT NULL DEFAULT 7",
            "t",
        ),
        F::AddColumnVolatileDefault => f(
            "ADD COLUMN with a volatile default",
            "",
            "ALTER TABLE t ADD COLUMN d float8 DEFAULT random()",
            "t",
        ),
        F::AddColumnSerialOrIdentity => f(
            "ADD COLUMN serial / identity",
            "",
            "ALTER TABLE t ADD COLUMN d bigint GENERATED ALWAYS AS IDENTITY",
            "t",
        ),
        F::AddColumnGeneratedStored => f(
            "ADD COLUMN GENERATED ALWAYS AS (...) STORED",
            "",
            "ALTER TABLE t ADD COLUMN d int GENERATED ALWAYS AS (a * 2) STORED",
            "t",
        ),
        F::AddColumnNotNullNoDefault => Fixture {
            fails_with: Some("23502"),
            ..f(
                "ADD COLUMN NOT NULL without a default",
                "",
                "ALTER TABLE t ADD COLUMN d int NOT NULL",
                "t",
            )
        },
        F::DropColumn => f("DROP COLUMN", "", "ALTER TABLE t DROP COLUMN b", "t"),
        F::RenameColumn => f(
            "RENAME COLUMN",
            "",
            "ALTER TABLE t RENAME COLUMN b TO b2",
            "t",
        ),
        F::RenameTable => f("RENAME TO (table)", "", "ALTER TABLE t RENAME TO t2", "t"),
        F::AlterTypeCoercible => f(
            "ALTER COLUMN TYPE, binary-coercible (indexed column)",
            "CREATE INDEX t_b_idx ON t (b);",
            "ALTER TABLE t ALTER COLUMN b TYPE varchar(40)",
            "t",
        ),
        F::AlterTypeRewrite => f(
            "ALTER COLUMN TYPE that rewrites",
            "",
            "ALTER TABLE t ALTER COLUMN a TYPE bigint",
            "t",
        ),
        F::SetNotNull => f(
            "SET NOT NULL, no proof",
            "",
            "ALTER TABLE t ALTER COLUMN a SET NOT NULL",
            "t",
        ),
        F::SetNotNullProven => f(
            "SET NOT NULL with a validated CHECK (a IS NOT NULL)",
            "ALTER TABLE t ADD CONSTRAINT t_a_not_null CHECK (a IS NOT NULL);",
            "ALTER TABLE t ALTER COLUMN a SET NOT NULL",
            "t",
        ),
        F::DropNotNull => f(
            "DROP NOT NULL",
            "ALTER TABLE t ALTER COLUMN a SET NOT NULL;",
            "ALTER TABLE t ALTER COLUMN a DROP NOT NULL",
            "t",
        ),
        F::SetDefault => f(
            "SET DEFAULT / DROP DEFAULT",
            "",
            "ALTER TABLE t ALTER COLUMN a SET DEFAULT 0",
            "t",
        ),
        F::AddCheck => f(
            "ADD CHECK, validated",
            "",
            "ALTER TABLE t ADD CONSTRAINT t_a_check CHECK (a >= 0)",
            "t",
        ),
        F::AddCheckNotValid => f(
            "ADD CHECK ... NOT VALID",
            "",
            "ALTER TABLE t ADD CONSTRAINT t_a_check CHECK (a >= 0) NOT VALID",
            "t",
        ),
        F::AddForeignKey => f("ADD FOREIGN KEY, validated", &parent(), FOREIGN_KEY, "t"),
        F::AddForeignKeyNotValid => f(
            "ADD FOREIGN KEY ... NOT VALID",
            &parent(),
            &format!("{FOREIGN_KEY} NOT VALID"),
            "t",
        ),
        F::ValidateConstraint => f(
            "VALIDATE CONSTRAINT (a foreign key)",
            &format!("{}\n{FOREIGN_KEY} NOT VALID;", parent()),
            "ALTER TABLE t VALIDATE CONSTRAINT t_c_fkey",
            "t",
        ),
        F::AddUniqueOrPrimaryKey => f(
            "ADD UNIQUE / PRIMARY KEY that builds its index",
            "",
            "ALTER TABLE t ADD CONSTRAINT t_c_key UNIQUE (c)",
            "t",
        ),
        F::AddConstraintUsingIndex => f(
            "ADD UNIQUE ... USING INDEX",
            "CREATE UNIQUE INDEX t_c_key ON t (c);",
            "ALTER TABLE t ADD CONSTRAINT t_c_key UNIQUE USING INDEX t_c_key",
            "t",
        ),
        F::AddExclude => f(
            "ADD EXCLUDE",
            "",
            "ALTER TABLE t ADD CONSTRAINT t_c_excl EXCLUDE USING btree (c WITH =)",
            "t",
        ),
        F::DropConstraint => f(
            "DROP CONSTRAINT",
            "ALTER TABLE t ADD CONSTRAINT t_a_check CHECK (a >= 0);",
            "ALTER TABLE t DROP CONSTRAINT t_a_check",
            "t",
        ),
        F::CreateIndex => f("CREATE INDEX", "", "CREATE INDEX t_a_idx ON t (a)", "t"),
        F::CreateIndexConcurrently => f(
            "CREATE INDEX CONCURRENTLY",
            "",
            "CREATE INDEX CONCURRENTLY t_a_idx ON t (a)",
            "t",
        ),
        F::AddForeignKeyAttaching => f(
            "ADD FOREIGN KEY on a partitioned table whose partitions have it",
            &format!(
                "{}\n{}\nALTER TABLE pt_1 ADD CONSTRAINT pt_a_fkey FOREIGN KEY (a) REFERENCES p (id);",
                parent(),
                partitioned()
            ),
            "ALTER TABLE pt ADD CONSTRAINT pt_a_fkey FOREIGN KEY (a) REFERENCES p (id)",
            "pt_1",
        ),
        F::CreateIndexOnOnly => f(
            "CREATE INDEX ON ONLY a partitioned table",
            &partitioned(),
            "CREATE INDEX pt_a_idx ON ONLY pt (a)",
            "pt",
        ),
        F::AttachPartitionIndex => f(
            "ALTER INDEX ... ATTACH PARTITION",
            &format!(
                "{}\nCREATE INDEX pt_a_idx ON ONLY pt (a);\nCREATE INDEX pt_1_a_idx ON pt_1 (a);",
                partitioned()
            ),
            "ALTER INDEX pt_a_idx ATTACH PARTITION pt_1_a_idx",
            "pt_1",
        ),
        F::DropIndex => f("DROP INDEX", INDEX_A, "DROP INDEX t_a_idx", "t"),
        F::DropIndexConcurrently => f(
            "DROP INDEX CONCURRENTLY",
            INDEX_A,
            "DROP INDEX CONCURRENTLY t_a_idx",
            "t",
        ),
        F::Reindex => f("REINDEX", INDEX_A, "REINDEX INDEX t_a_idx", "t"),
        F::ReindexConcurrently => f(
            "REINDEX CONCURRENTLY",
            INDEX_A,
            "REINDEX INDEX CONCURRENTLY t_a_idx",
            "t",
        ),
        F::CreateTrigger => f("CREATE TRIGGER", TRIGGER_FUNCTION, TRIGGER, "t"),
        F::DropTrigger => f(
            "DROP TRIGGER",
            &format!("{TRIGGER_FUNCTION}\n{TRIGGER};"),
            "DROP TRIGGER t_touch ON t",
            "t",
        ),
        F::AddEnumValue => f(
            "ALTER TYPE ... ADD VALUE (the table has a column of the type)",
            "CREATE TYPE mood AS ENUM ('calm', 'glad');\n\
             ALTER TABLE t ADD COLUMN m mood DEFAULT 'calm';",
            "ALTER TYPE mood ADD VALUE 'tense'",
            "t",
        ),
        F::AddIdentity => f(
            "ADD GENERATED AS IDENTITY on a NOT NULL column",
            "ALTER TABLE t ALTER COLUMN c SET NOT NULL;",
            "ALTER TABLE t ALTER COLUMN c ADD GENERATED BY DEFAULT AS IDENTITY",
            "t",
        ),
        F::View => f(
            "DROP VIEW (views in general)",
            "CREATE VIEW v AS SELECT id, a FROM t;",
            "DROP VIEW v",
            "v",
        ),
        // As the shadow column's build beside runs it: created empty, filled, indexed.
        F::CreateMaterializedView => Fixture {
            name: "CREATE MATERIALIZED VIEW, REFRESH it, index it (a materialized view built beside)",
            setup: String::new(),
            statements: [
                "CREATE MATERIALIZED VIEW mv AS SELECT id, a FROM t WITH NO DATA",
                "REFRESH MATERIALIZED VIEW mv",
                "CREATE UNIQUE INDEX mv_id ON mv (id)",
            ]
            .iter()
            .flat_map(|s| one(s))
            .collect(),
            target: "t",
            fails_with: None,
        },
        F::DropMaterializedView => f(
            "DROP MATERIALIZED VIEW",
            "CREATE MATERIALIZED VIEW mv AS SELECT id, a FROM t; CREATE UNIQUE INDEX mv_id ON mv (id);",
            "DROP MATERIALIZED VIEW mv",
            "mv",
        ),
        F::Truncate => f("TRUNCATE", "", "TRUNCATE t", "t"),
        F::DropTable => f("DROP TABLE", "", "DROP TABLE t", "t"),
        F::VacuumFull => f("VACUUM FULL", "", "VACUUM FULL t", "t"),
        F::Cluster => f("CLUSTER", "", "CLUSTER t USING t_pkey", "t"),
        F::SetLogged => f("SET UNLOGGED (and SET LOGGED)", "", "ALTER TABLE t SET UNLOGGED", "t"),
        F::LockTableShare => f("LOCK TABLE IN SHARE MODE", "", "LOCK TABLE t IN SHARE MODE", "t"),
        F::LockTableShareRowExclusive => f(
            "LOCK TABLE IN SHARE ROW EXCLUSIVE MODE",
            "",
            "LOCK TABLE t IN SHARE ROW EXCLUSIVE MODE",
            "t",
        ),
        F::LockTableExclusive => f(
            "LOCK TABLE IN EXCLUSIVE MODE",
            "",
            "LOCK TABLE t IN EXCLUSIVE MODE",
            "t",
        ),
        F::LockTableAccessExclusive => f("LOCK TABLE (ACCESS EXCLUSIVE)", "", "LOCK TABLE t", "t"),
        F::Comment => f("COMMENT ON TABLE", "", "COMMENT ON TABLE t IS 'rows'", "t"),
        F::CommentOnConstraint => f(
            "COMMENT ON CONSTRAINT",
            "",
            "COMMENT ON CONSTRAINT t_pkey ON t IS 'the key'",
            "t",
        ),
        F::RenameConstraint => f(
            "RENAME CONSTRAINT (a key: its index is renamed too)",
            "",
            "ALTER TABLE t RENAME CONSTRAINT t_pkey TO t_pk",
            "t",
        ),
        F::RenameIndex => f(
            "ALTER INDEX ... RENAME TO (the claim is on the index)",
            INDEX_A,
            "ALTER INDEX t_a_idx RENAME TO t_a_ix",
            "t_a_idx",
        ),
        F::ReplicaIdentity => f(
            "REPLICA IDENTITY USING INDEX",
            "ALTER TABLE t ALTER COLUMN c SET NOT NULL;\nCREATE UNIQUE INDEX t_c_key ON t (c);",
            "ALTER TABLE t REPLICA IDENTITY USING INDEX t_c_key",
            "t",
        ),
        F::SetStatistics => f(
            "ALTER COLUMN ... SET STATISTICS",
            "",
            "ALTER TABLE t ALTER COLUMN a SET STATISTICS 500",
            "t",
        ),
        F::SetStorage => f(
            "ALTER COLUMN ... SET STORAGE",
            "",
            "ALTER TABLE t ALTER COLUMN b SET STORAGE EXTERNAL",
            "t",
        ),
        F::SetCompression => f(
            "ALTER COLUMN ... SET COMPRESSION",
            "",
            "ALTER TABLE t ALTER COLUMN b SET COMPRESSION pglz",
            "t",
        ),
        F::RenameEnumValue => f(
            "ALTER TYPE ... RENAME VALUE (the table has a column of the type)",
            "CREATE TYPE mood AS ENUM ('calm', 'glad');\n\
             ALTER TABLE t ADD COLUMN m mood DEFAULT 'calm';",
            "ALTER TYPE mood RENAME VALUE 'calm' TO 'still'",
            "t",
        ),
        F::Grant => f("GRANT / REVOKE on a table", "", "GRANT SELECT ON t TO PUBLIC", "t"),
        F::SetStorageParameters => f(
            "SET (storage parameters: autovacuum_*, fillfactor, ...)",
            "",
            "ALTER TABLE t SET (autovacuum_vacuum_scale_factor = 0.01, fillfactor = 90)",
            "t",
        ),
        F::ClusterOn => f("CLUSTER ON (marks the index only)", INDEX_A, "ALTER TABLE t CLUSTER ON t_a_idx", "t"),
        F::CreateStatistics => f(
            "CREATE STATISTICS",
            "",
            "CREATE STATISTICS t_a_c ON a, c FROM t",
            "t",
        ),
        F::SetColumnOptions => f(
            "ALTER COLUMN ... SET (n_distinct)",
            "",
            "ALTER TABLE t ALTER COLUMN a SET (n_distinct = 100)",
            "t",
        ),
        F::OwnerTo => f(
            "OWNER TO (the table and each of its indexes)",
            "DO $$ BEGIN CREATE ROLE truth_owner; EXCEPTION WHEN duplicate_object THEN NULL; END $$;",
            "ALTER TABLE t OWNER TO truth_owner",
            "t",
        ),
        F::AlterSequence => f(
            "ALTER SEQUENCE (the claim is on the sequence)",
            "CREATE SEQUENCE s;",
            "ALTER SEQUENCE s INCREMENT BY 2 AS integer",
            "s",
        ),
        // The executor's backfill batch (src/executor/backfill.rs) for a one-column key, in
        // the middle of the table: keys after 1000, 1000 rows, filling `d` from `a`.
        F::BatchUpdate => Fixture {
            name: "backfill batch (the executor's keyset UPDATE)",
            setup: "ALTER TABLE t ADD COLUMN d int;".into(),
            statements: vec![
                Stmt {
                    sql: "SET LOCAL bellows.backfill = 'on'".into(),
                    binds: Vec::new(),
                },
                Stmt {
                    sql: "WITH batch AS (SELECT \"id\" FROM t WHERE (\"id\") > ($2::bigint) ORDER BY \"id\" LIMIT $1), \
                          last AS (SELECT \"id\" FROM batch ORDER BY \"id\" DESC LIMIT 1), \
                          upd AS (UPDATE t SET \"d\" = \"a\" WHERE (\"id\") > ($2::bigint) AND (\"id\") <= (SELECT \"id\" FROM last) AND (\"d\" IS NULL) RETURNING 1) \
                          SELECT (SELECT count(*) FROM batch), (SELECT count(*) FROM upd), (SELECT \"id\"::text FROM last)"
                        .into(),
                    binds: vec![Bind::Int(1000), Bind::Text("1000")],
                },
            ],
            target: "t",
            fails_with: None,
        },
        // A data fix-up batch (src/plan/batch.rs): the rows of the range that match are
        // deleted and saved, whole, into a table of the plan's own in the same statement.
        F::BatchDelete => Fixture {
            name: "fix-up batch (the executor's keyset DELETE, rows saved for rollback)",
            setup: "CREATE TABLE saved (LIKE t);".into(),
            statements: vec![
                Stmt {
                    sql: "SET LOCAL bellows.backfill = 'on'".into(),
                    binds: Vec::new(),
                },
                Stmt {
                    sql: "WITH batch AS (SELECT \"id\" FROM t WHERE (\"id\") > ($2::bigint) ORDER BY \"id\" LIMIT $1), \
                          last AS (SELECT \"id\" FROM batch ORDER BY \"id\" DESC LIMIT 1), \
                          upd AS (DELETE FROM t WHERE (\"id\") > ($2::bigint) AND (\"id\") <= (SELECT \"id\" FROM last) AND (\"id\" % 7 = 0) RETURNING *), \
                          saved AS (INSERT INTO saved SELECT * FROM upd) \
                          SELECT (SELECT count(*) FROM batch), (SELECT count(*) FROM upd), (SELECT \"id\"::text FROM last)"
                        .into(),
                    binds: vec![Bind::Int(1000), Bind::Text("1000")],
                },
            ],
            target: "t",
            fails_with: None,
        },
        // The executor's verification batch (src/executor/verify.rs), first batch: the
        // whole table fits in its 10,000 rows.
        F::Read => Fixture {
            name: "verification (the executor's batched read)",
            setup: String::new(),
            statements: vec![Stmt {
                sql: "WITH batch AS (SELECT \"id\" FROM t ORDER BY \"id\" LIMIT $1), \
                      last AS (SELECT \"id\" FROM batch ORDER BY \"id\" DESC LIMIT 1) \
                      SELECT (SELECT count(*) FROM batch), \
                      ARRAY(SELECT \"id\"::text FROM t WHERE (\"id\") <= (SELECT \"id\" FROM last) AND (\"a\" IS NULL) ORDER BY \"id\" LIMIT 10), \
                      (SELECT \"id\"::text FROM last)"
                    .into(),
                binds: vec![Bind::Int(10_000)],
            }],
            target: "t",
            fails_with: None,
        },
        F::Nothing => Fixture {
            name: "gate (nothing runs)",
            setup: String::new(),
            statements: Vec::new(),
            target: "t",
            fails_with: None,
        },
    }
}
