//! Catalog-only statements and a raw statement, on a real server: one change file with all
//! of them runs all the way up, and in a second database up to the contract phase and back.
//! The catalog (comments in pg_description, constraint and index names, relreplident,
//! attstattarget, attstorage, attcompression, pg_enum labels, table privileges, reloptions)
//! is read after up and after the rollback, which must restore it exactly; the rows are
//! checked after every phase. Old code (ON CONFLICT ON the old key name, the old enum
//! label, the old grants) keeps working through expand, and the steps that claim SHARE
//! UPDATE EXCLUSIVE or less run while a writer holds an open transaction on the table. The
//! plan made from the live database rolls back the same way as the one from the file.

mod common;

use bellows::plan::{Phase, Plan, Step};
use bellows::safety::LockMode;
use sqlx::{Connection, PgConnection};

const ROLES: &str = "CREATE ROLE app_reader; CREATE ROLE app_writer; CREATE ROLE old_reader";

const SCHEMA: &str = "
CREATE TYPE mood AS ENUM ('calm', 'glad');
CREATE TABLE notes (
    id bigint PRIMARY KEY,
    body text,
    n int NOT NULL,
    tag text,
    mood mood NOT NULL DEFAULT 'calm',
    CONSTRAINT notes_n_positive CHECK (n > 0)
);
CREATE UNIQUE INDEX notes_n_key ON notes (n);
CREATE INDEX notes_tag_idx ON notes (tag);
CREATE INDEX notes_len_idx ON notes ((length(body)));
CREATE INDEX notes_spare_idx ON notes (n, tag);
CREATE VIEW note_tags AS SELECT id, tag FROM notes;
CREATE SEQUENCE note_seq;
COMMENT ON TABLE notes IS 'before';
COMMENT ON COLUMN notes.tag IS 'tag before';
ALTER TABLE notes ALTER COLUMN tag SET STATISTICS 50;
GRANT SELECT ON notes TO app_reader;
GRANT SELECT ON notes TO old_reader;
INSERT INTO notes SELECT g, repeat('x', g), g, 't' || (g % 5), CASE WHEN g % 2 = 0 THEN 'glad' ELSE 'calm' END::mood
FROM generate_series(1, 200) g;
";

const CHANGE: &str = "
COMMENT ON TABLE notes IS 'after';
COMMENT ON COLUMN notes.tag IS NULL;
COMMENT ON COLUMN notes.body IS 'body text';
COMMENT ON INDEX notes_tag_idx IS 'by tag';
COMMENT ON VIEW note_tags IS 'tags';
COMMENT ON SEQUENCE note_seq IS 'numbers';
COMMENT ON CONSTRAINT notes_n_positive ON notes IS 'n counts from 1';
ALTER TABLE notes ALTER COLUMN tag SET STATISTICS 700;
ALTER INDEX notes_len_idx ALTER COLUMN 1 SET STATISTICS 300;
ALTER TABLE notes ALTER COLUMN body SET STORAGE EXTERNAL;
ALTER TABLE notes ALTER COLUMN body SET COMPRESSION pglz;
ALTER TABLE notes REPLICA IDENTITY USING INDEX notes_n_key;
ALTER INDEX notes_tag_idx RENAME TO notes_by_tag_idx;
ALTER INDEX notes_spare_idx RENAME TO notes_unused_idx;
DROP INDEX notes_unused_idx;
ALTER TABLE notes RENAME CONSTRAINT notes_n_positive TO notes_n_counts;
ALTER TABLE notes RENAME CONSTRAINT notes_pkey TO notes_pk;
ALTER TYPE mood RENAME VALUE 'glad' TO 'happy';
ALTER SEQUENCE note_seq INCREMENT BY 10 AS integer;
ALTER SEQUENCE note_seq OWNED BY notes.n;
GRANT SELECT, INSERT ON notes TO app_writer;
GRANT USAGE ON SEQUENCE note_seq TO app_writer;
GRANT SELECT, UPDATE ON notes TO app_reader;
REVOKE SELECT ON notes FROM old_reader;
-- bellows:raw
-- bellows:raw-down ALTER TABLE notes RESET (fillfactor, autovacuum_vacuum_scale_factor)
ALTER TABLE notes SET (fillfactor = 80, autovacuum_vacuum_scale_factor = 0.01);
";

/// Everything the change touches in the catalog, one line each.
const CATALOG: &str = "SELECT concat_ws(E'\\n',
  'table: ' || coalesce(obj_description('notes'::regclass, 'pg_class'), '-'),
  (SELECT 'columns: ' || string_agg(format('%s stat=%s storage=%s compression=%s comment=%s', attname, attstattarget, attstorage::text,
          coalesce(nullif(attcompression::text, ''), '-'), coalesce(col_description(attrelid, attnum), '-')), '; ' ORDER BY attnum)
     FROM pg_attribute WHERE attrelid = 'notes'::regclass AND attnum > 0 AND NOT attisdropped),
  (SELECT 'indexes: ' || string_agg(c.relname || '=' || coalesce(obj_description(c.oid, 'pg_class'), '-'), ', ' ORDER BY c.relname)
     FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'notes'::regclass),
  (SELECT 'constraints: ' || string_agg(conname || '=' || coalesce(obj_description(oid, 'pg_constraint'), '-'), ', ' ORDER BY conname)
     FROM pg_constraint WHERE conrelid = 'notes'::regclass),
  'view: ' || coalesce(obj_description('note_tags'::regclass, 'pg_class'), '-'),
  'sequence: ' || coalesce(obj_description('note_seq'::regclass, 'pg_class'), '-'),
  (SELECT format('sequence options: increment=%s type=%s owner=%s', seqincrement, format_type(seqtypid, NULL),
          coalesce((SELECT a.attname::text FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = 'note_seq'::regclass AND d.deptype = 'a'), '-'))
     FROM pg_sequence WHERE seqrelid = 'note_seq'::regclass),
  (SELECT 'replica identity: ' || c.relreplident::text || coalesce(' ' || (SELECT ic.relname FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
          WHERE i.indrelid = c.oid AND i.indisreplident), '') FROM pg_class c WHERE c.oid = 'notes'::regclass),
  (SELECT 'index statistics: ' || attstattarget FROM pg_attribute a JOIN pg_index i ON i.indexrelid = a.attrelid
     JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'notes_len_idx' AND a.attnum = 1),
  (SELECT 'labels: ' || string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = 'mood'::regtype),
  'privileges: ' || concat_ws(' ',
     'writer insert=' || has_table_privilege('app_writer', 'notes', 'INSERT'),
     'writer select=' || has_table_privilege('app_writer', 'notes', 'SELECT'),
     'reader select=' || has_table_privilege('app_reader', 'notes', 'SELECT'),
     'reader update=' || has_table_privilege('app_reader', 'notes', 'UPDATE'),
     'old select=' || has_table_privilege('old_reader', 'notes', 'SELECT'),
     'writer sequence=' || has_sequence_privilege('app_writer', 'note_seq', 'USAGE')),
  'options: ' || coalesce((SELECT array_to_string(reloptions, ',') FROM pg_class WHERE oid = 'notes'::regclass), '-'))";

const BEFORE: &str = "table: before
columns: id stat=-1 storage=p compression=- comment=-; body stat=-1 storage=x compression=- comment=-; n stat=-1 storage=p compression=- comment=-; tag stat=50 storage=x compression=- comment=tag before; mood stat=-1 storage=p compression=- comment=-
indexes: notes_len_idx=-, notes_n_key=-, notes_pkey=-, notes_spare_idx=-, notes_tag_idx=-
constraints: notes_n_positive=-, notes_pkey=-
view: -
sequence: -
sequence options: increment=1 type=bigint owner=-
replica identity: d
index statistics: -1
labels: calm,glad
privileges: writer insert=false writer select=false reader select=true reader update=false old select=true writer sequence=false
options: -";

const AFTER: &str = "table: after
columns: id stat=-1 storage=p compression=- comment=-; body stat=-1 storage=e compression=p comment=body text; n stat=-1 storage=p compression=- comment=-; tag stat=700 storage=x compression=- comment=-; mood stat=-1 storage=p compression=- comment=-
indexes: notes_by_tag_idx=by tag, notes_len_idx=-, notes_n_key=-, notes_pk=-
constraints: notes_n_counts=n counts from 1, notes_pk=-
view: tags
sequence: numbers
sequence options: increment=10 type=integer owner=n
replica identity: i notes_n_key
index statistics: 300
labels: calm,happy
privileges: writer insert=true writer select=true reader select=true reader update=true old select=false writer sequence=true
options: fillfactor=80,autovacuum_vacuum_scale_factor=0.01";

/// Rows by mood label, as text: the data must not change in any phase.
const ROWS: &str = "SELECT string_agg(format('%s:%s', mood, c), ',' ORDER BY mood) FROM (SELECT mood, count(*) c FROM notes GROUP BY mood) m";

fn psql(c: &bellows::pgtemp::TempCluster, db: &str, sql: &str) -> String {
    c.psql(db, sql)
        .unwrap_or_else(|e| panic!("{db}: {sql}: {e}"))
        .trim()
        .to_string()
}

/// What old code does: insert with ON CONFLICT on the old key name and the old label, and
/// read as the old reader.
const OLD_CODE: &str = "INSERT INTO notes (id, n, mood) VALUES (1, 1, 'glad') ON CONFLICT ON CONSTRAINT notes_pkey DO NOTHING;
    SET ROLE old_reader; SELECT count(*) FROM notes; RESET ROLE;";

/// What new code does once the contract phase ran.
const NEW_CODE: &str = "INSERT INTO notes (id, n, mood) VALUES (1, 1, 'happy') ON CONFLICT ON CONSTRAINT notes_pk DO NOTHING;
    SET ROLE app_writer; INSERT INTO notes (id, n) VALUES (1000, 1000); RESET ROLE;";

async fn run_steps(url: &str, steps: &[&Step]) {
    let mut conn = PgConnection::connect(url).await.expect("connect");
    for s in steps {
        common::run_step(&mut conn, s)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
}

/// Steps that claim SHARE UPDATE EXCLUSIVE or less run while a writer holds ROW EXCLUSIVE
/// on the table in an open transaction (each step has a 2 s lock_timeout); the others run
/// after it commits.
async fn expand_under_a_writer(url: &str, plan: &Plan) {
    let expand: Vec<&Step> = plan.phase_steps(Phase::Expand).collect();
    let (light, heavy): (Vec<&Step>, Vec<&Step>) = expand
        .iter()
        .partition(|s| s.lock.mode <= LockMode::ShareUpdateExclusive);
    assert!(light.len() >= 8, "most steps are light: {light:?}");
    let mut writer = PgConnection::connect(url).await.expect("connect");
    sqlx::raw_sql("BEGIN; INSERT INTO notes (id, n) VALUES (5000, 5000)")
        .execute(&mut writer)
        .await
        .expect("writer");
    run_steps(url, &light).await;
    sqlx::raw_sql("COMMIT")
        .execute(&mut writer)
        .await
        .expect("commit");
    sqlx::raw_sql("DELETE FROM notes WHERE id = 5000")
        .execute(&mut writer)
        .await
        .expect("clean up");
    run_steps(url, &heavy).await;
}

fn up(c: &bellows::pgtemp::TempCluster, file: &str, plan: &Plan, db: &str) {
    let url = common::fresh_db(c, db, &[file]);
    let rows = psql(c, db, ROWS);
    assert_eq!(rows, "calm:100,glad:100");
    assert_eq!(psql(c, db, CATALOG), BEFORE);
    let rt = common::rt();
    rt.block_on(expand_under_a_writer(&url, plan));
    psql(c, db, OLD_CODE);
    assert_eq!(psql(c, db, ROWS), rows, "{db}: after expand");
    for phase in [Phase::DualWrite, Phase::Backfill, Phase::Contract] {
        let steps: Vec<&Step> = plan.phase_steps(phase).collect();
        rt.block_on(run_steps(&url, &steps));
    }
    assert_eq!(
        psql(c, db, ROWS),
        "calm:100,happy:100",
        "{db}: after contract"
    );
    assert_eq!(psql(c, db, CATALOG), AFTER);
    psql(c, db, NEW_CODE);
    live_catalog_reads_what_the_change_did(&url);
}

/// The live catalog reader sees every catalog-only fact the change set, as the file model
/// does after the same statements.
fn live_catalog_reads_what_the_change_did(url: &str) {
    use bellows::catalog::{Compression, ReplicaIdentity, Storage};
    use bellows::sql::QName;
    let live = common::rt().block_on(common::shape(url));
    let t = &live.tables[&QName::public("notes")];
    assert_eq!(t.comment.as_deref(), Some("after"));
    assert_eq!(
        t.replica_identity,
        ReplicaIdentity::Index("notes_n_key".into())
    );
    let body = t.column("body").expect("body");
    assert_eq!(body.storage, Some(Storage::External));
    assert_eq!(body.compression, Some(Compression::Pglz));
    assert_eq!(body.comment.as_deref(), Some("body text"));
    assert_eq!(t.column("tag").expect("tag").statistics, Some(700));
    assert_eq!(
        t.indexes["notes_by_tag_idx"].comment.as_deref(),
        Some("by tag")
    );
    assert_eq!(
        t.indexes["notes_pk"].constraint.as_deref(),
        Some("notes_pk")
    );
    assert_eq!(
        t.constraints["notes_n_counts"].comment.as_deref(),
        Some("n counts from 1")
    );
    assert_eq!(
        live.views[&QName::public("note_tags")].comment.as_deref(),
        Some("tags")
    );
    assert_eq!(
        live.sequences[&QName::public("note_seq")]
            .comment
            .as_deref(),
        Some("numbers")
    );
    assert_eq!(live.enums[&QName::public("mood")], ["calm", "happy"]);
    let seq = &live.sequences[&QName::public("note_seq")];
    assert_eq!(seq.increment, Some(10));
    assert_eq!(seq.data_type.as_deref(), Some("integer"));
    assert_eq!(
        seq.owned_by,
        Some((QName::public("notes"), "n".to_string()))
    );
    assert!(t.grants["app_writer"].contains("INSERT"));
    assert!(!t.grants.contains_key("old_reader"));

    // The file model, walked through the same change, agrees on the table.
    let mut model = bellows::catalog::load_str("schema.sql", SCHEMA).expect("schema");
    for st in bellows::sql::parse_file("change.sql", CHANGE, false).expect("parses") {
        model.apply(&st.ddl).expect("applies");
    }
    let m = &model.tables[&QName::public("notes")];
    assert_eq!(m.comment, t.comment);
    assert_eq!(m.replica_identity, t.replica_identity);
    // (Defaults are left out: PostgreSQL re-spells them, `'calm'::public.mood`.)
    let facts = |t: &bellows::catalog::Table| -> Vec<String> {
        t.columns
            .iter()
            .map(|c| {
                format!(
                    "{} {:?} {:?} {:?} {:?}",
                    c.name, c.comment, c.statistics, c.storage, c.compression
                )
            })
            .collect()
    };
    assert_eq!(facts(m), facts(t));
    assert_eq!(m.constraints, t.constraints);
    assert_eq!(
        m.indexes.keys().collect::<Vec<_>>(),
        t.indexes.keys().collect::<Vec<_>>()
    );
    assert_eq!(model.enums, live.enums);
    assert_eq!(model.sequences, live.sequences);
}

fn up_and_back(c: &bellows::pgtemp::TempCluster, file: &str, plan: &Plan, db: &str) {
    let url = common::fresh_db(c, db, &[file]);
    let rt = common::rt();
    let mut done = rt
        .block_on(common::run_plan(&url, plan, Some(Phase::Contract)))
        .expect("up to contract");
    psql(c, db, OLD_CODE);
    // The contract steps too (renames, revoke, the drop of a renamed index), so every kind
    // of rollback runs.
    let undoable: Vec<&Step> = plan.phase_steps(Phase::Contract).collect();
    assert!(undoable.iter().all(|s| s.rollback_sql.is_some()));
    rt.block_on(run_steps(&url, &undoable));
    done.extend(undoable.into_iter().cloned());
    assert!(psql(c, db, CATALOG).contains("labels: calm,happy"));
    rt.block_on(common::rollback(&url, &done))
        .expect("rolls back");
    assert_eq!(psql(c, db, CATALOG), BEFORE, "{db}: after rollback");
    assert_eq!(
        psql(c, db, ROWS),
        "calm:100,glad:100",
        "{db}: after rollback"
    );
    psql(c, db, OLD_CODE);
}

#[test]
fn catalog_only_statements_and_a_raw_one_run_up_and_roll_back_exactly() {
    let cluster = common::cluster();
    cluster.psql("postgres", ROLES).expect("roles");
    let dir = std::env::temp_dir().join(format!("bellows-catalog-only-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("schema.sql");
    std::fs::write(&file, SCHEMA).expect("write");
    let file = file.display().to_string();

    let cat = bellows::catalog::load_file(&file).expect("schema loads");
    let plan = bellows::planner::plan("change.sql", CHANGE, &cat, &Default::default())
        .unwrap_or_else(|e| panic!("plans: {e}"));
    let raw: Vec<&Step> = plan.steps.iter().filter(|s| s.raw).collect();
    assert_eq!(raw.len(), 1, "one raw step");
    assert!(raw[0].why.contains("Raw statement, not modelled"));
    up(&cluster, &file, &plan, "co_file_up");
    up_and_back(&cluster, &file, &plan, "co_file_back");

    // Planned from the live database: the same statements and rollbacks.
    let url = common::fresh_db(&cluster, "co_live_src", &[file.as_str()]);
    let live = common::rt().block_on(common::shape(&url));
    let from_live = bellows::planner::plan("change.sql", CHANGE, &live, &Default::default())
        .unwrap_or_else(|e| panic!("plans from the live database: {e}"));
    let sql = |p: &Plan| -> Vec<(String, Vec<String>, Option<Vec<String>>)> {
        p.steps
            .iter()
            .map(|s| (s.id.clone(), s.sql.clone(), s.rollback_sql.clone()))
            .collect()
    };
    assert_eq!(sql(&from_live), sql(&plan));
    up_and_back(&cluster, &file, &from_live, "co_live_back");
    let _ = std::fs::remove_dir_all(&dir);
}
